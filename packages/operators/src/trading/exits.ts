import type { RegimeName } from "@thetaflow/schemas";
import { Schema } from "effect";
import { daysFromIso } from "../calendar/nyTime.js";
import { type PositionBook, positionTotals } from "./positionBook.js";

const Fraction = Schema.Number.pipe(Schema.between(0, 1));
const Multiple = Schema.Number.pipe(Schema.finite(), Schema.positive());

/** The seeds' should_close rules (IVRankStrategy / EarningsStrategy), as parameters. */
export const ExitParams = {
  profitTarget: Schema.optionalWith(Fraction, { default: () => 0.5 }),
  /** Stop when the loss reaches this multiple of the credit received (seeds: 2x; earnings: 1x). */
  creditStopMultiple: Schema.optionalWith(Multiple, { default: () => 2 }),
  earningsCreditStopMultiple: Schema.optionalWith(Multiple, { default: () => 1 }),
  /** Debit trades stop when this share of the debit paid is lost. */
  debitStopFraction: Schema.optionalWith(Fraction, { default: () => 0.5 }),
  /** Close once this share of the time from entry to expiry has elapsed (gamma risk). */
  maxTimeElapsed: Schema.optionalWith(Fraction, { default: () => 0.8 }),
} as const;
const ExitSchema = Schema.Struct(ExitParams);
export type ExitRules = typeof ExitSchema.Type;

export interface ExitContext {
  readonly day: number;
  readonly regime: RegimeName | null;
  /** The underlying's earnings were reported after this position opened. */
  readonly earningsReported: boolean;
}

/** First exit rule that fires, as a reason string, or null to hold. */
export const exitReason = (p: PositionBook, now: ExitContext, rules: ExitRules): string | null => {
  if (p.status !== "open" || p.units === 0) return null;
  const t = positionTotals(p);
  const pnl = t.realizedCents + t.unrealizedCents;
  const premiumCents = Math.abs(p.entryNetPrice) * 100 * p.units * (p.legs[0]?.multiplier ?? 100);
  const maxProfitCents = p.maxProfitPerUnitCents * p.units;
  if (p.family === "earnings" && now.earningsReported)
    return "post_earnings: release reported, IV crush captured";
  if (maxProfitCents > 0 && pnl >= rules.profitTarget * maxProfitCents)
    return `profit_target: ${rules.profitTarget * 100}% of max profit`;
  if (p.entryNetPrice > 0) {
    const multiple = p.family === "earnings" ? rules.earningsCreditStopMultiple : rules.creditStopMultiple;
    if (pnl <= -multiple * premiumCents) return `stop_loss: loss ${multiple}x the credit`;
  } else if (p.entryNetPrice < 0 && pnl <= -rules.debitStopFraction * premiumCents) {
    return `stop_loss: lost ${rules.debitStopFraction * 100}% of the debit`;
  }
  const total = daysFromIso(p.expiry) - p.entryDay;
  const left = daysFromIso(p.expiry) - now.day;
  if (total > 0 && 1 - left / total > rules.maxTimeElapsed)
    return `time_exit: ${Math.round((1 - left / total) * 100)}% of the time to expiry elapsed`;
  if (p.entryRegime === "low_vol" && now.regime === "high_vol") return "regime_shift: low_vol -> high_vol";
  return null;
};
