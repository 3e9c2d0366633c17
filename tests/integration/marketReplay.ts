import { writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const DAY_US = 86_400_000_000;
const START_US = Date.UTC(2015, 0, 2, 21) * 1000; // 16:00 New York, in µs

/**
 * A deterministic multi-underlying daily-bar replay (NDJSON.gz) for live/replay parity tests: a
 * seeded random walk per symbol, bars at the same event time for every symbol, as real data has.
 */
export const writeDailyBars = (path: string, symbols: readonly string[], days: number): number => {
  let state = 0x9e3779b9;
  const rand = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const price = new Map(symbols.map((s, i) => [s, 100 + 50 * i]));
  const lines: string[] = [];
  let seq = 0;
  for (let d = 0; d < days; d++) {
    const eventTime = START_US + d * DAY_US;
    for (const symbol of symbols) {
      const prev = price.get(symbol)!;
      const close = Math.round(prev * Math.exp(0.015 * (rand() - 0.5) * 2) * 100) / 100;
      const high = Math.round(Math.max(prev, close) * (1 + 0.005 * rand()) * 100) / 100;
      const low = Math.round(Math.min(prev, close) * (1 - 0.005 * rand()) * 100) / 100;
      price.set(symbol, close);
      lines.push(
        JSON.stringify({
          kind: "UnderlyingTick",
          eventTime,
          seq: seq++,
          symbol,
          price: close,
          open: prev,
          high,
          low,
          volume: Math.round(1e6 * (1 + rand())),
        }),
      );
    }
  }
  writeFileSync(path, gzipSync(`${lines.join("\n")}\n`));
  return lines.length;
};
