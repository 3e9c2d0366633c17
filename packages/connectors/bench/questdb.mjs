// QuestDB writer throughput, OptionQuote rows (22 columns, 6 symbols) over ILP/HTTP:
//   1. QuestDbWriter: write() + flush(), until acknowledged by QuestDB and until WAL-applied;
//   2. baseline in the same run: the official @questdb/nodejs-client Sender encoding the same rows.
// Needs QuestDB running (`npm run services:up`).
//   node packages/connectors/bench/questdb.mjs [rows=500000] [flushRows=50000]
import { createTransport, Sender, SenderOptions } from "@questdb/nodejs-client";
import { QuestDbHttp, QuestDbWriter, rowsOf, tables } from "@thetaflow/connectors";

const total = Number(process.argv[2] ?? 500_000);
const flushRows = Number(process.argv[3] ?? 50_000);
const baselineRows = Math.min(total, 100_000);
const url =
  process.env.THETAFLOW_QUESTDB_URL ?? `http://127.0.0.1:${process.env.THETAFLOW_QUESTDB_HTTP_PORT ?? 9000}`;

const t0 = 1_552_660_200_000_000;
const underlyings = ["SPY", "QQQ", "IWM", "AAPL", "MSFT", "NVDA", "AMZN", "TSLA"];
// A chain of 125 strikes per underlying, one quote per contract per second: 1,000 distinct contracts.
const quote = (i) => {
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
};
const rate = (n, ms) => `${Math.round((n / ms) * 1000).toLocaleString("en-US")} rows/s`;
const http = new QuestDbHttp({ url });

let started = performance.now();
for (let i = 0; i < total; i++) quote(i);
console.log(`generate events (no I/O): ${rate(total, performance.now() - started)}`);

// Encoding alone, into a transport that discards the bytes: the compiled event -> ILP encoder
// (`write`) against the generic path through TableRow objects (`writeRows(rowsOf(e))`), best of 3.
const discard = {
  connect: async () => true,
  send: async () => true,
  close: async () => {},
  getDefaultAutoFlushRows: () => 0,
};
const encodeOnly = async (useRows) => {
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 3; round++) {
    const w = new QuestDbWriter(discard, { flushRows, maxBufferedRows: 4 * flushRows, flushIntervalMs: 0 });
    const t = performance.now();
    for (let i = 0; i < total; i++) {
      const room = useRows ? w.writeRows(rowsOf(quote(i))) : w.write(quote(i));
      if (room !== undefined) await room;
    }
    await w.flush();
    best = Math.min(best, performance.now() - t);
  }
  return best;
};
const rowsMs = await encodeOnly(true);
const compiledMs = await encodeOnly(false);
console.log(
  `encode only (no I/O): compiled encoder ${rate(total, compiledMs)} (${((compiledMs * 1000) / total).toFixed(2)} µs/row incl. event generation), ` +
    `TableRow path ${rate(total, rowsMs)} (${((rowsMs * 1000) / total).toFixed(2)} µs/row); ratio ${(rowsMs / compiledMs).toFixed(1)}x`,
);

const prefix = `bench_${Date.now()}_`;
// open() creates the tables; the measured writer gets the same HTTP transport as open() builds,
// wrapped to time each request (time until QuestDB answered it).
await (await QuestDbWriter.open({ url, tablePrefix: prefix, flushIntervalMs: 0 })).close();
const transport = createTransport(
  await SenderOptions.fromConfig(
    `http::addr=${new URL(url).host};protocol_version=2;auto_flush=off;stdlib_http=on;request_timeout=60000;retry_timeout=60000`,
  ),
);
const answerMs = [];
const timed = {
  connect: () => transport.connect(),
  close: () => transport.close(),
  getDefaultAutoFlushRows: () => 0,
  send: async (bytes) => {
    const t = performance.now();
    const ok = await transport.send(bytes);
    answerMs.push(performance.now() - t);
    return ok;
  },
};
const writer = new QuestDbWriter(timed, {
  tablePrefix: prefix,
  flushRows,
  maxBufferedRows: 4 * flushRows,
  flushIntervalMs: 0,
});
started = performance.now();
for (let i = 0; i < total; i++) {
  const room = writer.write(quote(i));
  if (room !== undefined) await room;
}
await writer.flush();
const writerMs = performance.now() - started;
const s = writer.stats();
console.log(
  `QuestDbWriter, acknowledged: ${rate(total, writerMs)} (${total} rows, ${s.flushes} requests of <= ${flushRows})`,
);
const waited = answerMs.reduce((a, b) => a + b, 0);
const rest = answerMs.slice(1).sort((a, b) => a - b);
const median = rest[rest.length >> 1] ?? answerMs[0];
console.log(
  `  waiting for QuestDB's answers: ${Math.round(waited)} of ${Math.round(writerMs)} ms; first request ${Math.round(answerMs[0])} ms ` +
    `(new table), the others median ${Math.round(median)} ms = ${rate(flushRows, median)} server-side`,
);
await http.waitForApplied(writer.tableName("quotes"), 600_000);
console.log(`QuestDbWriter, WAL-applied (visible to SQL): ${rate(total, performance.now() - started)}`);
const [{ n }] = await http.query(`select count() n from ${writer.tableName("quotes")}`);
await writer.close();

// Baseline: the official Sender writing the same rows into a table with the same DDL.
const cols = Object.entries(tables.quotes.columns);
const sender = await Sender.fromConfig(`http::addr=${new URL(url).host};protocol_version=2;auto_flush=off`);
const baseTable = `${prefix}quotes`;
started = performance.now();
for (let i = 0; i < baselineRows; i++) {
  const [row] = rowsOf(quote(i + total));
  sender.table(baseTable);
  for (const [c, t] of cols) if (t === "SYMBOL" && row.values[c] != null) sender.symbol(c, row.values[c]);
  for (const [c, t] of cols) {
    const v = row.values[c];
    if (v == null || t === "SYMBOL") continue;
    if (t === "DOUBLE") sender.floatColumn(c, v);
    else if (t === "LONG") sender.intColumn(c, v);
  }
  await sender.at(row.ts, "us");
  if ((i + 1) % flushRows === 0) await sender.flush();
}
await sender.flush();
const baselineMs = performance.now() - started;
await sender.close();
console.log(
  `official Sender (baseline), acknowledged: ${rate(baselineRows, baselineMs)} (${baselineRows} rows)`,
);
console.log(
  `ratio QuestDbWriter / official Sender: ${(baselineMs / baselineRows / (writerMs / total)).toFixed(1)}x`,
);

for (const spec of Object.values(tables)) await http.exec(`drop table if exists ${prefix}${spec.name}`);
if (n !== total) {
  console.error(`expected ${total} rows, found ${n}`);
  process.exit(1);
}
