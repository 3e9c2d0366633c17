import { writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const DAY_US = 86_400_000_000;
const START_US = Date.UTC(2015, 0, 2, 21) * 1000; // 16:00 New York, in µs

/**
 * A deterministic replay (NDJSON.gz) shaped like an options feed's chain snapshots: per day and
 * underlying, one daily bar followed by `quotesPerSnapshot` put quotes, all at the same instant —
 * consecutive events of one partition key, which `publishReplay` packs into batch records. The
 * bars follow a seeded random walk, so the indicators topology of the live tests has work to do.
 */
export const writeChainSnapshots = (
  path: string,
  symbols: readonly string[],
  days: number,
  quotesPerSnapshot: number,
): number => {
  let state = 0x2545f491;
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
    const expiry = new Date((eventTime + 30 * DAY_US) / 1000).toISOString().slice(0, 10);
    const yymmdd = `${expiry.slice(2, 4)}${expiry.slice(5, 7)}${expiry.slice(8, 10)}`;
    for (const symbol of symbols) {
      const prev = price.get(symbol)!;
      const close = Math.round(prev * Math.exp(0.015 * (rand() - 0.5) * 2) * 100) / 100;
      const high = Math.round(Math.max(prev, close) * (1 + 0.005 * rand()) * 100) / 100;
      const low = Math.round(Math.min(prev, close) * (1 - 0.005 * rand()) * 100) / 100;
      price.set(symbol, close);
      const volume = Math.round(1e6 * (1 + rand()));
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
          volume,
        }),
      );
      for (let q = 0; q < quotesPerSnapshot; q++) {
        const strike = Math.round(close * 0.8) + q;
        const mid = Math.max(0.05, Math.round((Math.max(strike - close, 0) + 1 + rand()) * 100) / 100);
        lines.push(
          JSON.stringify({
            kind: "OptionQuote",
            eventTime,
            seq: seq++,
            contract: `${symbol.padEnd(6)}${yymmdd}P${String(strike * 1000).padStart(8, "0")}`,
            underlying: symbol,
            expiry,
            strike,
            right: "put",
            style: "american",
            bid: Math.round((mid - 0.05) * 100) / 100,
            ask: Math.round((mid + 0.05) * 100) / 100,
            bidSize: 10,
            askSize: 12,
          }),
        );
      }
    }
  }
  writeFileSync(path, gzipSync(`${lines.join("\n")}\n`));
  return lines.length;
};
