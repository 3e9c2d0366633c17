/**
 * Highest and lowest of the last `period` values with monotonic deques: each value enters and leaves
 * each deque once, so an update is amortised O(1) (plus the copy that keeps states immutable).
 */
export interface RollingExtremes {
  readonly period: number;
  /** Number of values seen so far. */
  readonly t: number;
  /** Decreasing values (front = max) and the step each was seen at. */
  readonly maxVals: readonly number[];
  readonly maxAt: readonly number[];
  /** Increasing values (front = min). */
  readonly minVals: readonly number[];
  readonly minAt: readonly number[];
}

export const init = (period: number): RollingExtremes => ({
  period,
  t: 0,
  maxVals: [],
  maxAt: [],
  minVals: [],
  minAt: [],
});

const slide = (
  vals: readonly number[],
  at: readonly number[],
  x: number,
  t: number,
  oldest: number,
  dominates: (kept: number, incoming: number) => boolean,
): [number[], number[]] => {
  let start = 0;
  while (start < at.length && at[start]! < oldest) start++;
  let end = vals.length;
  while (end > start && !dominates(vals[end - 1]!, x)) end--;
  const v = vals.slice(start, end);
  const a = at.slice(start, end);
  v.push(x);
  a.push(t);
  return [v, a];
};

/** `high` feeds the maximum and `low` the minimum (pass the same value twice for a single series). */
export const update = (s: RollingExtremes, high: number, low: number = high): RollingExtremes => {
  const t = s.t;
  const oldest = t - s.period + 1;
  const [maxVals, maxAt] = slide(s.maxVals, s.maxAt, high, t, oldest, (kept, x) => kept > x);
  const [minVals, minAt] = slide(s.minVals, s.minAt, low, t, oldest, (kept, x) => kept < x);
  return { period: s.period, t: t + 1, maxVals, maxAt, minVals, minAt };
};

export const ready = (s: RollingExtremes): boolean => s.t >= s.period;

/** Highest value of a full window, else null. */
export const max = (s: RollingExtremes): number | null => (ready(s) ? s.maxVals[0]! : null);
export const min = (s: RollingExtremes): number | null => (ready(s) ? s.minVals[0]! : null);

/** Extremes of whatever has been seen, even before the window is full (52-week high of a young series). */
export const maxSoFar = (s: RollingExtremes): number | null => (s.t > 0 ? s.maxVals[0]! : null);
export const minSoFar = (s: RollingExtremes): number | null => (s.t > 0 ? s.minVals[0]! : null);
