import * as ring from "./ring.js";

/**
 * Where the newest value stands among the last `period` values (itself included):
 * - rank = (x − min) / (max − min), the "IV rank" convention;
 * - percentile = scipy's percentileofscore(kind="rank") / 100, the seeds' formula: the average of
 *   the strict and weak share of window values below x (ties averaged).
 * A sorted copy of the window is kept beside the ring, so an update is a binary search plus one
 * insertion and one removal instead of a pass over the history.
 */
export interface RollingRank {
  readonly window: ring.Ring;
  readonly sorted: Float64Array;
  readonly minPeriods: number;
}

export interface RankValue {
  readonly rank: number | null;
  readonly percentile: number;
}

export const init = (period: number, minPeriods = period): RollingRank => ({
  window: ring.init(period),
  sorted: new Float64Array(0),
  minPeriods: Math.min(Math.max(1, minPeriods), period),
});

/** First index whose value is >= x (lower bound). */
const lowerBound = (a: Float64Array, x: number): number => {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};

/** First index whose value is > x (upper bound). */
const upperBound = (a: Float64Array, x: number): number => {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};

export const update = (s: RollingRank, x: number): RollingRank => {
  if (!Number.isFinite(x)) throw new RangeError(`rolling rank needs finite values, got ${x}`);
  let sorted = s.sorted;
  if (ring.isFull(s.window)) {
    const out = ring.evictee(s.window);
    const at = lowerBound(sorted, out);
    const next = new Float64Array(sorted.length - 1);
    next.set(sorted.subarray(0, at), 0);
    next.set(sorted.subarray(at + 1), at);
    sorted = next;
  }
  const at = upperBound(sorted, x);
  const next = new Float64Array(sorted.length + 1);
  next.set(sorted.subarray(0, at), 0);
  next[at] = x;
  next.set(sorted.subarray(at), at + 1);
  return { window: ring.push(s.window, x), sorted: next, minPeriods: s.minPeriods };
};

export const count = (s: RollingRank): number => s.window.size;
export const ready = (s: RollingRank): boolean => s.window.size >= s.minPeriods;

/** Rank and percentile of the newest value, or null before `minPeriods` values. */
export const value = (s: RollingRank): RankValue | null => {
  if (!ready(s)) return null;
  const x = ring.back(s.window, 0);
  const a = s.sorted;
  const n = a.length;
  const lo = a[0]!;
  const hi = a[n - 1]!;
  const left = lowerBound(a, x);
  const right = upperBound(a, x);
  return {
    rank: hi > lo ? (x - lo) / (hi - lo) : null,
    percentile: (right + left + (right > left ? 1 : 0)) / (2 * n),
  };
};
