/**
 * Wilder's Average Directional Index with +DI/−DI. True range and directional movements are smoothed
 * Wilder-style (first value = sum of the first `period`, then S ← S − S/period + x); DX =
 * 100·|+DI − −DI| / (+DI + −DI); ADX starts as the mean of the first `period` DX values, then
 * ADX ← (ADX·(period − 1) + DX) / period.
 */
export interface Adx {
  readonly period: number;
  readonly prevHigh: number;
  readonly prevLow: number;
  readonly prevClose: number;
  /** Bars with a previous bar (i.e. TR/DM values seen). */
  readonly moves: number;
  readonly tr: number;
  readonly plusDm: number;
  readonly minusDm: number;
  readonly dxCount: number;
  readonly adx: number;
  readonly plusDi: number | null;
  readonly minusDi: number | null;
}

export interface AdxValue {
  readonly adx: number | null;
  readonly plusDi: number | null;
  readonly minusDi: number | null;
}

export const init = (period = 14): Adx => ({
  period,
  prevHigh: Number.NaN,
  prevLow: Number.NaN,
  prevClose: Number.NaN,
  moves: 0,
  tr: 0,
  plusDm: 0,
  minusDm: 0,
  dxCount: 0,
  adx: 0,
  plusDi: null,
  minusDi: null,
});

export const update = (s: Adx, high: number, low: number, close: number): Adx => {
  if (Number.isNaN(s.prevClose)) return { ...s, prevHigh: high, prevLow: low, prevClose: close };
  const p = s.period;
  const tr = Math.max(high - low, Math.abs(high - s.prevClose), Math.abs(low - s.prevClose));
  const up = high - s.prevHigh;
  const down = s.prevLow - low;
  const plus = up > down && up > 0 ? up : 0;
  const minus = down > up && down > 0 ? down : 0;
  const moves = s.moves + 1;
  const smooth = (acc: number, x: number) => (moves <= p ? acc + x : acc - acc / p + x);
  const sTr = smooth(s.tr, tr);
  const sPlus = smooth(s.plusDm, plus);
  const sMinus = smooth(s.minusDm, minus);
  const base = {
    period: p,
    prevHigh: high,
    prevLow: low,
    prevClose: close,
    moves,
    tr: sTr,
    plusDm: sPlus,
    minusDm: sMinus,
  };
  if (moves < p) return { ...base, dxCount: 0, adx: 0, plusDi: null, minusDi: null };
  const plusDi = sTr > 0 ? (100 * sPlus) / sTr : 0;
  const minusDi = sTr > 0 ? (100 * sMinus) / sTr : 0;
  const diSum = plusDi + minusDi;
  const dx = diSum > 0 ? (100 * Math.abs(plusDi - minusDi)) / diSum : 0;
  const dxCount = s.dxCount + 1;
  let adx: number;
  if (dxCount < p) adx = s.adx + dx;
  else if (dxCount === p) adx = (s.adx + dx) / p;
  else adx = (s.adx * (p - 1) + dx) / p;
  return { ...base, dxCount, adx, plusDi, minusDi };
};

export const value = (s: Adx): AdxValue => ({
  adx: s.dxCount >= s.period ? s.adx : null,
  plusDi: s.plusDi,
  minusDi: s.minusDi,
});
