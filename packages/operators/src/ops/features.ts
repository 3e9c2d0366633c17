import { defineOperator, type Emitter } from "@thetaflow/core";
import type { FeatureVector, RegimeName } from "@thetaflow/schemas";
import { Schema } from "effect";
import { nyIsoDate } from "../calendar/nyTime.js";
import { FEATURE_CATALOG, REGIME_CODES } from "../features/catalog.js";
import * as ring from "../indicators/ring.js";

export const FeaturesParams = Schema.Struct({});
export type FeaturesParams = typeof FeaturesParams.Type;

type Values = Record<string, number | null>;

const MAX_PENDING = 4;

interface Pending {
  readonly time: number;
  /**
   * The value maps of the inputs of this decision, in arrival order (later keys win). Kept as the
   * events' own maps and merged once when the decision is emitted: merging on each arrival copied
   * the growing ~190-key map three times per decision.
   */
  readonly parts: readonly Readonly<Values>[];
  readonly hasVol: boolean;
  readonly regime: RegimeName | null;
  readonly daysInRegime: number | null;
}

export interface FeaturesState {
  /** Decisions being collected, oldest first (a later day's bar can arrive before today's volatility). */
  readonly pending: readonly Pending[];
  /** Time of the last decision emitted; anything at or before it is late. */
  readonly decided: number;
  /** Per-decision history for lags: iv_rank, rv_20, vix_rank (NaN = was missing). */
  readonly ivRank: ring.Ring;
  readonly rv20: ring.Ring;
  readonly vixRank: ring.Ring;
  readonly lastRegime: RegimeName | null;
  readonly lastOpenInterest: number | null;
  /** Decision days spent in each regime and exits from it, for the empirical transition hazard. */
  readonly regimeDays: Readonly<Record<string, number>>;
  readonly regimeExits: Readonly<Record<string, number>>;
}

const initial: FeaturesState = {
  pending: [],
  decided: -1,
  ivRank: ring.init(6),
  rv20: ring.init(6),
  vixRank: ring.init(6),
  lastRegime: null,
  lastOpenInterest: null,
  regimeDays: {},
  regimeExits: {},
};

/**
 * Assembles the model-ready FeatureVector of each underlying at each decision time from the
 * volatility, regime, indicators and temporal operators, adds the derived features (lags, crosses,
 * regime statistics) and lists every feature whose inputs were missing.
 *
 * The decision at T is emitted as soon as both the volatility decision and the regime of T have
 * arrived (indicators and temporal partials of T always come first: they are emitted on T's bar, the
 * volatility decision only once a later event closes T). Without a regime input it is emitted when the
 * next volatility decision arrives, and at the end of input in any case.
 */
export const features = defineOperator({
  name: "features",
  description:
    "Assembles the ~190-feature FeatureVector per underlying per decision, with an explicit missing mask.",
  params: FeaturesParams,
  consumes: ["VolFeatures", "Regime", "FeatureVector"],
  produces: ["FeatureVector"],
  keyOf: (e) => e.underlying,
  init: (): FeaturesState => initial,
  step: (state, event, out, _params, ctx) => {
    const t = event.eventTime;
    // Chain summaries straight from ivSurface are a subset of the volatility decision; take only the latter.
    if (event.kind === "VolFeatures" && !("hv_iv_ratio" in event.values)) return state;
    if (t <= state.decided)
      throw new Error(`late ${event.kind} at ${t}: decision ${state.decided} already emitted`);
    const at = state.pending.findIndex((p) => p.time >= t);
    const cur: Pending =
      at >= 0 && state.pending[at]!.time === t
        ? state.pending[at]!
        : { time: t, parts: [], hasVol: false, regime: null, daysInRegime: null };
    let next: Pending;
    switch (event.kind) {
      case "VolFeatures":
        next = { ...cur, parts: [...cur.parts, event.values], hasVol: true };
        break;
      case "FeatureVector":
        next = { ...cur, parts: [...cur.parts, event.values] };
        break;
      case "Regime":
        next = { ...cur, regime: event.regime, daysInRegime: event.daysInRegime };
        break;
    }
    const pending = [...state.pending.filter((p) => p.time !== t), next].sort((a, b) => a.time - b.time);
    let s: FeaturesState = { ...state, pending };
    // Without a volatility input nothing would ever close a decision: keep the backlog bounded.
    while (s.pending.length > MAX_PENDING) s = decide(s, ctx.key, out);
    if (event.kind === "FeatureVector") return s;
    // A volatility/regime event at T closes every earlier decision, and T itself once both halves are in.
    const complete = next.hasVol && next.regime !== null;
    while (s.pending.length > 0 && (s.pending[0]!.time < t || (complete && s.pending[0]!.time === t))) {
      s = decide(s, ctx.key, out);
    }
    return s;
  },
  onEnd: (state, out, _params, ctx) => {
    let s = state;
    while (s.pending.length > 0) s = decide(s, ctx.key, out);
    return s;
  },
});

