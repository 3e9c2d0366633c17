import * as extremes from "./rollingExtremes.js";
import * as sma from "./sma.js";

/**
 * Stochastic oscillator: %K = 100·(close − lowest low) / (highest high − lowest low) over `period`
 * bars, %D = simple average of the last `signalPeriod` %K values.
 */
export interface Stochastic {
  readonly range: extremes.RollingExtremes;
  readonly d: sma.Sma;
  readonly k: number | null;
}

export interface StochasticValue {
  readonly k: number | null;
  readonly d: number | null;
}

export const init = (period = 14, signalPeriod = 3): Stochastic => ({
  range: extremes.init(period),
  d: sma.init(signalPeriod),
  k: null,
});

export const update = (s: Stochastic, high: number, low: number, close: number): Stochastic => {
  const range = extremes.update(s.range, high, low);
  const hh = extremes.max(range);
  const ll = extremes.min(range);
  if (hh === null || ll === null) return { range, d: s.d, k: null };
  // A flat range has no position inside it; 50 keeps %D defined instead of poisoning it with NaN.
  const k = hh > ll ? (100 * (close - ll)) / (hh - ll) : 50;
  return { range, d: sma.update(s.d, k), k };
};

export const value = (s: Stochastic): StochasticValue => ({ k: s.k, d: sma.value(s.d) });
