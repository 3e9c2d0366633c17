import * as ring from "./ring.js";

/**
 * Where the newest value stands among the last `period` values (itself included):
 * - rank = (x − min) / (max − min), the "IV rank" convention;
 * - percentile = scipy's percentileofscore(kind="rank") / 100, the seeds' formula: the average of
 *   the strict and weak share of window values below x (ties averaged).
 * A sorted copy of the window is kept beside the ring, so an update is two binary searches and one
 * copy (removal and insertion together) instead of a pass over the history.
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
  const sorted = s.sorted;
  const window = ring.push(s.window, x);
  // x goes after every value <= x; counted in the array before the eviction, so one copy does both.
  const ins = upperBound(sorted, x);
  if (!ring.isFull(s.window)) {
    const next = new Float64Array(sorted.length + 1);
    next.set(sorted.subarray(0, ins), 0);
    next[ins] = x;
    next.set(sorted.subarray(ins), ins + 1);
    return { window, sorted: next, minPeriods: s.minPeriods };
  }
  const out = lowerBound(sorted, ring.evictee(s.window));
  const next = new Float64Array(sorted.length);
  if (out < ins) {
    // The evicted value was <= x: x lands one slot lower than in the array that still holds it.
    next.set(sorted.subarray(0, out), 0);
    next.set(sorted.subarray(out + 1, ins), out);
    next[ins - 1] = x;
    next.set(sorted.subarray(ins), ins);
  } else {
    next.set(sorted.subarray(0, ins), 0);
    next[ins] = x;
    next.set(sorted.subarray(ins, out), ins + 1);
    next.set(sorted.subarray(out + 1), out + 1);
  }
  return { window, sorted: next, minPeriods: s.minPeriods };
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
