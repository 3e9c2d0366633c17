/**
 * European implied volatility under BSM with dividend yield, Jäckel's "Let's Be Rational" underneath.
 * Intrinsic and upper-bound checks use the forward F = S·e^{(r−q)T}; in-the-money prices are inverted
 * on the out-of-the-money side (their time value), which is where the information lives.
 */

import { isValidContract } from "./european.js";
import {
  ABOVE_MAXIMUM,
  normalisedImpliedVolOtmCall,
  normalisedIntrinsicCall,
} from "./internal/letsBeRational.js";
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

/** Scratch result of the allocation-free solver: the volatility (NaN unless status is ok). */
export const ivScratch = { iv: Number.NaN };

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
  const carry = expiryMemo[MEMO_CARRY]!;
  const x = Math.log(spot / strike) + carry;
  const forward = expiryMemo[MEMO_FORWARD]!;
  const undiscounted = price * expiryMemo[MEMO_GROWTH]!;
  const intrinsic = Math.max(sign * (forward - strike), 0);
  // A few ulps of slack: the discount and forward factors are themselves rounded, and a price at the
  // intrinsic bound must not be rejected because of that rounding.
  if (undiscounted < intrinsic * (1 - INTRINSIC_SLACK)) return IV_STATUS_CODE.below_intrinsic;
  if (undiscounted >= (sign > 0 ? forward : strike)) return IV_STATUS_CODE.above_max;
  const sqrtFK = expiryMemo[MEMO_SQRT_FORWARD]! * Math.sqrt(strike);
  let beta = undiscounted / sqrtFK;
  let xc = sign * x;
  if (xc > 0) {
    beta -= normalisedIntrinsicCall(xc);
    xc = -xc;
  }
  if (!(beta > 0)) {
    ivScratch.iv = 0;
    return IV_STATUS_CODE.ok;
  }
  const s = normalisedImpliedVolOtmCall(beta, xc);
  if (s === ABOVE_MAXIMUM) return IV_STATUS_CODE.above_max;
  ivScratch.iv = s / expiryMemo[MEMO_SQRT_T]!;
  return IV_STATUS_CODE.ok;
}