const lag = (r: ring.Ring, steps: number): number | null => {
  const v = ring.back(r, steps);
  return Number.isNaN(v) ? null : v;
};

const num = (v: number | null | undefined): number => (v === null || v === undefined ? Number.NaN : v);

const product = (a: number | null | undefined, b: number | null | undefined): number | null =>
  a == null || b == null ? null : a * b;

/** Emits the oldest pending decision. */
const decide = (s: FeaturesState, underlying: string, out: Emitter<FeatureVector>): FeaturesState => {
  const p = s.pending[0]!;
  const v: Values = {};
  for (const part of p.parts) for (const k of Object.keys(part)) v[k] = part[k] as number | null;
  const regime = p.regime;
  const code = regime === null ? null : REGIME_CODES.indexOf(regime);
  v.regime = code;
  for (const r of REGIME_CODES) v[`regime_${r}`] = regime === null ? null : regime === r ? 1 : 0;
  v.days_in_current_regime = p.daysInRegime;

  const regimeDays =
    regime === null ? s.regimeDays : { ...s.regimeDays, [regime]: (s.regimeDays[regime] ?? 0) + 1 };
  const left = s.lastRegime !== null && regime !== null && regime !== s.lastRegime ? s.lastRegime : null;
  const regimeExits =
    left === null ? s.regimeExits : { ...s.regimeExits, [left]: (s.regimeExits[left] ?? 0) + 1 };
  v.regime_transition_probability = regime === null ? null : (regimeExits[regime] ?? 0) / regimeDays[regime]!;
  v.regime_lag1 = s.lastRegime === null ? null : REGIME_CODES.indexOf(s.lastRegime);
  v.regime_changed = regime === null ? null : left !== null ? 1 : 0;

  const ivRank = ring.push(s.ivRank, num(v.iv_rank));
  const rv20 = ring.push(s.rv20, num(v.rv_20));
  const vixRank = ring.push(s.vixRank, num(v.vix_rank));
  v.iv_rank_lag1 = lag(ivRank, 1);
  v.iv_rank_lag5 = lag(ivRank, 5);
  v.rv_20_lag1 = lag(rv20, 1);
  v.vix_rank_lag1 = lag(vixRank, 1);

  const oi = v.open_interest ?? null;
  v.oi_change_1d =
    oi !== null && s.lastOpenInterest !== null && s.lastOpenInterest > 0 ? oi / s.lastOpenInterest - 1 : null;
  v.iv_rank_x_hv_iv_ratio = product(v.iv_rank, v.hv_iv_ratio);
  v.delta_x_vega = product(v.atm_call_delta, v.atm_call_vega);
  v.volume_ratio_x_momentum = product(v.volume_ratio, v.returns_5d);
  v.iv_atm_minus_rv_20 = v.iv_atm != null && v.rv_20 != null ? v.iv_atm - v.rv_20 : null;
  v.earnings_implied_move = v.expected_move_front_pct ?? null;
  const hist = v.earnings_actual_move_avg;
  v.implied_vs_historical_move =
    v.earnings_implied_move != null && hist != null && hist > 0 ? v.earnings_implied_move / hist : null;

  const values: Values = {};
  const missing: string[] = [];
  for (const f of FEATURE_CATALOG) {
    const x = v[f.name];
    const value = x === undefined || x === null || !Number.isFinite(x) ? null : x;
    values[f.name] = value;
    if (value === null) missing.push(f.name);
  }
  out.emit({
    kind: "FeatureVector",
    eventTime: p.time,
    seq: 0,
    underlying,
    date: nyIsoDate(p.time),
    values,
    missing,
  });
  return {
    pending: s.pending.slice(1),
    decided: p.time,
    ivRank,
    rv20,
    vixRank,
    lastRegime: regime ?? s.lastRegime,
    lastOpenInterest: oi ?? s.lastOpenInterest,
    regimeDays,
    regimeExits,
  };
};
