import { defineOperator, type OperatorDefinition } from "@thetaflow/core";
import type {
  EarningsEvent,
  FeatureVector,
  Greeks,
  ModelScore,
  OptionQuote,
  RegimeName,
  Signal,
  UnderlyingTick,
  VolFeatures,
} from "@thetaflow/schemas";
import { Schema } from "effect";
import { buildMarketView, contractKey, type MarketView } from "./marketView.js";
import { appendToSnapshot, emptySnapshot, type SnapshotView } from "./snapshotLog.js";
import { addEarnings, type EarningsCalendar } from "./tickerContext.js";
import { noValue, pushTimed, type Timed, valueAsOf } from "./timed.js";

export type StrategyInput =
  | "UnderlyingTick"
  | "OptionQuote"
  | "Greeks"
  | "VolFeatures"
  | "Regime"
  | "ModelScore"
  | "FeatureVector"
  | "EarningsEvent";

const strategyInputs: readonly StrategyInput[] = [
  "UnderlyingTick",
  "OptionQuote",
  "Greeks",
  "VolFeatures",
  "Regime",
  "ModelScore",
  "FeatureVector",
  "EarningsEvent",
];

/** Parameters every strategy shares. */
export const CommonStrategyParams = {
  /** Flat rate for Greeks computed here when no `greeks` node feeds the strategy. */
  rate: Schema.optionalWith(Schema.Number.pipe(Schema.finite()), { default: () => 0.03 }),
} as const;

export interface StrategyState {
  readonly spot: Timed<{ price: number; divYield: number }>;
  readonly chain: SnapshotView<OptionQuote>;
  readonly greeks: SnapshotView<Greeks>;
  readonly vol: Timed<Readonly<Record<string, number | null>>>;
  readonly featureVector: Timed<Readonly<Record<string, number | null>>>;
  readonly regime: Timed<{ name: RegimeName; ivRank: number | null }>;
  readonly model: Timed<ModelScore>;
  readonly earnings: EarningsCalendar;
  readonly lastEarnings: EarningsEvent | null;
}

const initial = (): StrategyState => ({
  spot: noValue,
  chain: emptySnapshot(-1),
  greeks: emptySnapshot(-1),
  vol: noValue,
  featureVector: noValue,
  regime: noValue,
  model: noValue,
  earnings: [],
  lastEarnings: null,
});

/** The per-quote and per-Greeks update as a literal in StrategyState's order (see tradingBook's withSnapshots). */
const withSnapshots = (
  s: StrategyState,
  chain: SnapshotView<OptionQuote>,
  greeks: SnapshotView<Greeks>,
): StrategyState => ({
  spot: s.spot,
  chain,
  greeks,
  vol: s.vol,
  featureVector: s.featureVector,
  regime: s.regime,
  model: s.model,
  earnings: s.earnings,
  lastEarnings: s.lastEarnings,
});

/** IV rank arrives as a fraction (0..1) from our operators; accept percent (0..100) from elsewhere. */
export const asFraction = (x: number | null | undefined): number | null =>
  x === null || x === undefined || !Number.isFinite(x) ? null : x > 1 ? x / 100 : x;

const viewOf = (s: StrategyState, underlying: string, rate: number): MarketView | null => {
  const time = s.chain.log.time;
  const spot = valueAsOf(s.spot, time);
  if (spot === null || s.chain.length === 0) return null;
  const vol = valueAsOf(s.vol, time) ?? {};
  const fv = valueAsOf(s.featureVector, time) ?? {};
  const regime = valueAsOf(s.regime, time);
  return buildMarketView({
    underlying,
    time,
    spot: spot.price,
    divYield: spot.divYield,
    rate,
    chain: s.chain,
    greeks: s.greeks,
    ivRank: asFraction(vol.iv_rank) ?? asFraction(regime?.ivRank),
    ivPercentile: asFraction(vol.iv_percentile),
    regime: regime?.name ?? null,
    model: valueAsOf(s.model, time),
    features: { ...fv, ...vol },
    earnings: s.earnings,
    lastEarnings: s.lastEarnings,
  });
};

type Decide<P> = (view: MarketView, params: P) => Signal | null;

/**
 * A strategy as an operator keyed by underlying. Quotes of one snapshot (same event time) are
 * collected; the decision about that snapshot is taken when the next snapshot's first quote arrives
 * (or the input ends), because only then is the chain known to be complete. Every other input is read
 * as of the snapshot time.
 */
export const defineStrategy = <P extends { readonly rate: number }>(def: {
  readonly name: string;
  readonly description: string;
  // biome-ignore lint/suspicious/noExplicitAny: the encoded side is free, as in OperatorDefinition.params
  readonly params: Schema.Schema<P, any, never>;
  readonly decide: Decide<P>;
}): OperatorDefinition<P, StrategyState, StrategyInput, Signal> =>
  defineOperator({
    name: def.name,
    description: def.description,
    params: def.params,
    consumes: strategyInputs,
    produces: ["Signal"],
    keyOf: (e) => (e.kind === "UnderlyingTick" || e.kind === "EarningsEvent" ? e.symbol : e.underlying),
    init: initial,
    step: (state, event, out, params, ctx) => {
      switch (event.kind) {
        case "OptionQuote": {
          let chain = state.chain;
          if (event.eventTime > chain.log.time) {
            if (chain.length > 0) decideOn(state, ctx.key, params, def.decide, out);
            chain = emptySnapshot(event.eventTime);
          }
          return withSnapshots(state, appendToSnapshot(chain, event.contract, event), state.greeks);
        }
        case "Greeks": {
          const g =
            state.greeks.log.time === event.eventTime ? state.greeks : emptySnapshot<Greeks>(event.eventTime);
          return withSnapshots(state, state.chain, appendToSnapshot(g, contractKey(event), event));
        }
        case "UnderlyingTick":
          return { ...state, spot: pushTimed(state.spot, event.eventTime, tickSpot(event, state)) };
        case "VolFeatures":
          return { ...state, vol: pushTimed(state.vol, event.eventTime, (event as VolFeatures).values) };
        case "FeatureVector":
          return {
            ...state,
            featureVector: pushTimed(state.featureVector, event.eventTime, (event as FeatureVector).values),
          };
        case "Regime":
          return {
            ...state,
            regime: pushTimed(state.regime, event.eventTime, { name: event.regime, ivRank: event.ivRank }),
          };
        case "ModelScore":
          return { ...state, model: pushTimed(state.model, event.eventTime, event) };
        case "EarningsEvent":
          return { ...state, earnings: addEarnings(state.earnings, event), lastEarnings: event };
      }
    },
    onEnd: (state, out, params, ctx) => {
      if (state.chain.length > 0) decideOn(state, ctx.key, params, def.decide, out);
      return state;
    },
  });

const tickSpot = (t: UnderlyingTick, s: StrategyState) => ({
  price: t.price,
  divYield: t.dividendYield ?? s.spot.latest?.value.divYield ?? 0,
});

const decideOn = <P extends { readonly rate: number }>(
  s: StrategyState,
  underlying: string,
  params: P,
  decide: Decide<P>,
  out: { emit(e: Signal): void },
): void => {
  const view = viewOf(s, underlying, params.rate);
  if (view === null) return;
  const signal = decide(view, params);
  if (signal !== null) out.emit(signal);
};
