import * as ema from "./ema.js";

/** MACD line = EMA(fast) − EMA(slow); signal = EMA(signalPeriod) of the MACD line; histogram = MACD − signal. */
export interface Macd {
  readonly fast: ema.Ema;
  readonly slow: ema.Ema;
  readonly signal: ema.Ema;
}

export interface MacdValue {
  readonly macd: number | null;
  readonly signal: number | null;
  readonly histogram: number | null;
}

export const init = (fastPeriod = 12, slowPeriod = 26, signalPeriod = 9): Macd => ({
  fast: ema.init(fastPeriod),
  slow: ema.init(slowPeriod),
  signal: ema.init(signalPeriod),
});

export const update = (s: Macd, close: number): Macd => {
  const fast = ema.update(s.fast, close);
  const slow = ema.update(s.slow, close);
  const f = ema.value(fast);
  const sl = ema.value(slow);
  const signal = f !== null && sl !== null ? ema.update(s.signal, f - sl) : s.signal;
  return { fast, slow, signal };
};

export const value = (s: Macd): MacdValue => {
  const f = ema.value(s.fast);
  const sl = ema.value(s.slow);
  if (f === null || sl === null) return { macd: null, signal: null, histogram: null };
  const macd = f - sl;
  const signal = ema.value(s.signal);
  return { macd, signal, histogram: signal === null ? null : macd - signal };
};
