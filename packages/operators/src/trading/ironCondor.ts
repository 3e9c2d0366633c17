import { RegimeName, type Signal } from "@thetaflow/schemas";
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
} from "./marketView.js";
import { CommonStrategyParams, defineStrategy } from "./strategyOperator.js";

const Fraction = Schema.Number.pipe(Schema.between(0, 1));
const Days = Schema.Number.pipe(Schema.int(), Schema.nonNegative());

export const IronCondorParams = Schema.Struct({
  ...CommonStrategyParams,
  /** Only sell the condor when IV rank is above this (the roadmap's "neutral, high IV"). */
  minIvRank: Schema.optionalWith(Fraction, { default: () => 0.5 }),
  /** Regimes in which a range-bound, short-vega trade is acceptable. */
  regimes: Schema.optionalWith(Schema.Array(RegimeName), {
    default: () => ["high_vol", "iv_contraction", "low_vol"] as const,
  }),
  minDte: Schema.optionalWith(Days, { default: () => 20 }),
  maxDte: Schema.optionalWith(Days, { default: () => 45 }),
  targetDte: Schema.optional(Days),
  /** |delta| of both short strikes. */
  shortDelta: Schema.optionalWith(Fraction, { default: () => 0.16 }),
  /** Wing width in dollars on each side. */
  wingWidth: Schema.optionalWith(Schema.Number.pipe(Schema.positive()), { default: () => 5 }),
});
export type IronCondorParams = typeof IronCondorParams.Type;

/** Short put + short call near ±shortDelta, each protected one wing width further out. */
export const decideIronCondor = (view: MarketView, p: IronCondorParams): Signal | null => {
  const { ivRank, regime } = view;
  if (ivRank === null || regime === null || ivRank <= p.minIvRank || !p.regimes.includes(regime)) return null;
  const target = p.targetDte ?? Math.round((p.minDte + p.maxDte) / 2);
  for (const expiry of expiriesByPreference(view, p.minDte, p.maxDte, target)) {
    const puts = sideOfChain(view, expiry, "put");
    const calls = sideOfChain(view, expiry, "call");
    const shortPut = nearestDelta(view, puts, -p.shortDelta);
    const shortCall = nearestDelta(view, calls, p.shortDelta);
    if (shortPut === null || shortCall === null) continue;
    const sp = shortPut.quote;
    const sc = shortCall.quote;
    if (sp.strike >= sc.strike || sp.bid <= 0 || sc.bid <= 0) continue;
    const lp = nearestStrike(
      puts.filter((q) => q.strike < sp.strike),
      sp.strike - p.wingWidth,
    );
    const lc = nearestStrike(
      calls.filter((q) => q.strike > sc.strike),
      sc.strike + p.wingWidth,
    );
    if (lp === null || lc === null) continue;
    const credit = round4(sp.bid + sc.bid - lp.ask - lc.ask);
    const width = Math.max(sp.strike - lp.strike, lc.strike - sc.strike);
    if (credit <= 0 || credit >= width) continue;
    return {
      kind: "Signal",
      eventTime: view.time,
      seq: 0,
      id: `iron_condor:${view.underlying}:${view.time}`,
      underlying: view.underlying,
      strategy: "iron_condor",
      action: "sell_iron_condor",
      legs: [legOf(lp, "buy"), legOf(sp, "sell"), legOf(sc, "sell"), legOf(lc, "buy")],
      // The seeds' two strike fields: the short put and the short call.
      sellStrike: sp.strike,
      buyStrike: sc.strike,
      expiration: expiry,
      dte: dteOf(view, expiry),
      creditOrDebit: credit,
      maxProfit: credit,
      maxRisk: round4(width - credit),
      confidence: signalConfidence(ivRank, regime, "sell", modelProbability(view)),
      regime,
      ivRank,
      features: {
        short_put_delta: round4(shortPut.delta),
        short_call_delta: round4(shortCall.delta),
        iv_rank: ivRank,
        spot: view.spot,
      },
      ...modelFields(view),
    };
  }
  return null;
};

export const ironCondor = defineStrategy({
  name: "ironCondor",
  description:
    "Iron condor: short ±delta strangle with protective wings when IV rank is high in a range-bound regime.",
  params: IronCondorParams,
  decide: decideIronCondor,
});
