import type { OptionQuote, Signal } from "@thetaflow/schemas";
import { Schema } from "effect";
import { signalConfidence } from "./confidence.js";
import {
  dteOf,
  expiriesByPreference,
  legOf,
  type MarketView,
  modelFields,
  modelProbability,
  nearestDelta,
  nearestStrike,
  round4,
  sideOfChain,
  spreadPct,
} from "./marketView.js";
import { CommonStrategyParams, defineStrategy } from "./strategyOperator.js";

const Fraction = Schema.Number.pipe(Schema.between(0, 1));
const Days = Schema.Number.pipe(Schema.int(), Schema.nonNegative());

export const IvRankParams = Schema.Struct({
  ...CommonStrategyParams,
  /** Sell premium above this IV rank (seeds: 0.70). */
  sellThreshold: Schema.optionalWith(Fraction, { default: () => 0.7 }),
  /** Buy premium below this IV rank, only in iv_expansion / low_vol regimes (seeds: 0.30). */
  buyThreshold: Schema.optionalWith(Fraction, { default: () => 0.3 }),
  /** DTE window of the traded expiry (seeds: 3..7). */
  minDte: Schema.optionalWith(Days, { default: () => 3 }),
  maxDte: Schema.optionalWith(Days, { default: () => 7 }),
  /** Preferred DTE inside the window; defaults to its middle. */
  targetDte: Schema.optional(Days),
  /** |delta| of the sold put (seeds: 0.25) and of the bought call of a debit spread. */
  targetDelta: Schema.optionalWith(Fraction, { default: () => 0.25 }),
  debitDelta: Schema.optionalWith(Fraction, { default: () => 0.5 }),
  /** Distance between the two strikes in dollars (seeds: $5 or $10). */
  spreadWidth: Schema.optionalWith(Schema.Number.pipe(Schema.positive()), { default: () => 5 }),
});
export type IvRankParams = typeof IvRankParams.Type;

/** The protective strike: the listed one nearest `target`, strictly beyond the short strike. */
const wing = (quotes: readonly OptionQuote[], short: OptionQuote, target: number, below: boolean) =>
  nearestStrike(
    quotes.filter((q) => (below ? q.strike < short.strike : q.strike > short.strike)),
    target,
  );

const common = (view: MarketView, expiry: string) => ({
  kind: "Signal" as const,
  eventTime: view.time,
  seq: 0,
  underlying: view.underlying,
  expiration: expiry,
  dte: dteOf(view, expiry),
  regime: view.regime ?? ("neutral" as const),
  ivRank: view.ivRank,
  ...modelFields(view),
});

/** Put credit spread: sell the put nearest -targetDelta, buy the put one spread width lower. */
const sellPutSpread = (view: MarketView, p: IvRankParams, expiry: string, ivRank: number): Signal | null => {
  const puts = sideOfChain(view, expiry, "put");
  const short = nearestDelta(view, puts, -p.targetDelta);
  if (short === null || short.quote.bid <= 0) return null;
  const long = wing(puts, short.quote, short.quote.strike - p.spreadWidth, true);
  if (long === null) return null;
  // Conservative credit, as in the seeds: sell at the bid, buy at the ask.
  const credit = round4(short.quote.bid - long.ask);
  const width = short.quote.strike - long.strike;
  if (credit <= 0 || credit >= width) return null;
  const regime = view.regime!;
  return {
    ...common(view, expiry),
    id: `iv_rank_sell:${view.underlying}:${view.time}`,
    strategy: "iv_rank_sell",
    action: "sell_put_credit_spread",
    legs: [legOf(short.quote, "sell"), legOf(long, "buy")],
    sellStrike: short.quote.strike,
    buyStrike: long.strike,
    creditOrDebit: credit,
    maxProfit: credit,
    maxRisk: round4(width - credit),
    confidence: signalConfidence(ivRank, regime, "sell", modelProbability(view)),
    features: {
      sell_delta: round4(short.delta),
      sell_iv: view.analytics(short.quote)?.iv ?? null,
      spread_pct: spreadPct(short.quote),
      iv_rank: ivRank,
      spot: view.spot,
    },
  };
};

/** Call debit spread: buy the call nearest debitDelta, sell the call one spread width higher. */
const buyCallSpread = (view: MarketView, p: IvRankParams, expiry: string, ivRank: number): Signal | null => {
  const calls = sideOfChain(view, expiry, "call");
  const long = nearestDelta(view, calls, p.debitDelta);
  if (long === null) return null;
  const short = wing(calls, long.quote, long.quote.strike + p.spreadWidth, false);
  if (short === null || short.bid <= 0) return null;
  const debit = round4(long.quote.ask - short.bid);
  const width = short.strike - long.quote.strike;
  if (debit <= 0 || debit >= width) return null;
  const regime = view.regime!;
  return {
    ...common(view, expiry),
    id: `iv_rank_buy:${view.underlying}:${view.time}`,
    strategy: "iv_rank_buy",
    action: "buy_call_debit_spread",
    legs: [legOf(long.quote, "buy"), legOf(short, "sell")],
    sellStrike: short.strike,
    buyStrike: long.quote.strike,
    creditOrDebit: -debit,
    maxProfit: round4(width - debit),
    maxRisk: debit,
    confidence: signalConfidence(ivRank, regime, "buy", modelProbability(view)),
    features: {
      buy_delta: round4(long.delta),
      buy_iv: view.analytics(long.quote)?.iv ?? null,
      spread_pct: spreadPct(long.quote),
      iv_rank: ivRank,
      spot: view.spot,
    },
  };
};

/** Seeds' IVRankStrategy.generate_signal: no trade in neutral, sell rich premium, buy cheap premium. */
export const decideIvRank = (view: MarketView, p: IvRankParams): Signal | null => {
  const ivRank = view.ivRank;
  const regime = view.regime;
  if (ivRank === null || regime === null || regime === "neutral") return null;
  const sell = ivRank > p.sellThreshold;
  const buy = !sell && ivRank < p.buyThreshold && (regime === "iv_expansion" || regime === "low_vol");
  if (!sell && !buy) return null;
  const target = p.targetDte ?? Math.round((p.minDte + p.maxDte) / 2);
  for (const expiry of expiriesByPreference(view, p.minDte, p.maxDte, target)) {
    const signal = sell ? sellPutSpread(view, p, expiry, ivRank) : buyCallSpread(view, p, expiry, ivRank);
    if (signal !== null) return signal;
  }
  return null;
};

export const ivRankStrategy = defineStrategy({
  name: "ivRankStrategy",
  description:
    "IV-rank mean reversion: put credit spreads at high IV rank, call debit spreads at low IV rank in expansion/low-vol regimes.",
  params: IvRankParams,
  decide: decideIvRank,
});
