import { defineOperator } from "@thetaflow/core";
import type { FeatureVector } from "@thetaflow/schemas";
import { Schema } from "effect";
import { nyDayNumber, nyIsoDate } from "../calendar/nyTime.js";
import * as price from "../vol/priceIndicators.js";

/** The indicator set is the seeds' catalog; its windows are fixed so feature names stay meaningful. */
export const IndicatorsParams = Schema.Struct({});
export type IndicatorsParams = typeof IndicatorsParams.Type;

export interface IndicatorsState {
  readonly lastTime: number;
  readonly indicators: price.PriceIndicators;
}

/**
 * Price, momentum and volume indicators of each underlying's daily bars (returns, RSI 14/28, MACD,
 * stochastic, ADX, SMA/EMA set, Bollinger, 52-week high/low distance, volume ratios, return shape).
 * Each UnderlyingTick is one completed daily bar: the indicators as of that bar are emitted at once,
 * as a partial FeatureVector the features operator assembles.
 */
export const indicators = defineOperator({
  name: "indicators",
  description:
    "Daily price/momentum/volume indicators per underlying (RSI, MACD, stochastic, ADX, SMA/EMA, Bollinger, ...).",
  params: IndicatorsParams,
  consumes: ["UnderlyingTick"],
  produces: ["FeatureVector"],
  keyOf: (e) => e.symbol,
  init: (): IndicatorsState => ({ lastTime: -1, indicators: price.init() }),
  step: (state, tick, out) => {
    if (tick.eventTime <= state.lastTime) {
      throw new Error(`bar at ${tick.eventTime} is not after the previous bar at ${state.lastTime}`);
    }
    const next = price.update(state.indicators, {
      day: nyDayNumber(tick.eventTime),
      close: tick.price,
      open: tick.open,
      high: tick.high,
      low: tick.low,
      volume: tick.volume,
    });
    const values = price.values(next);
    const fv: FeatureVector = {
      kind: "FeatureVector",
      eventTime: tick.eventTime,
      seq: 0,
      underlying: tick.symbol,
      date: nyIsoDate(tick.eventTime),
      values,
      missing: Object.keys(values).filter((k) => values[k] === null),
    };
    out.emit(fv);
    return { lastTime: tick.eventTime, indicators: next };
  },
});
