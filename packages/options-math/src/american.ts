/**
 * American calls and puts under BSM with r and q. Calls are priced as puts through McDonald-Schroder
 * symmetry C(S, K, r, q) = P(K, S, q, r); contracts where early exercise is never optimal (calls with
 * q <= 0 <= ... i.e. q <= min(r, 0); puts with r <= min(q, 0)) are exactly European. The rest goes to the
 * Andersen-Lake-Offengelder engine (putEngine.ts); the rare double-boundary regime (q < r < 0 for
 * puts) falls back to a Leisen-Reimer tree.
 *
 * Greeks: delta and gamma come from the engine's premium integral; theta from the Black-Scholes PDE in
 * the continuation region (0 in the exercise region); vega, rho and dividend rho are central finite
 * differences of the engine price (the discretised price is smooth in those parameters).
 */
import { leisenReimerAmerican } from "./american/binomialTree.js";
import { AmericanPutEngine, type AmericanScheme, type PutEngineResult } from "./american/putEngine.js";
import { bsmGreeksInto, bsmPrice, emptyGreeks, isValidContract } from "./european.js";
import { type GreekValues, IV_STATUS_CODE, type OptionInputs } from "./types.js";

export type { AmericanScheme } from "./american/putEngine.js";

/**
 * Collocation schemes. `standard` is the default: max error about 2e-6 per 100 of spot against
 * QuantLib's high-precision QdFp scheme over the test grids (see README.md).
 */
export const AMERICAN_SCHEMES = {
  fast: { chebyshevNodes: 6, fixedPointSweeps: 3, boundaryQuadrature: 6, priceQuadrature: 16 },
  standard: { chebyshevNodes: 8, fixedPointSweeps: 4, boundaryQuadrature: 8, priceQuadrature: 24 },
  accurate: { chebyshevNodes: 12, fixedPointSweeps: 6, boundaryQuadrature: 12, priceQuadrature: 48 },
} as const satisfies Record<string, AmericanScheme>;

const engines = new Map<AmericanScheme, AmericanPutEngine>();
function engineFor(scheme: AmericanScheme): AmericanPutEngine {
  let engine = engines.get(scheme);
  if (engine === undefined) {
    engine = new AmericanPutEngine(scheme);
    engines.set(scheme, engine);
  }
  return engine;
}

const europeanScratch = emptyGreeks();
const putResult: PutEngineResult = { price: 0, delta: 0, gamma: 0, exercised: false };

/** No early exercise is ever optimal: the American equals the European. */
export function isEffectivelyEuropean(sign: number, rate: number, divYield: number): boolean {
  return sign > 0 ? divYield <= 0 && divYield <= rate : rate <= 0 && rate <= divYield;
}

/** Put on (S, K, r, q) into putResult; all inputs valid, T > 0, early exercise possible. */
function americanPutCore(
  S: number,
  K: number,
  T: number,
  r: number,
  q: number,
  vol: number,
  scheme: AmericanScheme,
): void {
  if (vol * Math.sqrt(T) === 0 || (r < 0 && q < r)) {
    // Deterministic paths (vol = 0) and the double-boundary regime: value by formula/tree, S-Greeks by
    // central differences of that value.
    const value = (spot: number): number =>
      vol === 0 ? deterministicPut(spot, K, T, r, q) : leisenReimerAmerican(-1, spot, K, T, r, q, vol);
    const h = 1e-3 * S;
    const up = value(S + h);
    const mid = value(S);
    const down = value(S - h);
    putResult.price = mid;
    putResult.delta = (up - down) / (2 * h);
    putResult.gamma = (up - 2 * mid + down) / (h * h);
    putResult.exercised = mid <= K - S;
    return;
  }
  bsmGreeksInto(-1, S, K, T, r, q, vol, europeanScratch);
  const engine = engineFor(scheme);
  engine.solveBoundary(K, r, q, vol, T);
  engine.price(
    S,
    K,
    r,
    q,
    vol,
    T,
    europeanScratch.price,
    europeanScratch.delta,
    europeanScratch.gamma,
    putResult,
  );
}

/** Put value when vol = 0: best of exercising now, at expiry, or at the interior optimum. */
function deterministicPut(S: number, K: number, T: number, r: number, q: number): number {
  const intrinsic = (t: number): number => Math.max(0, K * Math.exp(-r * t) - S * Math.exp(-q * t));
  const best = Math.max(intrinsic(0), intrinsic(T));
  if (r === q) return best;
  const tStar = Math.log((r * K) / (q * S)) / (r - q);
  return tStar > 0 && tStar < T ? Math.max(best, intrinsic(tStar)) : best;
}

/**
 * American value at σ = 0 of a valid contract with T > 0 that can be exercised early: exactly what
 * bsmAmericanPrice(…, 0) returns for it, without its spot bumps (the no-arbitrage floor of an IV solve).
 */
export function bsmAmericanFloor(
  sign: number,
  S: number,
  K: number,
  T: number,
  r: number,
  q: number,
): number {
  return sign < 0 ? deterministicPut(S, K, T, r, q) : deterministicPut(K, S, T, q, r);
}

/** Scratch output of americanCore. */
const core = { price: 0, delta: 0, gamma: 0, exercised: false };

