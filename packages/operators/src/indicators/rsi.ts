/**
 * Wilder's Relative Strength Index. The first average gain/loss is the simple mean of the first
 * `period` changes; after that each is smoothed as avg ← (avg·(period − 1) + x) / period.
 * RSI = 100 − 100 / (1 + avgGain / avgLoss); 100 when there were no losses.
 */
export interface Rsi {
  readonly period: number;
  readonly lastClose: number;
  readonly changes: number;
  readonly avgGain: number;
  readonly avgLoss: number;
}

export const init = (period: number): Rsi => ({
  period,
  lastClose: Number.NaN,
  changes: 0,
  avgGain: 0,
  avgLoss: 0,
});

export const update = (s: Rsi, close: number): Rsi => {
  if (Number.isNaN(s.lastClose)) return { ...s, lastClose: close };
  const change = close - s.lastClose;
  const gain = Math.max(change, 0);
  const loss = Math.max(-change, 0);
  const changes = s.changes + 1;
  const p = s.period;
  if (changes <= p) {
    // Accumulate sums until the seed average is complete.
    const sumGain = s.avgGain + gain;
    const sumLoss = s.avgLoss + loss;
    return changes === p
      ? { period: p, lastClose: close, changes, avgGain: sumGain / p, avgLoss: sumLoss / p }
      : { period: p, lastClose: close, changes, avgGain: sumGain, avgLoss: sumLoss };
  }
  return {
    period: p,
    lastClose: close,
    changes,
    avgGain: (s.avgGain * (p - 1) + gain) / p,
    avgLoss: (s.avgLoss * (p - 1) + loss) / p,
  };
};

export const ready = (s: Rsi): boolean => s.changes >= s.period;

export const value = (s: Rsi): number | null => {
  if (!ready(s)) return null;
  if (s.avgLoss === 0) return s.avgGain === 0 ? 50 : 100;
  return 100 - 100 / (1 + s.avgGain / s.avgLoss);
};
