// QuestDB writer throughput: OptionQuote events -> rows -> ILP/HTTP -> committed (HTTP ack), then
// until WAL-applied (visible to SQL). Needs QuestDB running: `npm run services:up`.
//   node packages/connectors/bench/questdb.mjs [rows=1000000] [flushRows=50000]
import { QuestDbWriter, rowsOf } from "@thetaflow/connectors";

const total = Number(process.argv[2] ?? 1_000_000);
const flushRows = Number(process.argv[3] ?? 50_000);
const url = process.env.THETAFLOW_QUESTDB_URL ?? `http://127.0.0.1:${process.env.THETAFLOW_QUESTDB_HTTP_PORT ?? 9000}`;

const t0 = 1_552_660_200_000_000;
const underlyings = ["SPY", "QQQ", "IWM", "AAPL", "MSFT", "NVDA", "AMZN", "TSLA"];
// One chain snapshot every second per underlying, 125 contracts each: realistic symbol cardinality.
const quotes = Array.from({ length: total }, (_, i) => {
  const u = underlyings[i % underlyings.length];
  const strike = 100 + ((i >> 3) % 125);
  return {
    kind: "OptionQuote",
    eventTime: t0 + Math.floor(i / 1000) * 1_000_000,
    seq: i,
    contract: `${u.padEnd(6)}190315P00${strike}000`,
    underlying: u,
    expiry: "2019-03-15",
    strike,
    right: "put",
    style: "american",
    settlement: "physical",
    multiplier: 100,
    bid: 1 + (i % 50) / 100,
    ask: 1.05 + (i % 50) / 100,
    bidSize: 10,
    askSize: 12,
    volume: i % 1000,
    openInterest: 1000 + (i % 500),
  };
});

const rate = (n, ms) => `${Math.round((n / ms) * 1000).toLocaleString("en-US")} rows/s`;

let started = performance.now();
let rows = 0;
for (const q of quotes) rows += rowsOf(q).length;
console.log(`map events to rows (no I/O): ${rate(rows, performance.now() - started)}`);

const prefix = `bench_${Date.now()}_`;
const writer = await QuestDbWriter.open({ url, tablePrefix: prefix, flushRows, maxBufferedRows: 4 * flushRows, flushIntervalMs: 0 });
started = performance.now();
for (const q of quotes) {
  const room = writer.write(q);
  if (room !== undefined) await room;
}
await writer.flush();
const committedMs = performance.now() - started;
console.log(`write + flush, committed by QuestDB (HTTP ack): ${rate(total, committedMs)} (${total} rows, flushRows ${flushRows}, ${writer.stats().flushes} requests)`, writer.stats());
await writer.http.waitForApplied(writer.tableName("quotes"), 600_000);
const appliedMs = performance.now() - started;
const [{ n }] = await writer.http.query(`select count() n from ${writer.tableName("quotes")}`);
console.log(`... until WAL-applied and visible to SQL: ${rate(total, appliedMs)} (count ${n})`);
await writer.close();
for (const t of ["quotes"]) await writer.http.exec(`drop table ${prefix}${t}`);
if (n !== total) {
  console.error(`expected ${total} rows, found ${n}`);
  process.exit(1);
}
