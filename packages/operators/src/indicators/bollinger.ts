import * as moments from "./rollingMoments.js";

/**
 * Bollinger bands: middle = SMA(period), bands = middle ± k·σ with the population σ of the same
 * window (Bollinger's own definition). %b = (close − lower) / (upper − lower); width = (upper − lower) / middle.
 */
export interface Bollinger {
  readonly k: number;
  readonly moments: moments.RollingMoments;
  readonly lastClose: number;
}

export interface BollingerValue {
  readonly upper: number;
  readonly middle: number;
  readonly lower: number;
  readonly percentB: number | null;
  readonly width: number;
}

export const init = (period = 20, k = 2): Bollinger => ({
  k,
  moments: moments.init(period),
  lastClose: Number.NaN,
});

export const update = (s: Bollinger, close: number): Bollinger => ({
  k: s.k,
  moments: moments.update(s.moments, close),
  lastClose: close,
});

export const value = (s: Bollinger): BollingerValue | null => {
  const middle = moments.mean(s.moments);
  const sd = moments.populationStd(s.moments);
  if (middle === null || sd === null) return null;
  const upper = middle + s.k * sd;
  const lower = middle - s.k * sd;
  return {
    upper,
    middle,
    lower,
    percentB: upper > lower ? (s.lastClose - lower) / (upper - lower) : null,
    width: (upper - lower) / middle,
  };
};
