import type { OptionQuote, Signal } from "@thetaflow/schemas";
import { Schema } from "effect";
import { daysFromIso } from "../calendar/nyTime.js";
import {
  dteOf,
  legOf,
  type MarketView,
  modelFields,
  modelProbability,
  nearestStrike,
  round4,
  sideOfChain,
} from "./marketView.js";
import { CommonStrategyParams, defineStrategy } from "./strategyOperator.js";
import { nextEarnings } from "./tickerContext.js";

const Fraction = Schema.Number.pipe(Schema.between(0, 1));
const Days = Schema.Number.pipe(Schema.int(), Schema.nonNegative());

export const EarningsCrushParams = Schema.Struct({
  ...CommonStrategyParams,
  /**
   * `strangle`/`straddle` are the seeds' naked sales; `iron_condor`/`iron_butterfly` are their
   * defined-risk variants (the same shorts with long wings).
   */
  variant: Schema.optionalWith(Schema.Literal("strangle", "straddle", "iron_condor", "iron_butterfly"), {
    default: () => "iron_condor" as const,
  }),
  /** Entry window in calendar days before the release (roadmap: the day of an after-close release). */
  minDaysToEarnings: Schema.optionalWith(Days, { default: () => 0 }),
  maxDaysToEarnings: Schema.optionalWith(Days, { default: () => 1 }),
  /** Latest expiry after the release (seeds: 7 days). */
  maxDte: Schema.optionalWith(Days, { default: () => 7 }),
  /** Minimum IV percentile (or rank) before the release (seeds: 0.6). */
  minIvPercentile: Schema.optionalWith(Fraction, { default: () => 0.6 }),
  /** Skip when the straddle implies a move larger than this (seeds: 10%). */
  maxExpectedMove: Schema.optionalWith(Fraction, { default: () => 0.1 }),
  /** Strangle shorts this far out of the money (seeds: 5%). */
  strangleWidth: Schema.optionalWith(Fraction, { default: () => 0.05 }),
  /** Long wings of the defined-risk variants, as a fraction of spot beyond the shorts. */
  wingWidth: Schema.optionalWith(Fraction, { default: () => 0.05 }),
});
export type EarningsCrushParams = typeof EarningsCrushParams.Type;

interface Shorts {
  readonly put: OptionQuote;
  readonly call: OptionQuote;
}

const mid = (q: OptionQuote) => 0.5 * (q.bid + q.ask);

/** Sells the event premium the release will crush: straddle/strangle, naked or with wings. */
export const decideEarningsCrush = (view: MarketView, p: EarningsCrushParams): Signal | null => {
  const release = nextEarnings(view.earnings, view.day);
  if (release === null) return null;
  const daysToEarnings = daysFromIso(release) - view.day;
  if (daysToEarnings < p.minDaysToEarnings || daysToEarnings > p.maxDaysToEarnings) return null;
  // Already reported (an after-close release seen at a later close): the crush is gone.
  if (view.lastEarnings?.date === release && view.lastEarnings.actualMove !== undefined) return null;
  const ivLevel = view.ivPercentile ?? view.ivRank;
  if (ivLevel === null || ivLevel < p.minIvPercentile) return null;

  const expiry = [...new Set(view.quotes.map((q) => q.expiry))]
    .filter((e) => e > release && dteOf(view, e) <= p.maxDte)
    .sort()[0];
  if (expiry === undefined) return null;
  const puts = sideOfChain(view, expiry, "put");
  const calls = sideOfChain(view, expiry, "call");
  const atmPut = nearestStrike(puts, view.spot);
  const atmCall = atmPut === null ? null : (calls.find((c) => c.strike === atmPut.strike) ?? null);
  if (atmPut === null || atmCall === null) return null;
  const expectedMove = (mid(atmPut) + mid(atmCall)) / view.spot;
  if (expectedMove > p.maxExpectedMove) return null;

  const straddle = p.variant === "straddle" || p.variant === "iron_butterfly";
  const shorts: Shorts | null = straddle
    ? { put: atmPut, call: atmCall }
    : pair(
        nearestStrike(puts, view.spot * (1 - p.strangleWidth)),
        nearestStrike(calls, view.spot * (1 + p.strangleWidth)),
      );
  if (shorts === null || shorts.put.bid <= 0 || shorts.call.bid <= 0) return null;
  const shortCredit = shorts.put.bid + shorts.call.bid;

  const defined = p.variant === "iron_condor" || p.variant === "iron_butterfly";
  let legs: Signal["legs"] = [legOf(shorts.put, "sell"), legOf(shorts.call, "sell")];
  let credit = round4(shortCredit);
  // Seeds' practical risk of naked sales: 2x the expected move (strangle), 3x the credit (straddle).
  let maxRisk = straddle ? 3 * credit : 2 * expectedMove * view.spot;
  if (defined) {
    const wing = p.wingWidth * view.spot;
    const lp = nearestStrike(
      puts.filter((q) => q.strike < shorts.put.strike),
      shorts.put.strike - wing,
    );
    const lc = nearestStrike(
      calls.filter((q) => q.strike > shorts.call.strike),
      shorts.call.strike + wing,
    );
    if (lp === null || lc === null) return null;
    credit = round4(shortCredit - lp.ask - lc.ask);
    const width = Math.max(shorts.put.strike - lp.strike, lc.strike - shorts.call.strike);
    maxRisk = width - credit;
    legs = [legOf(lp, "buy"), ...legs, legOf(lc, "buy")];
  }
  if (credit <= 0 || maxRisk <= 0) return null;
  const strategy = `earnings_${p.variant}`;
  // The thesis is the event premium, not the regime: rule confidence is the IV level, blended 60/40
  // with a model's probability when one scored the release (seeds: the earnings model's confidence).
  const rule = Math.min(ivLevel, 0.95);
  const modelP = modelProbability(view);
  const confidence = Math.min(modelP === null ? rule : 0.6 * rule + 0.4 * modelP, 0.98);
  return {
    kind: "Signal",
    eventTime: view.time,
    seq: 0,
    id: `${strategy}:${view.underlying}:${view.time}`,
    underlying: view.underlying,
    strategy,
    action: `sell_${p.variant}`,
    legs,
    sellStrike: shorts.call.strike,
    buyStrike: shorts.put.strike,
    expiration: expiry,
    dte: dteOf(view, expiry),
    creditOrDebit: credit,
    maxProfit: credit,
    maxRisk: round4(maxRisk),
    confidence,
    regime: view.regime ?? "neutral",
    ivRank: view.ivRank,
    features: {
      days_to_earnings: daysToEarnings,
      expected_move_pct: round4(expectedMove),
      iv_percentile_earnings: ivLevel,
      straddle_price: round4(mid(atmPut) + mid(atmCall)),
      call_iv: view.analytics(shorts.call)?.iv ?? null,
      put_iv: view.analytics(shorts.put)?.iv ?? null,
    },
    ...modelFields(view),
  };
};

const pair = (put: OptionQuote | null, call: OptionQuote | null): Shorts | null =>
  put === null || call === null || put.strike >= call.strike ? null : { put, call };

export const earningsCrush = defineStrategy({
  name: "earningsCrush",
  description: "Earnings IV crush: short straddle/strangle (naked or defined-risk) just before a release.",
  params: EarningsCrushParams,
  decide: decideEarningsCrush,
});
