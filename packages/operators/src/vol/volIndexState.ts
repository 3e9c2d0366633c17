import * as ring from "../indicators/ring.js";
import * as rank from "../indicators/rollingRank.js";
import * as sma from "../indicators/sma.js";

/** Daily features of a volatility index (VIX): level, 252-day rank and percentile, changes, trend. */
export interface VolIndexWindows {
  readonly rank: rank.RollingRank;
  readonly sma5: sma.Sma;
  readonly sma20: sma.Sma;
  /** Last 6 levels, for 1- and 5-day changes. */
  readonly levels: ring.Ring;
}

export interface VolIndexSnapshot {
  readonly time: number;
  readonly values: Readonly<Record<string, number | null>>;
}

export interface VolIndexState {
  /** Windows before the observation at `time` (kept so a corrected tick at the same time replaces it). */
  readonly base: VolIndexWindows;
  readonly current: VolIndexWindows;
  readonly time: number;
  /** Recent snapshots, oldest first: a decision at T reads the latest one at or before T. */
  readonly history: readonly VolIndexSnapshot[];
}

const HISTORY = 16;

export const init = (p: { rankWindow: number; rankMinPeriods: number }): VolIndexState => {
  const w: VolIndexWindows = {
    rank: rank.init(p.rankWindow, p.rankMinPeriods),
    sma5: sma.init(5),
    sma20: sma.init(20),
    levels: ring.init(6),
  };
  return { base: w, current: w, time: -1, history: [] };
};

const observe = (w: VolIndexWindows, level: number): VolIndexWindows => ({
  rank: rank.update(w.rank, level),
  sma5: sma.update(w.sma5, level),
  sma20: sma.update(w.sma20, level),
  levels: ring.push(w.levels, level),
});

const change = (levels: ring.Ring, days: number): number | null => {
  const now = ring.back(levels, 0);
  const then = ring.back(levels, days);
  return Number.isNaN(then) ? null : now - then;
};

const valuesOf = (w: VolIndexWindows): Record<string, number | null> => {
  const r = rank.value(w.rank);
  const s5 = sma.value(w.sma5);
  const s20 = sma.value(w.sma20);
  return {
    vix: ring.back(w.levels, 0),
    vix_rank: r?.rank ?? null,
    vix_percentile: r?.percentile ?? null,
    vix_change_1d: change(w.levels, 1),
    vix_change_5d: change(w.levels, 5),
    vix_sma5: s5,
    vix_sma20: s20,
    vix_trend: s5 !== null && s20 !== null ? s5 - s20 : null,
  };
};

export const update = (s: VolIndexState, time: number, level: number): VolIndexState => {
  if (time < s.time) throw new Error(`late index tick at ${time}: already at ${s.time}`);
  const base = time === s.time ? s.base : s.current;
  const current = observe(base, level);
  const snapshot = { time, values: valuesOf(current) };
  const kept = time === s.time ? s.history.slice(0, -1) : s.history;
  const history = [...kept.slice(Math.max(0, kept.length - HISTORY + 1)), snapshot];
  return { base, current, time, history };
};

/**
 * Index values as of `time`: the latest snapshot at or before it — null when there is none, or when
 * it is older than `maxAgeUs` (a feed that stopped must not look like a calm market).
 */
export const valuesAt = (
  s: VolIndexState,
  time: number,
  maxAgeUs: number,
): Readonly<Record<string, number | null>> | null => {
  for (let i = s.history.length - 1; i >= 0; i--) {
    const h = s.history[i]!;
    if (h.time <= time) return time - h.time <= maxAgeUs ? h.values : null;
  }
  return null;
};

export const INDEX_FEATURE_NAMES = [
  "vix",
  "vix_rank",
  "vix_percentile",
  "vix_change_1d",
  "vix_change_5d",
  "vix_sma5",
  "vix_sma20",
  "vix_trend",
] as const;
