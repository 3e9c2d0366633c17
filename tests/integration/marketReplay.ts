import { writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { DAY_US, dailyBarWalk, START_US, seededRandom } from "./barWalk.js";

/**
 * A deterministic multi-underlying daily-bar replay (NDJSON.gz) for live/replay parity tests: a
 * seeded random walk per symbol, bars at the same event time for every symbol, as real data has.
 */
export const writeDailyBars = (path: string, symbols: readonly string[], days: number): number => {
  const nextBar = dailyBarWalk(symbols, seededRandom(0x9e3779b9));
  const lines: string[] = [];
  let seq = 0;
  for (let d = 0; d < days; d++) {
    const eventTime = START_US + d * DAY_US;
    for (const symbol of symbols)
      lines.push(
        JSON.stringify({ kind: "UnderlyingTick", eventTime, seq: seq++, symbol, ...nextBar(symbol) }),
      );
  }
  writeFileSync(path, gzipSync(`${lines.join("\n")}\n`));
  return lines.length;
};
