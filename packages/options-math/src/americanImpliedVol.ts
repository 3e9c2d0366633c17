/**
 * American implied volatility: the European IV of the "de-Americanised" price seeds a safeguarded
 * quasi-Newton iteration on the American price itself. The early exercise premium changes slowly with
 * σ, so σ_{k+1} = IV_eur(price − premium(σ_k)) converges in a few steps; each step is then kept inside
 * a bracket that tightens as prices come back above or below the target, with bisection as fallback.
 */
import {
  AMERICAN_SCHEMES,
  type AmericanScheme,
  bsmAmericanPrice,
  isEffectivelyEuropean,
} from "./american.js";
import { bsmPrice, isValidContract } from "./european.js";
import { bsmImpliedVol, ivScratch } from "./europeanImpliedVol.js";
import { IV_STATUS_CODE } from "./types.js";

const MAX_ITERATIONS = 40;
const VOL_CEILING = 20;
const PRICE_TOLERANCE_REL = 1e-12;

/** Solves σ for an American price; writes ivScratch.iv and returns an IV_STATUS_CODE. */
export function bsmAmericanImpliedVol(
  sign: number,
  S: number,
  K: number,
  T: number,
  r: number,
  q: number,
  price: number,
  scheme: AmericanScheme = AMERICAN_SCHEMES.standard,
): number {
  if (!isValidContract(S, K, T, r, q) || !Number.isFinite(price)) {
    ivScratch.iv = Number.NaN;
    return IV_STATUS_CODE.invalid_input;
  }
  if (T <= 0) {
    ivScratch.iv = Number.NaN;
    return IV_STATUS_CODE.expired;
  }
  if (isEffectivelyEuropean(sign, r, q)) return bsmImpliedVol(sign, S, K, T, r, q, price);
  ivScratch.iv = Number.NaN;
  const floor = bsmAmericanPrice(sign, S, K, T, r, q, 0, scheme);
  const slack = 8 * 2.220446049250313e-16 * Math.max(floor, S, K);
  if (price < floor - slack) return IV_STATUS_CODE.below_intrinsic;
  if (price >= (sign > 0 ? S : K)) return IV_STATUS_CODE.above_max;
  if (price <= floor + slack) {
    ivScratch.iv = 0;
    return IV_STATUS_CODE.ok;
  }
  const tolerance = PRICE_TOLERANCE_REL * price + 1e-300;
  let lo = 0;
  let hi = VOL_CEILING;
  // Seed: European IV of the price, or a neutral guess when the price is outside European bounds.
  let vol =
    bsmImpliedVol(sign, S, K, T, r, q, price) === IV_STATUS_CODE.ok && ivScratch.iv > 0 ? ivScratch.iv : 0.3;
  for (let it = 0; it < MAX_ITERATIONS; it++) {
    const am = bsmAmericanPrice(sign, S, K, T, r, q, vol, scheme);
    const diff = am - price;
    if (Math.abs(diff) <= tolerance) break;
    if (diff > 0) hi = Math.min(hi, vol);
    else lo = Math.max(lo, vol);
    // De-Americanise: remove this σ's early exercise premium and invert the European formula.
    const premium = am - bsmPrice(sign, S, K, T, r, q, vol);
    let next = Number.NaN;
    if (bsmImpliedVol(sign, S, K, T, r, q, price - premium) === IV_STATUS_CODE.ok) next = ivScratch.iv;
    if (!(next > lo && next < hi))
      next = hi >= VOL_CEILING ? Math.min(2 * Math.max(vol, lo, 0.01), hi) : 0.5 * (lo + hi);
    if (Math.abs(next - vol) <= 1e-15 * vol) {
      vol = next;
      break;
    }
    vol = next;
    if (hi - lo <= 1e-15 * hi) break;
  }
  if (vol >= VOL_CEILING) return IV_STATUS_CODE.above_max;
  ivScratch.iv = vol;
  return IV_STATUS_CODE.ok;
}
