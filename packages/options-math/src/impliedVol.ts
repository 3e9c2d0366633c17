/** Public implied volatility entry point: typed outcome, never a silent NaN. */
import { AMERICAN_SCHEMES, type AmericanScheme } from "./american.js";
import { bsmAmericanImpliedVol } from "./americanImpliedVol.js";
import { bsmImpliedVol, ivScratch } from "./europeanImpliedVol.js";
import { type ImpliedVolQuery, IV_STATUS_NAMES, type IvResult } from "./types.js";

/**
 * Statuses: ok; below_intrinsic (price below the discounted forward intrinsic for European, below the
 * σ = 0 value — at least immediate exercise — for American); above_max (call ≥ S·e^{−qT} European / S
 * American, put ≥ K·e^{−rT} / K); expired (T <= 0); invalid_input (spot/strike <= 0, non-finite).
 */
export function impliedVol(q: ImpliedVolQuery, scheme: AmericanScheme = AMERICAN_SCHEMES.standard): IvResult {
  const sign = q.right === "call" ? 1 : -1;
  const code =
    q.style === "american"
      ? bsmAmericanImpliedVol(sign, q.spot, q.strike, q.tYears, q.rate, q.divYield, q.price, scheme)
      : bsmImpliedVol(sign, q.spot, q.strike, q.tYears, q.rate, q.divYield, q.price);
  const status = IV_STATUS_NAMES[code] ?? "invalid_input";
  return { status, iv: status === "ok" ? ivScratch.iv : null };
}
