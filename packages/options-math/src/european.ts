/**
 * European options under Black-Scholes-Merton with a continuous dividend yield.
 *
 * The price goes through Jäckel's normalised Black function b(x, s) (x = ln(F/K), s = σ√T), so it keeps
 * full relative accuracy for far out-of-the-money options where the textbook difference of two
 * products cancels, and it is the exact inverse of impliedVol. Greeks use the closed forms.
 */
import { normalisedBlackCall } from "./internal/normalisedBlack.js";
import { strikeMemo } from "./internal/strikeMemo.js";
import { normCdfGivenDensity } from "./normal.js";
import { type GreekValues, IV_STATUS_CODE, type OptionInputs } from "./types.js";

const ONE_OVER_SQRT_TWO_PI = 0.3989422804014327;

/** True when every input is finite, spot/strike are positive and vol is non-negative. */
export function isValidContract(
  spot: number,
  strike: number,
  tYears: number,
  rate: number,
  divYield: number,
): boolean {
  return (
    spot > 0 &&
    strike > 0 &&
    spot < Number.POSITIVE_INFINITY &&
    strike < Number.POSITIVE_INFINITY &&
    Number.isFinite(tYears) &&
    Number.isFinite(rate) &&
    Number.isFinite(divYield)
  );
}

/**
 * Undiscounted-to-discounted European price with call = +1, put = −1 in `sign`. Returns NaN for invalid
 * inputs (use europeanGreeksInto to get a status instead).
 */
export function bsmPrice(
  sign: number,
  spot: number,
  strike: number,
  tYears: number,
  rate: number,
  divYield: number,
  vol: number,
): number {
  if (
    !isValidContract(spot, strike, tYears, rate, divYield) ||
    !(vol >= 0) ||
    vol === Number.POSITIVE_INFINITY
  ) {
    return Number.NaN;
  }
  if (tYears <= 0) return Math.max(sign * (spot - strike), 0);
  const x = Math.log(spot / strike) + (rate - divYield) * tYears;
  const forward = spot * Math.exp((rate - divYield) * tYears);
  const s = vol * Math.sqrt(tYears);
  return Math.exp(-rate * tYears) * Math.sqrt(forward) * Math.sqrt(strike) * normalisedBlackCall(sign * x, s);
}

export function europeanPrice(i: OptionInputs): number {
  return bsmPrice(i.right === "call" ? 1 : -1, i.spot, i.strike, i.tYears, i.rate, i.divYield, i.vol);
}

/** A fresh Greeks record; reuse one with europeanGreeksInto in hot loops. */
export function emptyGreeks(): Required<GreekValues> {
  return { price: 0, delta: 0, gamma: 0, vega: 0, theta: 0, rho: 0, divRho: 0, vanna: 0, volga: 0, charm: 0 };
}

function fillNaN(out: GreekValues): void {
  out.price = Number.NaN;
  out.delta = Number.NaN;
  out.gamma = Number.NaN;
  out.vega = Number.NaN;
  out.theta = Number.NaN;
  out.rho = Number.NaN;
  out.divRho = Number.NaN;
  out.vanna = Number.NaN;
  out.volga = Number.NaN;
  out.charm = Number.NaN;
}

function fillZeroSensitivities(out: GreekValues): void {
  out.gamma = 0;
  out.vega = 0;
  out.theta = 0;
  out.rho = 0;
  out.divRho = 0;
  out.vanna = 0;
  out.volga = 0;
  out.charm = 0;
}

/**
 * Discount factors and √T of the last (tYears, rate, divYield): chains arrive grouped by expiry, so
 * consecutive calls mostly share them. [0] T, [1] r, [2] q, [3] e^{−rT}, [4] e^{−qT}, [5] √T. ln(S/K)
 * comes from strikeMemo, which the quote's implied-volatility solve has just filled. Cached values are
 * the ones the same expressions compute, so results do not depend on call order.
 */
const greeksMemo = new Float64Array(6).fill(Number.NaN);

/**
 * Price and Greeks written into `out` without allocating. Returns IV_STATUS_CODE.ok, .expired (T <= 0:
 * the limits at expiry are written: price = intrinsic, delta = ±1/0) or .invalid_input (NaNs written).
 */
export function bsmGreeksInto(
  sign: number,
  spot: number,
  strike: number,
  tYears: number,
  rate: number,
  divYield: number,
  vol: number,
  out: GreekValues,
): number {
  return greeksInto(sign, spot, strike, tYears, rate, divYield, vol, out, true);
}

/**
 * bsmGreeksInto without the price (out.price = NaN; every other field bit for bit the same): for
 * callers that already know the price, such as an implied-volatility solve of it, and skip a Black
 * evaluation.
 */
export function bsmSensitivitiesInto(
  sign: number,
  spot: number,
  strike: number,
  tYears: number,
  rate: number,
  divYield: number,
  vol: number,
  out: GreekValues,
): number {
  return greeksInto(sign, spot, strike, tYears, rate, divYield, vol, out, false);
}

