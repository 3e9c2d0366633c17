// The live path end to end: Kafka -> KafkaLiveInput (consumer group, PartitionWatermark) -> the demo
// topology (topologies/live.yaml's nodes) -> sinks (ndjson, QuestDB, Kafka), through runTopology.
//   1. throughput: a pre-published topic consumed by the full topology, with and without the
//      QuestDB/Kafka sinks, against the same topology run from the replay file (same run) and a
//      pass-through topology (no nodes) from Kafka, which isolates the consumer's cost;
//   2. latency: a producer process paces records into a fresh topic while the engine runs; every
//      input event is stamped when kafkajs hands its batch over (before decoding) and again when the
//      topology is done with it; decisions (Signal, OrderIntent, RiskDecision, Order) are measured
//      from the receipt of the input event that triggered them. Producer send times give the broker
//      round trip separately;
//   3. QuestDB rows/s: packages/connectors/bench/questdb.mjs, run once.
// Needs Kafka and QuestDB (`npm run services:up`) and a build (`npx tsc -b`).
//   node packages/connectors/bench/live.mjs [--copies 6] [--rates 50000,10000,2000] [--latency-seconds 10]
//        [--only throughput,latency,questdb]
import { spawn } from "node:child_process";
import {
  createReadStream,
  createWriteStream,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { createGunzip, createGzip } from "node:zlib";
import {
  builtinSinks,
  createKafkaClient,
  ensureTopics,
  kafkaBrokers,
  publishReplay,
  QuestDbHttp,
  questDbUrl,
  runTopology,
  tables,
  toKafkaMessage,
  topicForEvent,
} from "@thetaflow/connectors";
import { compileTopology, Registry } from "@thetaflow/core";
import { builtinOperators } from "@thetaflow/operators";
import { Effect, Either, Schema } from "effect";
import { Partitioners } from "kafkajs";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../../..");
const absNow = () => performance.timeOrigin + performance.now();

// ---------------------------------------------------------------------------------------------
// Producer child: `live.mjs --producer <topic> <file> <rate> <count> <stampsOut>`. A separate
// process, so producing never shares the engine's event loop (it does share the two cores).
if (process.argv[2] === "--producer") {
  const [, , , topic, file, rateArg, countArg, stampsOut] = process.argv;
  const rate = Number(rateArg);
  const count = Number(countArg);
  const messages = [];
  for await (const line of createInterface({ input: createReadStream(file).pipe(createGunzip()) })) {
    if (messages.length >= count) break;
    // The file holds encoded events already: the record value is the line itself, as published.
    const m = toKafkaMessage(JSON.parse(line), { validate: false });
    messages.push({ ...m, value: line });
  }
  const kafka = createKafkaClient({ brokers: kafkaBrokers(), clientId: "live-bench-producer" });
  // Not idempotent, one request in flight (awaited): per-partition order holds without the
  // idempotent producer's sequence bookkeeping, which caps kafkajs near 15k records/s here.
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  // Loaded and connected: start only when the engine has joined its group.
  await new Promise((go) => {
    process.once("message", go);
    process.send("ready");
  });
  const stamps = [];
  const started = performance.now();
  let sent = 0;
  while (sent < messages.length) {
    // At most 1,000 records per send: a lagging producer's catch-up send stays under the
    // broker's 1 MB message-batch limit.
    const due = Math.min(
      messages.length,
      Math.floor(((performance.now() - started) / 1000) * rate),
      sent + 1_000,
    );
    if (due <= sent) {
      await new Promise((r) => setTimeout(r, 1));
      continue;
    }
    const sendAt = absNow();
    await producer.send({ topic, acks: 1, messages: messages.slice(sent, due) });
    stamps.push([sent, due - sent, sendAt, absNow()]);
    sent = due;
  }
  const seconds = (performance.now() - started) / 1000;
  await producer.disconnect();
  writeFileSync(stampsOut, JSON.stringify({ sent, seconds, stamps }));
  process.disconnect();
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------
if (process.argv.includes("--help") || process.argv.includes("-h")) {
  console.log(`Live-path benchmark: Kafka -> engine -> QuestDB (needs \`npm run services:up\` and \`npx tsc -b\`).

  node packages/connectors/bench/live.mjs [options]

  --copies N             copies of replays/small in the input topic (default 6 = 322,344 events)
  --rates a,b,c          producer paces for the latency runs, records/s (default 50000,10000,2000)
  --latency-seconds S    length of each paced latency run (default 10)
  --only parts           comma list of throughput,latency,questdb (default all)
  --variants list        throughput topologies: passthrough,full,services (default all)`);
  process.exit(0);
}
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const copies = Number(arg("copies", 6));
const rates = arg("rates", "50000,10000,2000").split(",").map(Number);
const latencySeconds = Number(arg("latency-seconds", 10));
const only = new Set(arg("only", "throughput,latency,questdb").split(","));
const variants = new Set(arg("variants", "passthrough,full,services").split(","));
const untilIdleMs = 1_500;

const kafka = createKafkaClient({ brokers: kafkaBrokers(), clientId: "live-bench" });
const http = new QuestDbHttp({ url: questDbUrl() });
const stamp = Date.now();
const prefix = `livebench${stamp}`;
const tablePrefix = `livebench_${stamp}_`;
const work = mkdtempSync(join(tmpdir(), "thetaflow-live-bench-"));
const fmt = (n) => Math.round(n).toLocaleString("en-US");
const ms = (x) => (x < 10 ? x.toFixed(3) : x.toFixed(1));

// --- input: the small bundled replay, repeated with every date moved 5 weeks per copy ---------
// Moving the expiries (and the contract symbols) with the event times keeps every copy a
// realistic month: the same chains at the same time to expiry, on the same weekdays.
const DAY_US = 86_400_000_000;
const SHIFT_DAYS = 35;
const shiftDate = (iso, days) =>
  new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
const source = join(root, "replays/small/spy-aapl-2019-01.ndjson.gz");
const original = [];
for await (const line of createInterface({ input: createReadStream(source).pipe(createGunzip()) }))
  if (line.trim() !== "") original.push(JSON.parse(line));
const span = original[original.length - 1].eventTime - original[0].eventTime;
if (span >= SHIFT_DAYS * DAY_US)
  throw new Error("replay spans more than the copy shift; copies would overlap");
const gzipTo = (file) => {
  const gz = createGzip({ level: 1 });
  const done = new Promise((r) => gz.pipe(createWriteStream(file)).on("finish", r));
  return {
    write: async (line) => {
      if (!gz.write(line)) await new Promise((r) => gz.once("drain", r));
    },
    end: () => {
      gz.end();
      return done;
    },
  };
};
const replayFile = join(work, "market.ndjson.gz");
// The bundled replay stamps a whole chain snapshot (~850 records) with one instant, and the
// ordering watermark releases an instant only once every partition has moved past it. A copy with
// every record of a snapshot 1 µs after the previous one (as a feed stamps ticks) shows the input
// path without that hold.
const tickingFile = join(work, "market-ticking.ndjson.gz");
const out = gzipTo(replayFile);
const ticking = gzipTo(tickingFile);
let seq = 0;
let snapshotAt = -1;
let inSnapshot = 0;
let quotes = 0;
for (let k = 0; k < copies; k++) {
  const days = k * SHIFT_DAYS;
  for (const e of original) {
    const c = { ...e, eventTime: e.eventTime + days * DAY_US, seq: ++seq };
    if (c.kind === "OptionQuote") {
      quotes++;
      if (days > 0) {
        c.expiry = shiftDate(e.expiry, days);
        c.contract = `${e.contract.slice(0, 6)}${c.expiry.slice(2, 4)}${c.expiry.slice(5, 7)}${c.expiry.slice(8, 10)}${e.contract.slice(12)}`;
      }
    } else if (c.kind === "EarningsEvent" && days > 0) c.date = shiftDate(e.date, days);
    await out.write(`${JSON.stringify(c)}\n`);
    inSnapshot = c.eventTime === snapshotAt ? inSnapshot + 1 : 0;
    snapshotAt = c.eventTime;
    await ticking.write(`${JSON.stringify({ ...c, eventTime: c.eventTime + inSnapshot })}\n`);
  }
}
await out.end();
await ticking.end();
const totalEvents = seq;
console.log(
  `input: ${copies} copies of ${source.slice(root.length + 1)} = ${fmt(totalEvents)} events (${fmt(quotes)} OptionQuotes)`,
);

// --- topologies: live.yaml's nodes and sources, sinks per variant ------------------------------
const liveYaml = compileTopology(
  join(root, "topologies/live.yaml"),
  readFileSync(join(root, "topologies/live.yaml"), "utf8"),
  { operators: builtinOperators(), sinks: builtinSinks() },
);
const spec = Either.getOrThrow(liveYaml).spec;
// A month of data never fills a 252-day IV-rank window, so the strategy would never decide; a
// 10-day window (5 to start) makes each copy produce signals and orders to time.
const nodes = spec.nodes.map((n) =>
  n.id === "volatility" ? { ...n, params: { ...n.params, rankWindow: 10, rankMinPeriods: 5 } } : n,
);
const DECISIONS = new Set(["Signal", "OrderIntent", "RiskDecision", "Order"]);

/**
 * Records, per input event, the wall time between its receipt from Kafka and the end of the
 * topology's work on it, and per decision the time from the receipt of the input that triggered it.
 * It is the first sink and reads the source first, so it sees each input before the nodes do;
 * everything the graph emits until the next input was caused by the current one (delivery is
 * synchronous). Receipt stamps live in a side table keyed by the event object: nothing is added to
 * an event.
 */
class LatencyProbe {
  receivedAt = new WeakMap();
  decodedAt = new WeakMap();
  inputs = { total: [], waiting: [], decode: [] };
  decisions = [];
  /** (seq, absolute receipt time) per consumed record, for the broker round trip. */
  receipts = [];
  #current;
  onArrival = (batch, arrivedAtMs) => {
    for (const r of batch.records) {
      this.receivedAt.set(r.event, batch.receivedAtMs);
      this.decodedAt.set(r.event, arrivedAtMs);
      this.receipts.push(r.event.seq, performance.timeOrigin + batch.receivedAtMs);
    }
  };
  write(event) {
    const now = performance.now();
    const received = this.receivedAt.get(event);
    if (received !== undefined) {
      this.#finish(now);
      this.#current = event;
      this.inputs.waiting.push(now - received);
      this.inputs.decode.push(this.decodedAt.get(event) - received);
    } else if (DECISIONS.has(event.kind) && this.#current !== undefined)
      this.decisions.push(now - this.receivedAt.get(this.#current));
  }
  /** The run is over: the last input's work is done too. */
  endOfRun() {
    this.#finish(performance.now());
  }
  #finish(now) {
    if (this.#current === undefined) return;
    this.inputs.total.push(now - this.receivedAt.get(this.#current));
    this.#current = undefined;
  }
}

let probe;
const probeSink = {
  name: "latencyProbe",
  description: "bench only: receipt-to-output latency (see live.mjs)",
  params: Schema.Struct({}),
  open: async () => ({
    write: (e) => probe?.write(e),
    flush: async () => {},
    close: async () => {},
    files: () => [],
  }),
};
const questdbRows = { n: 0 };
const base = builtinSinks();
const countedQuestdb = {
  ...base.get("questdb"),
  open: async (params, ctx) => {
    const sink = await base.get("questdb").open(params, ctx);
    const write = (e) => {
      questdbRows.n++;
      sink.write(e);
    };
    return { ...sink, write };
  },
};
const registries = () => ({
  operators: builtinOperators(),
  sinks: new Registry("sink type")
    .register(base.get("ndjson"))
    .register(base.get("kafka"))
    .register(countedQuestdb)
    .register(probeSink),
});

const sinksFor = (variant) => {
  const probeInputs = ["market", "ivRank", "desk"];
  if (variant === "passthrough") return [{ id: "probe", type: "latencyProbe", inputs: ["market"] }];
  const own = [
    { id: "probe", type: "latencyProbe", inputs: probeInputs },
    { id: "trading", type: "ndjson", inputs: ["desk"] },
    { id: "errors", type: "ndjson", inputs: ["deadLetters"] },
  ];
  if (variant === "full") return own;
  // As live.yaml ships them, into bench-prefixed tables and topics.
  const services = spec.sinks
    .filter((s) => s.type === "questdb" || s.type === "kafka")
    .map((s) => ({ ...s, params: s.type === "questdb" ? { tablePrefix } : { topicPrefix: prefix } }));
  return [...own, ...services];
};

const topologyFor = (variant, topic) => {
  const text = JSON.stringify({
    name: `livebench-${variant}`,
    seed: spec.seed,
    sources: [
      { id: "market", replay: { files: [replayFile] }, kafka: { topics: [topic], maxLatenessUs: 0 } },
    ],
    nodes: variant === "passthrough" ? [] : nodes,
    sinks: sinksFor(variant),
  });
  const file = join(work, `${variant}.yaml`);
  writeFileSync(file, text);
  return Either.getOrThrow(compileTopology(file, text, registries()));
};

let groupN = 0;
/** One run; the rate counts from the first to the last processed run (no join, no idle wait). */
const run = async (variant, mode, topic, live = {}) => {
  probe = new LatencyProbe();
  questdbRows.n = 0;
  const topology = topologyFor(variant, topic);
  let first;
  let last;
  const started = performance.now();
  const report = await Effect.runPromise(
    runTopology(topology, {
      registries: registries(),
      outDir: join(work, `out-${variant}-${mode}-${++groupN}`),
      mode,
      ...(mode === "live"
        ? { live: { groupId: `${prefix}-g${groupN}`, untilIdleMs, onArrival: probe.onArrival, ...live } }
        : {}),
      onProgress: (p) => {
        probe.endOfRun();
        const t = performance.now();
        const cpu = process.cpuUsage();
        first ??= { t, n: p.eventsIn, cpu };
        last = { t, n: p.eventsIn, cpu };
      },
    }),
  );
  const windowS = (last.t - first.t) / 1000;
  // Process CPU (all threads: engine, GC helpers, libuv) over the same window: CPU per event, and
  // how much of the wall time it covers (well under 100 % = the engine waits, e.g. on fetches).
  const cpuUs = last.cpu.user + last.cpu.system - first.cpu.user - first.cpu.system;
  return {
    report,
    probe,
    rate: (last.n - first.n) / windowS,
    cpuUsPerEvent: cpuUs / (last.n - first.n),
    cpuShare: cpuUs / 1e6 / windowS,
    windowS,
    wallS: (performance.now() - started) / 1000,
    questdbRows: questdbRows.n,
  };
};

const ensureDecisionTopics = () =>
  ensureTopics(
    kafka,
    ["Signal", "OrderIntent", "Order", "Fill", "DeadLetter"].map((k) => ({
      topic: topicForEvent(k, prefix),
      partitions: 1,
    })),
  );
const createdTopics = new Set();
const freshTopic = async (name) => {
  const topic = `${prefix}.${name}`;
  await ensureTopics(kafka, [{ topic, partitions: 3, configs: { "retention.ms": "-1" } }]);
  createdTopics.add(topic);
  return topic;
};
await ensureDecisionTopics();
for (const k of ["Signal", "OrderIntent", "Order", "Fill", "DeadLetter"])
  createdTopics.add(topicForEvent(k, prefix));

const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const dist = (xs) => {
  if (xs.length === 0) return "n=0";
  const s = Float64Array.from(xs).sort();
  return `p50 ${ms(pct(s, 50))} ms, p99 ${ms(pct(s, 99))} ms, max ${ms(s[s.length - 1])} ms (n=${fmt(s.length)})`;
};

async function waitForGroup(groupId) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (;;) {
      const { groups } = await admin.describeGroups([groupId]);
      if (groups[0]?.state === "Stable") return;
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await admin.disconnect();
  }
}

try {
  // --- 1. throughput --------------------------------------------------------------------------
  if (only.has("throughput")) {
    const topic = await freshTopic("market");
    let started = performance.now();
    let published = 0;
    const pub = await publishReplay({
      kafka,
      file: replayFile,
      topic,
      partitions: 3,
      onProgress: (n) => {
        published = n;
      },
    });
    console.log(
      `\npublishReplay into ${topic} (3 partitions, idempotent EventProducer, validate): ${fmt(pub.published)} events, ${fmt(
        published / ((performance.now() - started) / 1000),
      )} events/s`,
    );
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    console.log(`  records per partition: ${offsets.map((o) => `${o.partition}:${o.high}`).join(" ")}`);

    console.log("\nthroughput (events/s between the first and the last processed run):");
    const plan = [
      ["passthrough", "live"],
      ["full", "replay"],
      ["full", "live"],
      ["services", "replay"],
      ["services", "live"],
    ].filter(([variant]) => variants.has(variant));
    const results = {};
    for (const [variant, mode] of plan) {
      started = performance.now();
      const r = await run(variant, mode, topic);
      results[`${variant}/${mode}`] = r;
      const q =
        variant === "services"
          ? `, ${fmt(r.questdbRows)} QuestDB rows (${fmt(r.questdbRows / r.windowS)} rows/s)`
          : "";
      console.log(
        `  ${variant.padEnd(11)} ${mode.padEnd(6)}: ${fmt(r.rate).padStart(8)} events/s over ${r.windowS.toFixed(2)} s (${fmt(
          r.report.events.in,
        )} in, ${fmt(r.report.events.out)} out, ${r.report.events.deadLetters} dead letters; wall incl. start/join/idle ${r.wallS.toFixed(1)} s)${q}; ` +
          `CPU ${r.cpuUsPerEvent.toFixed(1)} µs/event, ${Math.round(100 * r.cpuShare)} % of a core`,
      );
    }
    for (const v of ["full", "services"]) {
      const a = results[`${v}/replay`];
      const b = results[`${v}/live`];
      if (a === undefined || b === undefined) continue;
      if (a.report.outputsSha256 !== b.report.outputsSha256)
        console.log(
          `  WARNING ${v}: live outputs differ from replay (${b.report.outputsSha256} vs ${a.report.outputsSha256})`,
        );
      else
        console.log(
          `  ${v}: live outputs identical to replay (sha256 ${a.report.outputsSha256.slice(0, 12)})`,
        );
    }
    const pass = results["passthrough/live"]?.rate;
    const full = results["full/live"]?.rate;
    const fullReplay = results["full/replay"]?.rate;
    if (pass !== undefined && full !== undefined && fullReplay !== undefined)
      console.log(
        `  per event (one process, one thread): full live ${(1e6 / full).toFixed(1)} µs, full replay ${(1e6 / fullReplay).toFixed(1)} µs, Kafka pass-through ${(
          1e6 / pass
        ).toFixed(1)} µs; live/replay rate ${(full / fullReplay).toFixed(2)}`,
      );
  }

  // --- 2. latency at a paced rate --------------------------------------------------------------
  if (only.has("latency")) {
    // The operators close a snapshot when event time moves on (VolFeatures, Regime, decisions per
    // snapshot instant), so the full topology runs on the data as bundled; a distinct time per
    // record would make them emit per record. The pass-through runs show the input path alone,
    // with and without the snapshot hold.
    const slowest = rates[rates.length - 1];
    const scenarios = [
      ...rates.map((r) => ["services", r, "snapshot"]),
      ["passthrough", rates[0], "ticking"],
      ["passthrough", slowest, "ticking"],
      ["passthrough", slowest, "snapshot"],
    ];
    for (const [variant, rate, stamping] of scenarios) {
      const events = Math.min(totalEvents, Math.round(rate * latencySeconds));
      const topic = await freshTopic(`paced-${variant}-${rate}-${stamping}`);
      probe = undefined;
      const stampsFile = join(work, `stamps-${variant}-${rate}-${stamping}.json`);
      const args = [
        fileURLToPath(import.meta.url),
        "--producer",
        topic,
        stamping === "ticking" ? tickingFile : replayFile,
        String(rate),
        String(events),
        stampsFile,
      ];
      const child = spawn(process.execPath, args, { stdio: ["ignore", "inherit", "inherit", "ipc"] });
      const exited = new Promise((res) => child.once("exit", res));
      await new Promise((res) => child.once("message", res));
      const r = await run(variant, "live", topic, {
        untilIdleMs: 5_000,
        // Produce once the group is joined: an idle input with nothing to read ends after untilIdleMs.
        onInput: () => void waitForGroup(`${prefix}-g${groupN}`).then(() => child.send("go")),
      });
      await exited;
      const produced = JSON.parse(readFileSync(stampsFile, "utf8"));
      // Broker round trip: from the start of the send carrying a record to the engine's receipt of it.
      // Records are numbered from 1 in file order; the producer's stamps count from 0.
      const sendAtBySeq = new Float64Array(events + 2);
      for (const [from, n, sendAt] of produced.stamps)
        for (let i = from; i < from + n; i++) sendAtBySeq[i + 1] = sendAt;
      const acks = produced.stamps.map(([, , sendAt, ackAt]) => ackAt - sendAt);
      const broker = [];
      const seen = new Set();
      const rc = r.probe.receipts;
      for (let i = 0; i < rc.length; i += 2) {
        if (seen.has(rc[i])) continue;
        seen.add(rc[i]);
        broker.push(rc[i + 1] - sendAtBySeq[rc[i]]);
      }
      console.log(
        `\nlatency, ${variant === "services" ? "full topology + QuestDB + Kafka sinks" : "pass-through (no nodes)"}, producer paced at ${fmt(rate)}/s, ${stamping === "ticking" ? "a distinct event time per record" : "snapshot-stamped records (as bundled)"}:`,
      );
      console.log(
        `  produced ${fmt(produced.sent)} records in ${produced.seconds.toFixed(2)} s = ${fmt(produced.sent / produced.seconds)}/s achieved (${fmt(
          produced.stamps.length,
        )} sends, ack ${dist(acks)}); engine processed ${fmt(r.rate)} events/s`,
      );
      console.log(`  broker round trip (send -> consumer receipt): ${dist(broker)}`);
      console.log(`  engine, receipt -> input processed:  ${dist(r.probe.inputs.total)}`);
      console.log(`    of which decode:                   ${dist(r.probe.inputs.decode)}`);
      console.log(`    of which receipt -> operators start: ${dist(r.probe.inputs.waiting)}`);
      if (variant !== "passthrough")
        console.log(`  engine, receipt -> decision output:  ${dist(r.probe.decisions)}`);
    }
  }

  // --- 3. QuestDB writer -----------------------------------------------------------------------
  if (only.has("questdb")) {
    console.log("\nQuestDB writer (packages/connectors/bench/questdb.mjs 500000):");
    await new Promise((res, rej) =>
      spawn(process.execPath, [join(here, "questdb.mjs"), "500000"], { stdio: "inherit" }).on("exit", (c) =>
        c === 0 ? res() : rej(new Error(`questdb.mjs exited ${c}`)),
      ),
    );
  }
} finally {
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [...createdTopics] }).catch(() => {});
  await admin.disconnect();
  for (const t of Object.values(tables)) await http.exec(`drop table if exists ${tablePrefix}${t.name}`);
  rmSync(work, { recursive: true, force: true });
}
