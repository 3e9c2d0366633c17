// QuestDB writer throughput, OptionQuote rows (22 columns, 6 symbols) over ILP/HTTP:
//   1. encoding alone (no I/O): compiled encoder with binary doubles (ILP v2) and text doubles
//      (v1), and the generic TableRow path;
//   2. the writer against QuestDB, variants interleaved round by round into fresh tables:
//        v2-worker  binary doubles, requests sent from a worker thread (what QuestDbWriter.open builds)
//        v1-worker  text doubles, same transport (what open() picks for a server without ILP v2)
//        v2-main    binary doubles, requests sent from the writer's own thread (the session-2 writer)
//      each until acknowledged and until WAL-applied, with CPU time per row of this process and,
//      when QuestDB's pid is known, of QuestDB (by thread group); the rows of v1 and v2 are then
//      compared value by value (doubles with Object.is) against the events they came from;
//   3. baseline in the same run: the official @questdb/nodejs-client Sender on the same rows.
// Needs QuestDB running (`npm run services:up`). QuestDB's CPU is read from /proc for the pid in
// THETAFLOW_QUESTDB_PID, else in $THETAFLOW_SERVICES_DIR/questdb/server.pid (default .services).
//   node packages/connectors/bench/questdb.mjs [rows=500000] [flushRows=50000] [rounds=3]
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createTransport, Sender, SenderOptions } from "@questdb/nodejs-client";
import { QuestDbHttp, QuestDbWriter, rowsOf, tables, WorkerHttpTransport } from "@thetaflow/connectors";

const total = Number(process.argv[2] ?? 500_000);
const flushRows = Number(process.argv[3] ?? 50_000);
const rounds = Number(process.argv[4] ?? 3);
const baselineRows = Math.min(total, 100_000);
const url =
  process.env.THETAFLOW_QUESTDB_URL ?? `http://127.0.0.1:${process.env.THETAFLOW_QUESTDB_HTTP_PORT ?? 9000}`;
const root = new URL("../../..", import.meta.url).pathname;

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
const fmt = (n) => Math.round(n).toLocaleString("en-US");
const rate = (n, ms) => `${fmt((n / ms) * 1000)} rows/s`;
const perRow = (ms, rows) => ((ms * 1000) / rows).toFixed(2);
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const loadAvg = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
const cpuMs = (since) => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
};
const http = new QuestDbHttp({ url });

// QuestDB's CPU time by thread group, from /proc (Linux); undefined when the pid is unknown.
const questDbPid = (() => {
  if (process.env.THETAFLOW_QUESTDB_PID) return process.env.THETAFLOW_QUESTDB_PID;
  const file = join(process.env.THETAFLOW_SERVICES_DIR ?? join(root, ".services"), "questdb", "server.pid");
  return existsSync(file) ? readFileSync(file, "utf8").trim() : undefined;
})();
const tick = 1000 / 100; // ms per clock tick (USER_HZ)
const threadGroup = (comm) =>
  comm.startsWith("http_")
    ? "http"
    : comm.startsWith("wal-apply") || comm.startsWith("shared-write")
      ? "walApply"
      : comm.startsWith("C1 ") || comm.startsWith("C2 ")
        ? "jit"
        : "other";
const serverCpu = () => {
  if (questDbPid === undefined || !existsSync(`/proc/${questDbPid}/task`)) return undefined;
  const byGroup = { http: 0, walApply: 0, jit: 0, other: 0 };
  for (const task of readdirSync(`/proc/${questDbPid}/task`)) {
    try {
      const comm = readFileSync(`/proc/${questDbPid}/task/${task}/comm`, "utf8").trim();
      const fields = readFileSync(`/proc/${questDbPid}/task/${task}/stat`, "utf8").split(") ")[1].split(" ");
      byGroup[threadGroup(comm)] += (Number(fields[11]) + Number(fields[12])) * tick;
    } catch {
      // A thread that ended between the listing and the read.
    }
  }
  return byGroup;
};
const cpuDelta = (a, b) =>
  a === undefined || b === undefined
    ? undefined
    : Object.fromEntries(Object.keys(b).map((k) => [k, b[k] - a[k]]));

