/**
 * European implied volatility under BSM with dividend yield, Jäckel's "Let's Be Rational" underneath.
 * Intrinsic and upper-bound checks use the forward F = S·e^{(r−q)T}; in-the-money prices are inverted
 * on the out-of-the-money side (their time value), which is where the information lives.
 */

import { isValidContract } from "./european.js";
import { ABOVE_MAXIMUM, lbr, normalisedIntrinsicCall, solveOtmCall } from "./internal/letsBeRational.js";
import { strikeMemo } from "./internal/strikeMemo.js";
import { IV_STATUS_CODE } from "./types.js";

const INTRINSIC_SLACK = 8 * 2.220446049250313e-16;

/**
 * Per-expiry factors of the last contract (chains arrive grouped by expiry, so consecutive calls
 * usually share spot, T, r and q): forward, growth e^{rT}, √F, √T. Typed array so they stay unboxed.
 */
const expiryMemo = new Float64Array(9).fill(Number.NaN);
const MEMO_SPOT = 0;
const MEMO_T = 1;
const MEMO_RATE = 2;
const MEMO_DIV = 3;
const MEMO_CARRY = 4;
const MEMO_FORWARD = 5;
const MEMO_GROWTH = 6;
const MEMO_SQRT_FORWARD = 7;
const MEMO_SQRT_T = 8;

function rememberExpiry(spot: number, tYears: number, rate: number, divYield: number): void {
  const carry = (rate - divYield) * tYears;
  const forward = spot * Math.exp(carry);
  expiryMemo[MEMO_SPOT] = spot;
  expiryMemo[MEMO_T] = tYears;
  expiryMemo[MEMO_RATE] = rate;
  expiryMemo[MEMO_DIV] = divYield;
  expiryMemo[MEMO_CARRY] = carry;
  expiryMemo[MEMO_FORWARD] = forward;
  expiryMemo[MEMO_GROWTH] = Math.exp(rate * tYears);
  expiryMemo[MEMO_SQRT_FORWARD] = Math.sqrt(forward);
  expiryMemo[MEMO_SQRT_T] = Math.sqrt(tYears);
}

/**
 * Normalised intrinsic value of the last in-the-money x (an exponential): the mid, bid and ask of one
 * quote reduce to the same x. [0] x, [1] e^{x/2} − e^{−x/2}.
 */
const intrinsicMemo = new Float64Array(2).fill(Number.NaN);

/** Scratch result of the allocation-free solver: the volatility (NaN unless status is ok). */
export const ivScratch = { iv: Number.NaN };

/** Inputs of the European solvers: spot, strike, tYears, rate, divYield, price. */
export const ivInputs = new Float64Array(6);

/**
 * Scales of the last prepared contract: [0] price → normalised price (e^{rT}/√(FK)), [1] √T (σ → s).
 * Seeded solvers (sideImpliedVol) convert a price difference and a volatility with them.
 */
export const otmScale = new Float64Array(2);

/** prepareOtmCall's answer when lbr[0], lbr[1] and lbr[5] hold a normalised problem to solve. */
export const NEEDS_SOLVE = -1;

/**
 * Solves σ for a European price with sign = +1 (call) / −1 (put). Writes ivScratch.iv and returns an
 * IV_STATUS_CODE. A price exactly at the discounted forward intrinsic gives iv = 0 with status ok.
 */
export function bsmImpliedVol(
  sign: number,
  spot: number,
  strike: number,
  tYears: number,
  rate: number,
  divYield: number,
  price: number,
): number {
  loadIvInputs(spot, strike, tYears, rate, divYield, price);
  return solveEuropean(sign);
}

/**
 * Small enough for V8 to inline into every entry point: the doubles reach the (large, not inlined)
 * solvers through a Float64Array instead of being boxed as call arguments.
 */
export function loadIvInputs(
  spot: number,
  strike: number,
  tYears: number,
  rate: number,
  divYield: number,
  price: number,
): void {
  ivInputs[0] = spot;
  ivInputs[1] = strike;
  ivInputs[2] = tYears;
  ivInputs[3] = rate;
  ivInputs[4] = divYield;
  ivInputs[5] = price;
}