function greeksInto(
  sign: number,
  spot: number,
  strike: number,
  tYears: number,
  rate: number,
  divYield: number,
  vol: number,
  out: GreekValues,
  withPrice: boolean,
): number {
  if (
    !isValidContract(spot, strike, tYears, rate, divYield) ||
    !(vol >= 0) ||
    vol === Number.POSITIVE_INFINITY
  ) {
    fillNaN(out);
    return IV_STATUS_CODE.invalid_input;
  }
  if (tYears <= 0) {
    const m = sign * (spot - strike);
    out.price = Math.max(m, 0);
    out.delta = m > 0 ? sign : m === 0 ? 0.5 * sign : 0;
    fillZeroSensitivities(out);
    return IV_STATUS_CODE.expired;
  }
  if (tYears !== greeksMemo[0] || rate !== greeksMemo[1] || divYield !== greeksMemo[2]) {
    greeksMemo[0] = tYears;
    greeksMemo[1] = rate;
    greeksMemo[2] = divYield;
    greeksMemo[3] = Math.exp(-rate * tYears);
    greeksMemo[4] = Math.exp(-divYield * tYears);
    greeksMemo[5] = Math.sqrt(tYears);
  }
  if (spot !== strikeMemo[0] || strike !== strikeMemo[1]) {
    strikeMemo[0] = spot;
    strikeMemo[1] = strike;
    strikeMemo[2] = Math.log(spot / strike);
    strikeMemo[3] = Math.sqrt(strike);
  }
  const sqrtT = greeksMemo[5]!;
  const dfR = greeksMemo[3]!;
  const dfQ = greeksMemo[4]!;
  const x = strikeMemo[2]! + (rate - divYield) * tYears;
  const forward = (spot * dfQ) / dfR;
  const s = vol * sqrtT;
  out.price = withPrice
    ? dfR * Math.sqrt(forward) * Math.sqrt(strike) * normalisedBlackCall(sign * x, s)
    : Number.NaN;
  if (s === 0) {
    // Deterministic forward: the option is a forward contract when in the money, worthless otherwise.
    fillZeroSensitivities(out);
    const m = sign * x;
    if (m > 0) {
      out.delta = sign * dfQ;
      out.theta = sign * (divYield * spot * dfQ - rate * strike * dfR);
      out.rho = sign * strike * tYears * dfR;
      out.divRho = -sign * spot * tYears * dfQ;
      out.charm = sign * divYield * dfQ;
    } else if (m === 0) {
      out.delta = 0.5 * sign * dfQ;
      out.gamma = Number.POSITIVE_INFINITY;
      out.vega = spot * dfQ * sqrtT * ONE_OVER_SQRT_TWO_PI;
    } else {
      out.delta = 0;
    }
    return IV_STATUS_CODE.ok;
  }
  const d1 = x / s + 0.5 * s;
  const d2 = d1 - s;
  // One exponential for both CDFs and the density: e^{−d2²/2} = e^{−d1²/2}·F/K (d1² − d2² = 2 ln(F/K)),
  // unless e^{−d1²/2} underflowed; the CDFs take the density's exponential (normCdfGivenDensity).
  const e1 = Math.exp(-0.5 * d1 * d1);
  const e2 = e1 > 1e-290 ? e1 * (forward / strike) : Math.exp(-0.5 * d2 * d2);
  const nd1 = normCdfGivenDensity(sign * d1, e1);
  const nd2 = normCdfGivenDensity(sign * d2, e2);
  const pdf1 = ONE_OVER_SQRT_TWO_PI * e1;
  const spotPdf = spot * dfQ * pdf1;
  out.delta = sign * dfQ * nd1;
  out.gamma = (dfQ * pdf1) / (spot * s);
  out.vega = spotPdf * sqrtT;
  out.theta =
    (-spotPdf * vol) / (2 * sqrtT) - sign * rate * strike * dfR * nd2 + sign * divYield * spot * dfQ * nd1;
  out.rho = sign * strike * tYears * dfR * nd2;
  out.divRho = -sign * spot * tYears * dfQ * nd1;
  out.vanna = (-dfQ * pdf1 * d2) / vol;
  out.volga = (out.vega * d1 * d2) / vol;
  // charm = −∂Δ/∂T; ∂d1/∂T = (2(r−q)T − d2·s) / (2T·s)
  out.charm =
    sign * divYield * dfQ * nd1 - (dfQ * pdf1 * (2 * (rate - divYield) * tYears - d2 * s)) / (2 * tYears * s);
  return IV_STATUS_CODE.ok;
}

/** Status-returning variant: `out` receives price and Greeks; see bsmGreeksInto for codes. */
export function europeanGreeksInto(i: OptionInputs, out: GreekValues): number {
  return bsmGreeksInto(
    i.right === "call" ? 1 : -1,
    i.spot,
    i.strike,
    i.tYears,
    i.rate,
    i.divYield,
    i.vol,
    out,
  );
}

/** Price and all Greeks; NaN fields for invalid inputs, expiry limits for T <= 0. */
export function europeanGreeks(i: OptionInputs): GreekValues {
  const out = emptyGreeks();
  europeanGreeksInto(i, out);
  return out;
}