let started = performance.now();
for (let i = 0; i < total; i++) quote(i);
console.log(`generate events (no I/O): ${rate(total, performance.now() - started)}`);
console.log(`load average at start: ${loadAvg()}; QuestDB pid for CPU figures: ${questDbPid ?? "unknown"}`);

// Encoding alone, into a transport that discards the bytes, best of 3.
const discard = {
  connect: async () => true,
  send: async () => true,
  close: async () => {},
  getDefaultAutoFlushRows: () => 0,
};
const encodeOnly = async (useRows, protocolVersion) => {
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 3; round++) {
    const w = new QuestDbWriter(discard, {
      flushRows,
      maxBufferedRows: 4 * flushRows,
      flushIntervalMs: 0,
      protocolVersion,
    });
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
const rowsMs = await encodeOnly(true, 2);
const binaryMs = await encodeOnly(false, 2);
const textMs = await encodeOnly(false, 1);
console.log(
  `encode only (no I/O, incl. event generation, best of 3): compiled, binary doubles ${rate(total, binaryMs)} (${perRow(binaryMs, total)} µs/row); ` +
    `compiled, text doubles ${rate(total, textMs)} (${perRow(textMs, total)} µs/row); TableRow path ${rate(total, rowsMs)} (${perRow(rowsMs, total)} µs/row)`,
);

const transportConfig = (protocolVersion) =>
  `http::addr=${new URL(url).host};protocol_version=${protocolVersion};auto_flush=off;stdlib_http=on;request_timeout=60000;retry_timeout=60000`;
const variants = {
  "v2-worker": {
    protocolVersion: 2,
    transport: () => new WorkerHttpTransport({ config: transportConfig(2) }),
  },
  "v1-worker": {
    protocolVersion: 1,
    transport: () => new WorkerHttpTransport({ config: transportConfig(1) }),
  },
  "v2-main": {
    protocolVersion: 2,
    transport: async () => createTransport(await SenderOptions.fromConfig(transportConfig(2))),
  },
};

const dropTables = async (prefix) => {
  for (const spec of Object.values(tables)) await http.exec(`drop table if exists ${prefix}${spec.name}`);
};

/** One writer run into fresh tables; returns its figures and the quotes table name (not dropped). */
const run = async (name) => {
  const variant = variants[name];
  const prefix = `bench_${name.replace("-", "_")}_${Date.now()}_`;
  // Built before the clock starts, as open() does: a worker needs 0.1-0.5 s to load the client.
  const transport = await variant.transport();
  // open() creates the tables; the measured writer notes when each request is answered, on the
  // same transport (as seen by the writer's thread: an answer waits for it to be free).
  await (await QuestDbWriter.open({ url, tablePrefix: prefix, flushIntervalMs: 0 })).close();
  const answeredAt = [];
  const answered = async (sending) => {
    const ok = await sending;
    answeredAt.push(performance.now());
    return ok;
  };
  const timed = {
    connect: () => transport.connect(),
    close: () => transport.close(),
    getDefaultAutoFlushRows: () => 0,
    send: (bytes) => answered(transport.send(bytes)),
  };
  const writer = new QuestDbWriter(timed, {
    tablePrefix: prefix,
    flushRows,
    maxBufferedRows: 4 * flushRows,
    flushIntervalMs: 0,
    protocolVersion: variant.protocolVersion,
  });
  const server0 = serverCpu();
  const client0 = process.cpuUsage();
  started = performance.now();
  for (let i = 0; i < total; i++) {
    const room = writer.write(quote(i));
    if (room !== undefined) await room;
  }
  await writer.flush();
  const ackMs = performance.now() - started;
  const clientMs = cpuMs(client0);
  const answerMs = answeredAt.map((t, i) => t - (i === 0 ? started : answeredAt[i - 1]));
  const table = writer.tableName("quotes");
  await http.waitForApplied(table, 600_000);
  const appliedMs = performance.now() - started;
  const server = cpuDelta(server0, serverCpu());
  await writer.close();
  const [{ n }] = await http.query(`select count() n from ${table}`);
  if (n !== total) throw new Error(`${name}: expected ${total} rows in ${table}, found ${n}`);
  return { name, prefix, table, ackMs, appliedMs, clientMs, server, answerMs, load: loadAvg() };
};

const results = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
const kept = [];
for (let round = 0; round < rounds; round++) {
  // Rotate the order so no variant always runs first in a round.
  const names = Object.keys(variants);
  const order = names.map((_, i) => names[(i + round) % names.length]);
  for (const name of order) {
    const r = await run(name);
    results[name].push(r);
    const server = r.server
      ? `QuestDB CPU ${perRow(r.server.http + r.server.walApply + r.server.jit + r.server.other, total)} µs/row ` +
        `(HTTP/ILP ${perRow(r.server.http, total)}, WAL apply ${perRow(r.server.walApply, total)})`
      : "QuestDB CPU unknown";
    console.log(
      `round ${round + 1} ${name.padEnd(9)}: acknowledged ${rate(total, r.ackMs)}, WAL-applied ${rate(total, r.appliedMs)}; ` +
        `first answer after ${fmt(r.answerMs[0])} ms, then one every ${fmt(median(r.answerMs.slice(1)))} ms (median); ` +
        `writer CPU ${perRow(r.clientMs, total)} µs/row; ${server}; load ${r.load}`,
    );
    if (round === 0 && name !== "v2-main") kept.push(r);
    else await dropTables(r.prefix);
  }
}

console.log("\nmedians over rounds (acknowledged rows/s; CPU µs/row: writer process / QuestDB):");
const med = (name, f) => median(results[name].map(f));
for (const name of Object.keys(variants)) {
  const server = results[name][0].server
    ? perRow(
        med(name, (r) => Object.values(r.server).reduce((a, b) => a + b)),
        total,
      )
    : "?";
  console.log(
    `  ${name.padEnd(9)} ${rate(
      total,
      med(name, (r) => r.ackMs),
    ).padStart(16)}   ${perRow(
      med(name, (r) => r.clientMs),
      total,
    )} / ${server}`,
  );
}
const ratio = (a, b) => (med(b, (r) => r.ackMs) / med(a, (r) => r.ackMs)).toFixed(2);
console.log(
  `  v2-worker / v2-main ${ratio("v2-worker", "v2-main")}x; v2-worker / v1-worker ${ratio("v2-worker", "v1-worker")}x`,
);

// The rows text and binary doubles stored must be the events' values exactly: every 97th quote
// (~1% of the rows, all contracts and price levels), every column, doubles compared with Object.is.
const columnOf = {
  contract: "contract",
  underlying: "underlying",
  expiry: "expiry",
  option_right: "right",
  exercise_style: "style",
  settlement: "settlement",
  strike: "strike",
  multiplier: "multiplier",
  bid: "bid",
  ask: "ask",
  bid_size: "bidSize",
  ask_size: "askSize",
  volume: "volume",
  open_interest: "openInterest",
  seq: "seq",
};
for (const r of kept) {
  const rows = await http.query(`select * from ${r.table} where seq % 97 = 0 order by seq`);
  let mismatches = 0;
  for (const row of rows) {
    const q = quote(row.seq);
    for (const [column, property] of Object.entries(columnOf))
      if (!Object.is(row[column], q[property])) mismatches++;
    if (Date.parse(row.ts) * 1000 !== q.eventTime) mismatches++;
  }
  const expected = Math.floor((total - 1) / 97) + 1;
  console.log(
    `${r.name}: ${rows.length} of ${expected} sampled rows read back, ${mismatches} values differ from the events`,
  );
  await dropTables(r.prefix);
  if (rows.length !== expected || mismatches > 0) process.exitCode = 1;
}

// Baseline: the official Sender writing the same rows into a table with the same DDL.
const prefix = `bench_sender_${Date.now()}_`;
await (await QuestDbWriter.open({ url, tablePrefix: prefix, flushIntervalMs: 0 })).close();
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
await dropTables(prefix);
console.log(
  `official Sender (baseline), acknowledged: ${rate(baselineRows, baselineMs)} (${baselineRows} rows); ` +
    `QuestDbWriter v2-worker median / Sender ${(baselineMs / baselineRows / (med("v2-worker", (r) => r.ackMs) / total)).toFixed(1)}x`,
);
console.log(`load average at end: ${loadAvg()}`);
