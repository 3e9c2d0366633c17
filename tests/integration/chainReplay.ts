import { writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { DAY_US, dailyBarWalk, START_US, seededRandom } from "./barWalk.js";

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
  const rand = seededRandom(0x2545f491);
  const nextBar = dailyBarWalk(symbols, rand);
  const lines: string[] = [];
  let seq = 0;
  for (let d = 0; d < days; d++) {
    const eventTime = START_US + d * DAY_US;
    const expiry = new Date((eventTime + 30 * DAY_US) / 1000).toISOString().slice(0, 10);
    const yymmdd = `${expiry.slice(2, 4)}${expiry.slice(5, 7)}${expiry.slice(8, 10)}`;
    for (const symbol of symbols) {
      const bar = nextBar(symbol);
      lines.push(JSON.stringify({ kind: "UnderlyingTick", eventTime, seq: seq++, symbol, ...bar }));
      for (let q = 0; q < quotesPerSnapshot; q++) {
        const strike = Math.round(bar.price * 0.8) + q;
        const mid = Math.max(0.05, Math.round((Math.max(strike - bar.price, 0) + 1 + rand()) * 100) / 100);
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
