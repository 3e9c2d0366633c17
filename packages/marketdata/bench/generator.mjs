// Market generator throughput: option quotes generated per second, in one process so the ratios
// between the variants are comparable even when the shared machine is loaded.
//   npx tsc -b && node packages/marketdata/bench/generator.mjs [--from 2019-01-02 --to 2019-06-28]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as md from "../dist/index.js";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const from = arg("from", "2019-01-02");
const to = arg("to", "2019-06-28");
const universe = md.loadUniverse();
const shape = md.calibrateSsvi(md.loadReferenceSurface()).params;
const config = (symbol) => ({
  underlyings: [md.findTicker(universe, symbol)],
  from,
  to,
  seed: 7,
  snapshotTimes: ["close"],
  pricer: md.optionsMathPricer,
  shape,
  rate: 0.02,
  calendar: md.tradingCalendar,
});

const generateOnly = (symbol) => {
  const t0 = performance.now();
  let quotes = 0;
  for (const batch of md.generateMarket(config(symbol)))
    for (const e of batch) if (e.kind === "OptionQuote") quotes++;
  return { quotes, seconds: (performance.now() - t0) / 1000 };
};
const dir = mkdtempSync(join(tmpdir(), "md-bench-"));
const endToEnd = async (symbol) => {
  const t0 = performance.now();
  const r = await md.writeReplay(join(dir, `${symbol}.ndjson.gz`), md.generateMarket(config(symbol)));
  return { quotes: r.countsByKind.OptionQuote, seconds: (performance.now() - t0) / 1000 };
};

const rows = [];
const record = (name, r) =>
  rows.push({ name, quotes: r.quotes, seconds: r.seconds, rate: r.quotes / r.seconds });
record("SPY (American, ALO engine) generate only", generateOnly("SPY"));
record("SPX (European closed form) generate only", generateOnly("SPX"));
record("SPY generate + encodeEvent + gzip -9 write", await endToEnd("SPY"));
rmSync(dir, { recursive: true, force: true });
const base = rows[0].rate;
console.log(`market generator, ${from}..${to}, one close snapshot per session, 8 expirations`);
for (const r of rows) {
  console.log(
    `${r.name.padEnd(46)} ${String(r.quotes).padStart(7)} quotes ${r.seconds.toFixed(2).padStart(7)} s ${Math.round(r.rate).toString().padStart(7)} quotes/s  (${(r.rate / base).toFixed(2)}x)`,
  );
}
