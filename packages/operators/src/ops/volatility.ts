import { defineOperator } from "@thetaflow/core";
import type { IndexTick } from "@thetaflow/schemas";
import { Schema } from "effect";
import { US_PER_DAY } from "../calendar/nyTime.js";
import * as underlyingVol from "../vol/underlyingVolState.js";
import * as volIndex from "../vol/volIndexState.js";

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
  rankWindow: Schema.optionalWith(Schema.Number.pipe(Schema.int(), Schema.positive()), {
    default: () => 252,
  }),
  /** Observations needed before a rank is reported; the seeds' rolling(252) needs a full window. */
  rankMinPeriods: Schema.optionalWith(Schema.Number.pipe(Schema.int(), Schema.positive()), {
    default: () => 252,
  }),
  /** Symbol of the volatility index in IndexTick events. */
  volIndex: Schema.optionalWith(Schema.String, { default: () => "VIX" }),
  /** Index values older than this (calendar days) at a decision count as missing. */
  volIndexMaxAgeDays: Schema.optionalWith(Schema.Number.pipe(Schema.nonNegative()), { default: () => 5 }),
  /** The IV that hv_iv_ratio divides by: the seeds use VIX/100; `atm_iv` uses the chain's own 30-day ATM IV. */
  hvIvReference: Schema.optionalWith(Schema.Literal("vol_index", "atm_iv"), {
    default: () => "vol_index" as const,
  }),
  /** Realised-vol window (days) of hv_iv_ratio and hv_iv_spread. */
  hvWindow: Schema.optionalWith(Schema.Number.pipe(Schema.int(), Schema.greaterThan(1)), {
    default: () => 20,
  }),
  /** Window of vol_of_vol (std of the daily hvWindow realised vol) and iv_rank_std. */
  volOfVolWindow: Schema.optionalWith(Schema.Number.pipe(Schema.int(), Schema.greaterThan(1)), {
    default: () => 20,
  }),
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
 * Inputs: the volatility index's IndexTick and ivSurface's daily snapshots (VolFeatures with the
 * day's bar and chain summary). ivSurface emits a snapshot only once the day is complete, so each one
 * is a decision: the output VolFeatures carries the snapshot merged with the values above, computed
 * from data up to its time only — the index value used is the latest at or before it, even when a
 * later index tick has already arrived.
 */
export const volatility = defineOperator({
  name: "volatility",
  description:
    "Realised vol, vol of vol, IV/VIX rank and percentile, HV/IV ratio per underlying per decision day.",
  params: VolatilityParams,
  consumes: ["IndexTick", "VolFeatures"],
  produces: ["VolFeatures"],
  keyOf: (_e, params) => params.partition,
  init: (params): VolatilityState => ({ index: volIndex.init(params), underlyings: {} }),
  step: (state, event, out, params) => {
    if (event.kind === "IndexTick") return onIndex(state, event, params);
    // Only ivSurface snapshots carry a day's bar; our own decisions (if looped back) are not inputs.
    if (!("bar_close" in event.values)) return state;
    const symbol = event.underlying;
    const current = state.underlyings[symbol] ?? underlyingVol.init(params);
    if (event.eventTime <= current.lastTime) {
      throw new Error(
        `late snapshot for ${symbol} at ${event.eventTime}: already decided ${current.lastTime}`,
      );
    }
    const time = event.eventTime;
    const { state: u, values } = underlyingVol.decide(
      current,
      time,
      event.values,
      volIndex.valuesAt(state.index, time, params.volIndexMaxAgeDays * US_PER_DAY),
      params,
    );
    out.emit({ kind: "VolFeatures", eventTime: time, seq: 0, underlying: symbol, values });
    return { index: state.index, underlyings: { ...state.underlyings, [symbol]: u } };
  },
});

const onIndex = (state: VolatilityState, tick: IndexTick, params: VolatilityParams): VolatilityState =>
  tick.symbol === params.volIndex
    ? { index: volIndex.update(state.index, tick.eventTime, tick.value), underlyings: state.underlyings }
    : state;
