import { bsmGreeksInto, bsmImpliedVol, emptyGreeks, ivScratch } from "@thetaflow/options-math";
import type { Greeks, OptionQuote } from "@thetaflow/schemas";
import { yearsToExpiry } from "../calendar/nyTime.js";

/** What the trading layer needs to know about one contract at one time. Raw units, as in Greeks. */
export interface ContractAnalytics {
  readonly delta: number;
  readonly gamma: number;
  readonly vega: number;
  readonly theta: number;
  readonly iv: number | null;
}

const scratch = emptyGreeks();

/**
 * Greeks of a quoted contract: the `greeks` operator's values when the topology computes them,
 * otherwise a European BSM solve from the mid (or the vendor IV). European Greeks are close enough
 * for sizing and exposure limits on the short-dated contracts traded here, and cost a few µs for the
 * handful of contracts a portfolio holds — the full American solve stays in the `greeks` operator.
 */
export const analyticsOf = (
  quote: OptionQuote,
  spot: number,
  rate: number,
  divYield: number,
  greeks?: Greeks,
): ContractAnalytics | null => {
  if (greeks !== undefined && greeks.delta !== null) {
    return {
      delta: greeks.delta,
      gamma: greeks.gamma ?? 0,
      vega: greeks.vega ?? 0,
      theta: greeks.theta ?? 0,
      iv: greeks.iv,
    };
  }
  const t = yearsToExpiry(quote.eventTime, quote.expiry);
  const sign = quote.right === "call" ? 1 : -1;
  if (t <= 0) {
    const itm = sign * (spot - quote.strike) > 0;
    return { delta: itm ? sign : 0, gamma: 0, vega: 0, theta: 0, iv: null };
  }
  let iv: number | null = null;
  if (quote.ask > 0 && quote.bid > 0) {
    const code = bsmImpliedVol(sign, spot, quote.strike, t, rate, divYield, 0.5 * (quote.bid + quote.ask));
    if (code === 0 && Number.isFinite(ivScratch.iv)) iv = ivScratch.iv;
  }
  if (iv === null && quote.vendor?.iv !== undefined && quote.vendor.iv > 0) iv = quote.vendor.iv;
  if (iv === null) {
    const delta = quote.vendor?.delta;
    return delta === undefined ? null : { delta, gamma: 0, vega: 0, theta: 0, iv: null };
  }
  bsmGreeksInto(sign, spot, quote.strike, t, rate, divYield, iv, scratch);
  if (!Number.isFinite(scratch.delta)) return null;
  return { delta: scratch.delta, gamma: scratch.gamma, vega: scratch.vega, theta: scratch.theta, iv };
};
