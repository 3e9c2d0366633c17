import * as rv from "../indicators/realizedVol.js";
import * as ring from "../indicators/ring.js";
import * as moments from "../indicators/rollingMoments.js";
import * as rank from "../indicators/rollingRank.js";

type Values = Record<string, number | null>;

export interface UnderlyingVolParams {
  readonly windows: readonly number[];
  readonly annualization: number;
  readonly rankWindow: number;
  readonly rankMinPeriods: number;
  readonly hvIvReference: "vol_index" | "atm_iv";
  readonly hvWindow: number;
  readonly volOfVolWindow: number;
}

/** One underlying's volatility windows. */
export interface UnderlyingVolState {
  /** Event time of the last decision, −1 before the first. */
  readonly lastTime: number;
  /** One estimator set per window, in `windowsOf(params)` order. */
  readonly rv: readonly rv.RealizedVol[];
  readonly hvHistory: moments.RollingMoments;
  readonly ivRank: rank.RollingRank;
  readonly hvIvRank: rank.RollingRank;
  readonly ivRankHistory: moments.RollingMoments;
  /** Last 6 decision-day ATM IVs (days without one are skipped), for 1- and 5-day changes. */
  readonly ivLevels: ring.Ring;
}

/** Realised-vol windows reported, always including the one hv_iv_ratio uses. */
export const windowsOf = (p: UnderlyingVolParams): number[] =>
  [...new Set([...p.windows, p.hvWindow])].sort((a, b) => a - b);

export const init = (p: UnderlyingVolParams): UnderlyingVolState => ({
  lastTime: -1,
  rv: windowsOf(p).map((n) => rv.init(n, p.annualization)),
  hvHistory: moments.init(p.volOfVolWindow),
  ivRank: rank.init(p.rankWindow, p.rankMinPeriods),
  hvIvRank: rank.init(p.rankWindow, p.rankMinPeriods),
  ivRankHistory: moments.init(p.volOfVolWindow),
  ivLevels: ring.init(6),
});

/** The daily bar ivSurface folds into its snapshot (bar_* values), or null when the day had none. */
export const barOf = (snapshot: Readonly<Values>): rv.Bar | null => {
  const close = snapshot.bar_close;
  if (close == null) return null;
  return {
    close,
    open: snapshot.bar_open ?? undefined,
    high: snapshot.bar_high ?? undefined,
    low: snapshot.bar_low ?? undefined,
  };
};

const div = (a: number | null | undefined, b: number | null | undefined): number | null =>
  a == null || b == null || b === 0 ? null : a / b;

const ivChange = (levels: ring.Ring, days: number): number | null => {
  const then = ring.back(levels, days);
  return Number.isNaN(then) ? null : ring.back(levels, 0) - then;
};

/**
 * Makes the decision at `time`: folds the day's snapshot (bar and chain summary) into the windows and
 * returns the values as of that time, merged over the snapshot and the volatility index values.
 */
export const decide = (
  s: UnderlyingVolState,
  time: number,
  chain: Readonly<Values>,
  index: Readonly<Values> | null,
  p: UnderlyingVolParams,
): { state: UnderlyingVolState; values: Values } => {
  const bar = barOf(chain);
  const windows = windowsOf(p);
  const estimators = bar === null ? s.rv : s.rv.map((e) => rv.update(e, bar));
  const values: Values = { ...chain };
  for (const name of INDEX_NAMES) values[name] = index?.[name] ?? null;

  let hv: number | null = null;
  windows.forEach((n, i) => {
    const v = rv.value(estimators[i]!);
    values[`rv_${n}`] = v.closeToClose;
    values[`rv_parkinson_${n}`] = v.parkinson;
    values[`rv_gk_${n}`] = v.garmanKlass;
    values[`rv_yz_${n}`] = v.yangZhang;
    if (n === p.hvWindow) hv = v.closeToClose;
  });
  values.rv_ratio_20_60 = div(values.rv_20, values.rv_60);
  values.rv_ratio_5_20 = div(values.rv_5, values.rv_20);

  const hvHistory = bar !== null && hv !== null ? moments.update(s.hvHistory, hv) : s.hvHistory;
  values.vol_of_vol = moments.sampleStd(hvHistory);

  const iv = chain.iv_atm ?? null;
  const ivRank = iv === null ? s.ivRank : rank.update(s.ivRank, iv);
  const ivLevels = iv === null ? s.ivLevels : ring.push(s.ivLevels, iv);
  const r = iv === null ? null : rank.value(ivRank);
  values.iv_rank = r?.rank ?? null;
  values.iv_percentile = r?.percentile ?? null;
  values.iv_atm_change_1d = iv === null ? null : ivChange(ivLevels, 1);
  values.iv_atm_change_5d = iv === null ? null : ivChange(ivLevels, 5);
  const ivRankHistory =
    values.iv_rank === null ? s.ivRankHistory : moments.update(s.ivRankHistory, values.iv_rank);
  values.iv_rank_std_20 = values.iv_rank === null ? null : moments.sampleStd(ivRankHistory);

  const vix = index?.vix ?? null;
  const reference = p.hvIvReference === "vol_index" ? (vix === null ? null : vix / 100) : iv;
  values.hv_iv_ratio = div(hv, reference);
  values.hv_iv_spread = hv !== null && reference !== null ? hv - reference : null;
  values.hv_iv_ratio_atm = div(hv, iv);
  values.hv_iv_ratio_10 = div(values.rv_10, reference);
  values.hv_iv_ratio_60 = div(values.rv_60, reference);
  values.vix_hv_iv_ratio = div(hv, vix === null ? null : vix / 100);
  const hvIvRank = values.hv_iv_ratio === null ? s.hvIvRank : rank.update(s.hvIvRank, values.hv_iv_ratio);
  values.hv_iv_percentile = values.hv_iv_ratio === null ? null : (rank.value(hvIvRank)?.percentile ?? null);

  return {
    state: {
      lastTime: time,
      rv: estimators,
      hvHistory,
      ivRank,
      hvIvRank,
      ivRankHistory,
      ivLevels,
    },
    values,
  };
};

const INDEX_NAMES = [
  "vix",
  "vix_rank",
  "vix_percentile",
  "vix_change_1d",
  "vix_change_5d",
  "vix_trend",
] as const;
