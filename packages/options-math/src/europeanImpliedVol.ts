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
  const carry = (rate - divYield) * tYears;
  const x = Math.log(spot / strike) + carry;
  const forward = spot * Math.exp(carry);
  const undiscounted = price * Math.exp(rate * tYears);
  const intrinsic = Math.max(sign * (forward - strike), 0);
  // A few ulps of slack: the discount and forward factors are themselves rounded, and a price at the
  // intrinsic bound must not be rejected because of that rounding.
  if (undiscounted < intrinsic * (1 - INTRINSIC_SLACK)) return IV_STATUS_CODE.below_intrinsic;
  if (undiscounted >= (sign > 0 ? forward : strike)) return IV_STATUS_CODE.above_max;
  const sqrtFK = Math.sqrt(forward) * Math.sqrt(strike);
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
  ivScratch.iv = s / Math.sqrt(tYears);
  return IV_STATUS_CODE.ok;
}
