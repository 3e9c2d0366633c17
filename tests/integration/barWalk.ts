export const DAY_US = 86_400_000_000;
export const START_US = Date.UTC(2015, 0, 2, 21) * 1000; // 16:00 New York, in µs

/** A seeded uniform generator on [0, 1) (mulberry32): the same replay on every run and machine. */
export const seededRandom = (seed: number): (() => number) => {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

/** An UnderlyingTick's daily-bar fields, in the order the replays write them. */
export interface DailyBar {
  readonly price: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly volume: number;
}

/**
 * A random walk of daily bars per symbol (the first at 100, the next at 150, ...), each bar opening
 * at the previous close; returns the next bar of a symbol, drawing from `rand`.
 */
export const dailyBarWalk = (symbols: readonly string[], rand: () => number) => {
  const price = new Map(symbols.map((s, i) => [s, 100 + 50 * i]));
  return (symbol: string): DailyBar => {
    const prev = price.get(symbol)!;
    const close = Math.round(prev * Math.exp(0.015 * (rand() - 0.5) * 2) * 100) / 100;
    const high = Math.round(Math.max(prev, close) * (1 + 0.005 * rand()) * 100) / 100;
    const low = Math.round(Math.min(prev, close) * (1 - 0.005 * rand()) * 100) / 100;
    price.set(symbol, close);
    return { price: close, open: prev, high, low, volume: Math.round(1e6 * (1 + rand())) };
  };
};
