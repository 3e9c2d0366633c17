import { defineOperator } from "@thetaflow/core";
import type { Regime, RegimeName, RegimeTransition } from "@thetaflow/schemas";
import { Schema } from "effect";

const Level = Schema.Number.pipe(Schema.finite());
const Share = Schema.Number.pipe(Schema.between(0, 1));

/** The seeds' thresholds (architecture 2.2.2) as defaults. */
export const RegimeParams = Schema.Struct({
  lowVolMaxVix: Schema.optionalWith(Level, { default: () => 15 }),
  lowVolMaxVixRank: Schema.optionalWith(Share, { default: () => 0.3 }),
  highVolMinVix: Schema.optionalWith(Level, { default: () => 25 }),
  highVolMinVixRank: Schema.optionalWith(Share, { default: () => 0.8 }),
  expansionMinHvIv: Schema.optionalWith(Level, { default: () => 0.9 }),
  expansionMinVixRank: Schema.optionalWith(Share, { default: () => 0.5 }),
  contractionMaxHvIv: Schema.optionalWith(Level, { default: () => 0.6 }),
  contractionMaxVixRank: Schema.optionalWith(Share, { default: () => 0.5 }),
});
export type RegimeParams = typeof RegimeParams.Type;

export interface RegimeInputs {
  readonly vix: number | null;
  readonly vixRank: number | null;
  readonly hvIv: number | null;
}

// A missing input fails every comparison (as NaN does in the seeds' pandas code): rules needing it do not fire.
const lt = (a: number | null, b: number) => a !== null && a < b;
const gt = (a: number | null, b: number) => a !== null && a > b;

/** The seeds' rules, first match wins. */
export const classifyRegime = (x: RegimeInputs, p: RegimeParams): RegimeName => {
  if (lt(x.vix, p.lowVolMaxVix) && lt(x.vixRank, p.lowVolMaxVixRank)) return "low_vol";
  if (gt(x.vix, p.highVolMinVix) || gt(x.vixRank, p.highVolMinVixRank)) return "high_vol";
  if (gt(x.hvIv, p.expansionMinHvIv) && gt(x.vixRank, p.expansionMinVixRank)) return "iv_expansion";
  if (lt(x.hvIv, p.contractionMaxHvIv) && lt(x.vixRank, p.contractionMaxVixRank)) return "iv_contraction";
  return "neutral";
};

export interface RegimeState {
  readonly regime: RegimeName | null;
  readonly daysInRegime: number;
  readonly lastTime: number;
}

/**
 * Volatility regime per underlying per decision (low_vol, high_vol, iv_expansion, iv_contraction,
 * neutral) from the volatility operator's vix, vix_rank and hv_iv_ratio. Emits a Regime for every
 * decision and a RegimeTransition (with the previous regime and the days spent in it) when it changes.
 */
export const regime = defineOperator({
  name: "regime",
  description: "Volatility regime per decision with transition events; thresholds are parameters.",
  params: RegimeParams,
  consumes: ["VolFeatures"],
  produces: ["Regime", "RegimeTransition"],
  keyOf: (e) => e.underlying,
  init: (): RegimeState => ({ regime: null, daysInRegime: 0, lastTime: -1 }),
  step: (state, event, out, params) => {
    // Only the volatility operator's decisions carry the inputs; chain summaries pass through unclassified.
    if (!("hv_iv_ratio" in event.values)) return state;
    if (event.eventTime <= state.lastTime) {
      throw new Error(`regime input at ${event.eventTime} is not after the last decision ${state.lastTime}`);
    }
    const v = event.values;
    const vix = v.vix ?? null;
    const vixRank = v.vix_rank ?? null;
    const name = classifyRegime({ vix, vixRank, hvIv: v.hv_iv_ratio ?? null }, params);
    const changed = state.regime !== null && state.regime !== name;
    const daysInRegime = state.regime === name ? state.daysInRegime + 1 : 1;
    if (changed) {
      const t: RegimeTransition = {
        kind: "RegimeTransition",
        eventTime: event.eventTime,
        seq: 0,
        underlying: event.underlying,
        from: state.regime!,
        to: name,
        daysInPrevious: state.daysInRegime,
      };
      out.emit(t);
    }
    const r: Regime = {
      kind: "Regime",
      eventTime: event.eventTime,
      seq: 0,
      underlying: event.underlying,
      regime: name,
      daysInRegime,
      ivRank: v.iv_rank ?? null,
      vix,
    };
    out.emit(r);
    return { regime: name, daysInRegime, lastTime: event.eventTime };
  },
});
