import { Schema } from "effect";
import { defineOperator, type Emitter } from "@thetaflow/core";
import type { IndexTick, UnderlyingTick, VolFeatures } from "@thetaflow/schemas";
import * as volIndex from "../vol/volIndexState.js";
import * as underlyingVol from "../vol/underlyingVolState.js";

export const VolatilityParams = Schema.Struct({
  /**
   * Actor key of this node. The volatility index (VIX) is shared by every underlying, so one actor
   * joins them; shard by giving each process's node its own partition name.
   */
  partition: Schema.optionalWith(Schema.String, { default: () => "market" }),
  /** Realised-vol windows in trading days. */
  windows: Schema.optionalWith(Schema.Array(Schema.Number.pipe(Schema.int(), Schema.greaterThan(1))), {
    default: () => [5, 10, 20, 60, 120],
  }),
  annualization: Schema.optionalWith(Schema.Number.pipe(Schema.positive()), { default: () => 252 }),
  /** Window (trading days) of IV rank/percentile, VIX rank/percentile and HV/IV percentile. */
  rankWindow: Schema.optionalWith(Schema.Number.pipe(Schema.int(), Schema.positive()), { default: () => 252 }),
  /** Observations needed before a rank is reported; the seeds' rolling(252) needs a full window. */
  rankMinPeriods: Schema.optionalWith(Schema.Number.pipe(Schema.int(), Schema.positive()), { default: () => 252 }),
  /** Symbol of the volatility index in IndexTick events. */
  volIndex: Schema.optionalWith(Schema.String, { default: () => "VIX" }),
  /** The IV that hv_iv_ratio divides by: the seeds use VIX/100; `atm_iv` uses the chain's own 30-day ATM IV. */
  hvIvReference: Schema.optionalWith(Schema.Literal("vol_index", "atm_iv"), { default: () => "vol_index" as const }),
  /** Realised-vol window (days) of hv_iv_ratio and hv_iv_spread. */
  hvWindow: Schema.optionalWith(Schema.Number.pipe(Schema.int(), Schema.greaterThan(1)), { default: () => 20 }),
  /** Window of vol_of_vol (std of the daily hvWindow realised vol) and iv_rank_std. */
  volOfVolWindow: Schema.optionalWith(Schema.Number.pipe(Schema.int(), Schema.greaterThan(1)), { default: () => 20 }),
});
export type VolatilityParams = typeof VolatilityParams.Type;

export interface VolatilityState {
  readonly index: volIndex.VolIndexState;
  readonly underlyings: Readonly<Record<string, underlyingVol.UnderlyingVolState>>;
}

/**
 * Daily volatility state per underlying: realised vol (close-to-close, Parkinson, Garman–Klass,
 * Yang–Zhang) over several windows, vol of vol, IV rank/percentile of the 30-day ATM IV, HV/IV ratio
 * and spread, and the volatility index's level, rank, percentile, changes and trend.
 *
 * Inputs: daily UnderlyingTick bars, the volatility index's IndexTick, and ivSurface's per-chain
 * VolFeatures. A decision for an underlying at time T is made when an event with a later time arrives
 * for it (or the input ends): its VolFeatures carries the chain summary of T merged with the values
 * above, computed from data up to T only (the index value used is the latest at or before T).
 */
export const volatility = defineOperator({
  name: "volatility",
  description: "Realised vol, vol of vol, IV/VIX rank and percentile, HV/IV ratio per underlying per decision day.",
  params: VolatilityParams,
  consumes: ["UnderlyingTick", "IndexTick", "VolFeatures"],
  produces: ["VolFeatures"],
  keyOf: (_e, params) => params.partition,
  init: (params): VolatilityState => ({ index: volIndex.init(params), underlyings: {} }),
  step: (state, event, out, params) => {
    if (event.kind === "IndexTick") return onIndex(state, event, params);
    const symbol = event.kind === "UnderlyingTick" ? event.symbol : event.underlying;
    const current = state.underlyings[symbol] ?? underlyingVol.init(params);
    if (event.eventTime < current.pendingTime) {
      throw new Error(`late ${event.kind} for ${symbol} at ${event.eventTime}: decision ${current.pendingTime} pending`);
    }
    let u = current;
    if (event.eventTime > u.pendingTime) u = decide(u, symbol, state.index, out, params);
    u = event.kind === "UnderlyingTick" ? underlyingVol.withBar(u, event.eventTime, barOf(event)) : underlyingVol.withChain(u, event.eventTime, event.values);
    return { index: state.index, underlyings: { ...state.underlyings, [symbol]: u } };
  },
  onEnd: (state, out, params) => {
    const underlyings: Record<string, underlyingVol.UnderlyingVolState> = {};
    for (const symbol of Object.keys(state.underlyings).sort()) {
      underlyings[symbol] = decide(state.underlyings[symbol]!, symbol, state.index, out, params);
    }
    return { index: state.index, underlyings };
  },
});

const onIndex = (state: VolatilityState, tick: IndexTick, params: VolatilityParams): VolatilityState =>
  tick.symbol === params.volIndex ? { index: volIndex.update(state.index, tick.eventTime, tick.value), underlyings: state.underlyings } : state;

const barOf = (t: UnderlyingTick) => ({ close: t.price, open: t.open, high: t.high, low: t.low });

const decide = (
  u: underlyingVol.UnderlyingVolState,
  symbol: string,
  index: volIndex.VolIndexState,
  out: Emitter<VolFeatures>,
  params: VolatilityParams,
): underlyingVol.UnderlyingVolState => {
  if (!underlyingVol.hasPending(u)) return u;
  const time = u.pendingTime;
  const { state, values } = underlyingVol.decide(u, volIndex.valuesAt(index, time), params);
  out.emit({ kind: "VolFeatures", eventTime: time, seq: 0, underlying: symbol, values });
  return state;
};