/** Price, delta, gamma of a valid contract with T > 0 that can be exercised early. */
function americanCore(
  sign: number,
  S: number,
  K: number,
  T: number,
  r: number,
  q: number,
  vol: number,
  scheme: AmericanScheme,
): void {
  if (sign < 0) {
    americanPutCore(S, K, T, r, q, vol, scheme);
    core.price = putResult.price;
    core.delta = putResult.delta;
    core.gamma = putResult.gamma;
  } else {
    // Call(S, K, r, q) = Put(K, S, q, r); strike derivatives follow from degree-1 homogeneity.
    americanPutCore(K, S, T, q, r, vol, scheme);
    core.price = putResult.price;
    core.delta = (putResult.price - K * putResult.delta) / S;
    core.gamma = (K / S) * (K / S) * putResult.gamma;
  }
  core.exercised = putResult.exercised;
}

/** American price for call = +1 / put = −1; NaN for invalid inputs, intrinsic at T <= 0. */
export function bsmAmericanPrice(
  sign: number,
  S: number,
  K: number,
  T: number,
  r: number,
  q: number,
  vol: number,
  scheme: AmericanScheme = AMERICAN_SCHEMES.standard,
): number {
  if (!isValidContract(S, K, T, r, q) || !(vol >= 0) || vol === Number.POSITIVE_INFINITY) return Number.NaN;
  if (T <= 0) return Math.max(sign * (S - K), 0);
  if (isEffectivelyEuropean(sign, r, q)) return bsmPrice(sign, S, K, T, r, q, vol);
  americanCore(sign, S, K, T, r, q, vol, scheme);
  return core.price;
}

export function americanPrice(i: OptionInputs, scheme: AmericanScheme = AMERICAN_SCHEMES.standard): number {
  return bsmAmericanPrice(
    i.right === "call" ? 1 : -1,
    i.spot,
    i.strike,
    i.tYears,
    i.rate,
    i.divYield,
    i.vol,
    scheme,
  );
}

const BUMP_VOL_REL = 1e-4;
const BUMP_RATE = 1e-5;

/**
 * American price and Greeks into `out` (vanna/volga/charm are not computed for American and set to NaN).
 * Returns an IV_STATUS_CODE: ok, expired (T <= 0, expiry limits written) or invalid_input (NaNs).
 */
export function bsmAmericanGreeksInto(
  sign: number,
  S: number,
  K: number,
  T: number,
  r: number,
  q: number,
  vol: number,
  out: GreekValues,
  scheme: AmericanScheme = AMERICAN_SCHEMES.standard,
): number {
  if (!isValidContract(S, K, T, r, q) || T <= 0 || isEffectivelyEuropean(sign, r, q)) {
    return bsmGreeksInto(sign, S, K, T, r, q, vol, out);
  }
  if (!(vol >= 0) || vol === Number.POSITIVE_INFINITY)
    return bsmGreeksInto(sign, S, K, T, r, q, Number.NaN, out);
  const hv = BUMP_VOL_REL * Math.max(vol, 0.01);
  const volUp = bsmAmericanPrice(sign, S, K, T, r, q, vol + hv, scheme);
  const volDown = vol - hv >= 0 ? bsmAmericanPrice(sign, S, K, T, r, q, vol - hv, scheme) : Number.NaN;
  const rUp = bsmAmericanPrice(sign, S, K, T, r + BUMP_RATE, q, vol, scheme);
  const rDown = bsmAmericanPrice(sign, S, K, T, r - BUMP_RATE, q, vol, scheme);
  const qUp = bsmAmericanPrice(sign, S, K, T, r, q + BUMP_RATE, vol, scheme);
  const qDown = bsmAmericanPrice(sign, S, K, T, r, q - BUMP_RATE, vol, scheme);
  americanCore(sign, S, K, T, r, q, vol, scheme);
  out.price = core.price;
  out.delta = core.delta;
  out.gamma = core.gamma;
  out.vega = Number.isNaN(volDown) ? (volUp - core.price) / hv : (volUp - volDown) / (2 * hv);
  out.rho = (rUp - rDown) / (2 * BUMP_RATE);
  out.divRho = (qUp - qDown) / (2 * BUMP_RATE);
  // Continuation region: ∂V/∂t = rV − (r−q)SΔ − ½σ²S²Γ. Exercise region: the payoff does not age.
  out.theta = core.exercised
    ? 0
    : r * core.price - (r - q) * S * core.delta - 0.5 * vol * vol * S * S * core.gamma;
  out.vanna = Number.NaN;
  out.volga = Number.NaN;
  out.charm = Number.NaN;
  return IV_STATUS_CODE.ok;
}

export function americanGreeksInto(
  i: OptionInputs,
  out: GreekValues,
  scheme: AmericanScheme = AMERICAN_SCHEMES.standard,
): number {
  return bsmAmericanGreeksInto(
    i.right === "call" ? 1 : -1,
    i.spot,
    i.strike,
    i.tYears,
    i.rate,
    i.divYield,
    i.vol,
    out,
    scheme,
  );
}

export function americanGreeks(
  i: OptionInputs,
  scheme: AmericanScheme = AMERICAN_SCHEMES.standard,
): GreekValues {
  const out = emptyGreeks();
  americanGreeksInto(i, out, scheme);
  return out;
}
