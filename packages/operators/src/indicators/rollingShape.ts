import * as ring from "./ring.js";

/**
 * Skewness and excess kurtosis of the last `period` values from running power sums. The sums are
 * taken around a fixed shift (the first value seen) so small values such as daily returns keep
 * their precision; sample-adjusted formulas match pandas' rolling skew() and kurt().
 */
export interface RollingShape {
  readonly window: ring.Ring;
  readonly shift: number;
  readonly s1: number;
  readonly s2: number;
  readonly s3: number;
  readonly s4: number;
}

export const init = (period: number): RollingShape => ({
  window: ring.init(period),
  shift: Number.NaN,
  s1: 0,
  s2: 0,
  s3: 0,
  s4: 0,
});

export const update = (s: RollingShape, x: number): RollingShape => {
  const shift = Number.isNaN(s.shift) ? x : s.shift;
  const d = x - shift;
  let { s1, s2, s3, s4 } = s;
  s1 += d;
  s2 += d * d;
  s3 += d * d * d;
  s4 += d * d * d * d;
  if (ring.isFull(s.window)) {
    const y = ring.evictee(s.window) - shift;
    s1 -= y;
    s2 -= y * y;
    s3 -= y * y * y;
    s4 -= y * y * y * y;
  }
  return { window: ring.push(s.window, x), shift, s1, s2, s3, s4 };
};

const central = (s: RollingShape) => {
  const n = s.window.size;
  const m1 = s.s1 / n;
  const m2 = s.s2 / n - m1 * m1;
  const m3 = s.s3 / n - 3 * m1 * (s.s2 / n) + 2 * m1 ** 3;
  const m4 = s.s4 / n - 4 * m1 * (s.s3 / n) + 6 * m1 * m1 * (s.s2 / n) - 3 * m1 ** 4;
  return { n, m2, m3, m4 };
};

/** Adjusted Fisher–Pearson skewness (pandas' skew), null before a full window or on a flat window. */
export const skew = (s: RollingShape): number | null => {
  if (!ring.isFull(s.window) || s.window.size < 3) return null;
  const { n, m2, m3 } = central(s);
  if (!(m2 > 0)) return null;
  return ((Math.sqrt(n * (n - 1)) / (n - 2)) * m3) / m2 ** 1.5;
};

/** Sample excess kurtosis (pandas' kurt), null before a full window or on a flat window. */
export const kurtosis = (s: RollingShape): number | null => {
  if (!ring.isFull(s.window) || s.window.size < 4) return null;
  const { n, m2, m4 } = central(s);
  if (!(m2 > 0)) return null;
  const g2 = m4 / (m2 * m2) - 3;
  return ((n - 1) / ((n - 2) * (n - 3))) * ((n + 1) * g2 + 6);
};
