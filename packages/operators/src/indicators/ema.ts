/**
 * Exponential moving average with α = 2 / (period + 1), seeded with the simple average of the first
 * `period` values (the TA-Lib / technicalindicators convention, so MACD values match theirs).
 */
export interface Ema {
  readonly period: number;
  readonly count: number;
  readonly seedSum: number;
  readonly value: number;
}

export const init = (period: number): Ema => ({ period, count: 0, seedSum: 0, value: Number.NaN });

export const update = (s: Ema, x: number): Ema => {
  const count = s.count + 1;
  if (count < s.period) return { period: s.period, count, seedSum: s.seedSum + x, value: Number.NaN };
  if (count === s.period) return { period: s.period, count, seedSum: 0, value: (s.seedSum + x) / s.period };
  const alpha = 2 / (s.period + 1);
  return { period: s.period, count, seedSum: 0, value: s.value + alpha * (x - s.value) };
};

export const ready = (s: Ema): boolean => s.count >= s.period;

export const value = (s: Ema): number | null => (ready(s) ? s.value : null);