function solveEuropean(sign: number): number {
  const code = prepareOtmCall(sign);
  if (code !== NEEDS_SOLVE) return code;
  solveOtmCall();
  return finishOtmCall();
}

/**
 * Checks the inputs in ivInputs and reduces them to an out-of-the-money normalised call: lbr[0] beta,
 * lbr[1] x <= 0, lbr[5] e^{x/2}, and otmScale. Returns NEEDS_SOLVE, or the final IV_STATUS_CODE with
 * ivScratch.iv written (0 for a price at the intrinsic, NaN unless ok).
 */
export function prepareOtmCall(sign: number): number {
  const spot = ivInputs[0]!;
  const strike = ivInputs[1]!;
  const tYears = ivInputs[2]!;
  const rate = ivInputs[3]!;
  const divYield = ivInputs[4]!;
  const price = ivInputs[5]!;
  ivScratch.iv = Number.NaN;
  if (!isValidContract(spot, strike, tYears, rate, divYield) || !Number.isFinite(price)) {
    return IV_STATUS_CODE.invalid_input;
  }
  if (tYears <= 0) return IV_STATUS_CODE.expired;
  if (
    spot !== expiryMemo[MEMO_SPOT] ||
    tYears !== expiryMemo[MEMO_T] ||
    rate !== expiryMemo[MEMO_RATE] ||
    divYield !== expiryMemo[MEMO_DIV]
  ) {
    rememberExpiry(spot, tYears, rate, divYield);
  }
  if (spot !== strikeMemo[0] || strike !== strikeMemo[1]) {
    strikeMemo[0] = spot;
    strikeMemo[1] = strike;
    strikeMemo[2] = Math.log(spot / strike);
    strikeMemo[3] = Math.sqrt(strike);
  }
  const carry = expiryMemo[MEMO_CARRY]!;
  const x = strikeMemo[2]! + carry;
  const forward = expiryMemo[MEMO_FORWARD]!;
  const growth = expiryMemo[MEMO_GROWTH]!;
  const undiscounted = price * growth;
  const intrinsic = Math.max(sign * (forward - strike), 0);
  // A few ulps of slack: the discount and forward factors are themselves rounded, and a price at the
  // intrinsic bound must not be rejected because of that rounding.
  if (undiscounted < intrinsic * (1 - INTRINSIC_SLACK)) return IV_STATUS_CODE.below_intrinsic;
  if (undiscounted >= (sign > 0 ? forward : strike)) return IV_STATUS_CODE.above_max;
  const sqrtForward = expiryMemo[MEMO_SQRT_FORWARD]!;
  const sqrtStrike = strikeMemo[3]!;
  let beta = undiscounted / (sqrtForward * sqrtStrike);
  let xc = sign * x;
  if (xc > 0) {
    if (xc !== intrinsicMemo[0]) {
      intrinsicMemo[0] = xc;
      intrinsicMemo[1] = normalisedIntrinsicCall(xc);
    }
    beta -= intrinsicMemo[1]!;
    xc = -xc;
  }
  if (!(beta > 0)) {
    ivScratch.iv = 0;
    return IV_STATUS_CODE.ok;
  }
  lbr[0] = beta;
  lbr[1] = xc;
  // e^{xc/2} = e^{−|ln(F/K)|/2} as a ratio of the square roots at hand: no exponential.
  lbr[5] = forward <= strike ? sqrtForward / sqrtStrike : sqrtStrike / sqrtForward;
  otmScale[0] = growth / (sqrtForward * sqrtStrike);
  otmScale[1] = expiryMemo[MEMO_SQRT_T]!;
  return NEEDS_SOLVE;
}

/** Turns the solved s = σ√T in lbr[2] into ivScratch.iv and its status. */
export function finishOtmCall(): number {
  const s = lbr[2]!;
  if (s === ABOVE_MAXIMUM) return IV_STATUS_CODE.above_max;
  ivScratch.iv = s / otmScale[1]!;
  return IV_STATUS_CODE.ok;
}
