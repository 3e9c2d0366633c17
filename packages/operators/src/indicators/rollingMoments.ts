import * as ring from "./ring.js";

/**
 * Mean and variance of the last `period` values, updated in O(1) with the sliding form of Welford's
 * recurrence (add the new value, remove the evicted one) — numerically far better than Σx² − n·x̄²
 * on price levels, and never a pass over the window.
 */
export interface RollingMoments {
  readonly window: ring.Ring;
  readonly mean: number;
  /** Sum of squared deviations from the mean. */
  readonly m2: number;
}

export const init = (period: number): RollingMoments => ({ window: ring.init(period), mean: 0, m2: 0 });

export const update = (s: RollingMoments, x: number): RollingMoments => {
  let n = s.window.size;
  let mean = s.mean;
  let m2 = s.m2;
  if (ring.isFull(s.window)) {
    const y = ring.evictee(s.window);
    const nm1 = n - 1;
    if (nm1 === 0) {
      mean = 0;
      m2 = 0;
    } else {
      const meanOut = (mean * n - y) / nm1;
      m2 -= (y - mean) * (y - meanOut);
      mean = meanOut;
    }
    n = nm1;
  }
  const d = x - mean;
  mean += d / (n + 1);
  m2 += d * (x - mean);
  return { window: ring.push(s.window, x), mean, m2: Math.max(m2, 0) };
};

export const ready = (s: RollingMoments): boolean => ring.isFull(s.window);
export const count = (s: RollingMoments): number => s.window.size;

/** Mean over a full window, else null. */
export const mean = (s: RollingMoments): number | null => (ready(s) ? s.mean : null);

/** Sample variance (n − 1 denominator, as pandas' rolling std) over a full window, else null. */
export const sampleVariance = (s: RollingMoments): number | null =>
  ready(s) && s.window.size > 1 ? s.m2 / (s.window.size - 1) : null;

/** Population variance (n denominator, as Bollinger bands use) over a full window, else null. */
export const populationVariance = (s: RollingMoments): number | null =>
  ready(s) ? s.m2 / s.window.size : null;

export const sampleStd = (s: RollingMoments): number | null => {
  const v = sampleVariance(s);
  return v === null ? null : Math.sqrt(v);
};

export const populationStd = (s: RollingMoments): number | null => {
  const v = populationVariance(s);
  return v === null ? null : Math.sqrt(v);
};
