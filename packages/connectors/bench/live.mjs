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
//   3. QuestDB rows/s: packages/connectors/bench/questdb.mjs, run once;
//   4. consumer settings: the kafkajs consumer alone (EventConsumer: fetch + record decode + schema
//      decode, no ordering) on both topics, under fetch-size/wait/concurrency variants, interleaved.
// The input is published twice: one Kafka record per event, and batch records (consecutive events
// of one underlying — a chain snapshot — in one record, publishReplay's default), and the live
// variants run on both.
// Needs Kafka and QuestDB (`npm run services:up`) and a build (`npx tsc -b`).
//   node packages/connectors/bench/live.mjs [--copies 6] [--rates 50000,10000,2000] [--latency-seconds 10]
//        [--only throughput,latency,questdb,consumer] [--records single,batched] [--baseline DIR]
import { spawn } from "node:child_process";
import {
  createReadStream,
  createWriteStream,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { loadavg as osLoadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createGunzip, createGzip } from "node:zlib";
import {
  builtinSinks,
  createKafkaClient,
  EventConsumer,
  ensureTopics,
  kafkaBrokers,
  publishReplay,
  QuestDbHttp,
  questDbUrl,
  runTopology,
  tables,
  toKafkaMessage,
  toKafkaMessages,
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
  const [, , , topic, file, rateArg, countArg, stampsOut, batchArg] = process.argv;
  const rate = Number(rateArg);
  const count = Number(countArg);
  // 0: one record per event; n: consecutive events of one key (a snapshot) in records of up to n,
  // each sent once its last event is due (a feed sends a snapshot when it is complete).
  const recordMax = Number(batchArg ?? 0);
  const lines = [];
  for await (const line of createInterface({ input: createReadStream(file).pipe(createGunzip()) })) {
    if (lines.length >= count) break;
    lines.push(line);
  }
  let messages;
  if (recordMax > 0)
    messages = toKafkaMessages(
      lines.map((l) => JSON.parse(l)),
      { validate: false, batching: { maxEvents: recordMax } },
    );
  // The file holds encoded events already: the record value is the line itself, as published.
  else
    messages = lines.map((line) => ({
      ...toKafkaMessage(JSON.parse(line), { validate: false }),
      value: line,
    }));
  // Event index after each record's last event.
  const ends = [];
  let n = 0;
  for (const m of messages) {
    n += Number(m.headers.batch ?? 1);
    ends.push(n);
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
  let sentRecords = 0;
  let sent = 0;
  while (sentRecords < messages.length) {
    const dueEvents = Math.floor(((performance.now() - started) / 1000) * rate);
    // At most 1,000 records (or 2 batch records) per send: a lagging producer's catch-up send
    // stays under the broker's 1 MB message-batch limit.
    let upTo = sentRecords;
    const cap = sentRecords + (recordMax > 0 ? 2 : 1_000);
    while (upTo < messages.length && upTo < cap && ends[upTo] <= dueEvents) upTo++;
    if (upTo === sentRecords) {
      await new Promise((r) => setTimeout(r, 1));
      continue;
    }
    const sendAt = absNow();
    await producer.send({ topic, acks: 1, messages: messages.slice(sentRecords, upTo) });
    stamps.push([sent, ends[upTo - 1] - sent, sendAt, absNow()]);
    sent = ends[upTo - 1];
    sentRecords = upTo;
  }
  const seconds = (performance.now() - started) / 1000;
  await producer.disconnect();
  writeFileSync(stampsOut, JSON.stringify({ sent, records: sentRecords, seconds, stamps }));
  process.disconnect();
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------
if (process.argv.includes("--help") || process.argv.includes("-h")) {
  console.log(`Live-path benchmark: Kafka -> engine -> QuestDB (needs \`npm run services:up\` and \`npx tsc -b\`).

  node packages/connectors/bench/live.mjs [options]

  --copies N             copies of replays/small in the input topic (default 6 = 322,344 events)
  --rates a,b,c          producer paces for the latency runs, events/s (default 50000,10000,2000)
  --latency-seconds S    length of each paced latency run (default 10)
  --only parts           comma list of throughput,latency,questdb,consumer (default all)
  --variants list        throughput topologies: passthrough,full,services (default all)
  --records list         Kafka record layouts for live runs: single,batched (default both)
  --batch-max N          events per batch record for the batched topic and producer (default 1000)
  --consumer-rounds N    interleaved rounds of the consumer-settings comparison (default 2)
  --baseline DIR         latency runs also on an earlier build's packages/connectors/dist copy, interleaved`);
  process.exit(0);
}
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const copies = Number(arg("copies", 6));
const rates = arg("rates", "50000,10000,2000").split(",").map(Number);
const latencySeconds = Number(arg("latency-seconds", 10));
const only = new Set(arg("only", "throughput,latency,questdb,consumer").split(","));
const variants = new Set(arg("variants", "passthrough,full,services").split(","));
const layouts = arg("records", "single,batched").split(",");
const batchMax = Number(arg("batch-max", 1000));
const consumerRounds = Number(arg("consumer-rounds", 2));
const untilIdleMs = 1_500;
// `--baseline DIR`: a copy of an earlier packages/connectors/dist; every latency scenario then runs
// on it and on this build, interleaved (same input, same load), e.g.
// `cp -r packages/connectors/dist .base-dist` before a change, `--baseline .base-dist` after (inside
// the repository, so the copy resolves @thetaflow/* and kafkajs from its node_modules).
const baselineDir = arg("baseline", undefined);
const builds = [
  ...(baselineDir === undefined
    ? []
    : [
        {
          tag: "base",
          label: "[baseline] ",
          runTopology: (await import(pathToFileURL(join(resolve(baselineDir), "index.js")).href)).runTopology,
        },
      ]),
  { tag: "this", label: baselineDir === undefined ? "" : "[this build] ", runTopology },
];

const kafka = createKafkaClient({ brokers: kafkaBrokers(), clientId: "live-bench" });
const http = new QuestDbHttp({ url: questDbUrl() });
const stamp = Date.now();
const prefix = `livebench${stamp}`;
const tablePrefix = `livebench_${stamp}_`;
const work = mkdtempSync(join(tmpdir(), "thetaflow-live-bench-"));
const fmt = (n) => Math.round(n).toLocaleString("en-US");
const loadavg = () =>
  osLoadavg()
    .map((x) => x.toFixed(1))
    .join("/");
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
  releasedAt = new WeakMap();
  inputs = { total: [], waiting: [], decode: [], release: [] };
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
  onRelease = (events, releasedAtMs) => {
    for (const e of events) this.releasedAt.set(e, releasedAtMs);
  };
  write(event) {
    const now = performance.now();
    const received = this.receivedAt.get(event);
    if (received !== undefined) {
      this.#finish(now);
      this.#current = event;
      this.inputs.waiting.push(now - received);
      this.inputs.decode.push(this.decodedAt.get(event) - received);
      const released = this.releasedAt.get(event);
      if (released !== undefined) this.inputs.release.push(released - received);
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
const run = async (variant, mode, topic, live = {}, build = builds[builds.length - 1]) => {
  probe = new LatencyProbe();
  questdbRows.n = 0;
  const topology = topologyFor(variant, topic);
  let first;
  let last;
  const started = performance.now();
  // How long timers waited for the event loop: a synchronous pause (checkpoint, decode of a whole
  // fetch) shows as one long delay here whatever events it held up.
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  const report = await Effect.runPromise(
    build.runTopology(topology, {
      registries: registries(),
      outDir: join(work, `out-${variant}-${mode}-${++groupN}`),
      mode,
      ...(mode === "live"
        ? {
            live: {
              groupId: `${prefix}-g${groupN}`,
              untilIdleMs,
              onArrival: probe.onArrival,
              onRelease: probe.onRelease,
              ...live,
            },
          }
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
  loopDelay.disable();
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
    loopDelayMs: {
      p50: loopDelay.percentile(50) / 1e6,
      p99: loopDelay.percentile(99) / 1e6,
      max: loopDelay.max / 1e6,
    },
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
  // --- the input in Kafka, once per record layout ----------------------------------------------
  const topics = {};
  if (only.has("throughput") || only.has("consumer")) {
    for (const layout of layouts) {
      const topic = await freshTopic(`market-${layout}`);
      topics[layout] = topic;
      const started = performance.now();
      const pub = await publishReplay({
        kafka,
        file: replayFile,
        topic,
        partitions: 3,
        batchMax: layout === "single" ? 1 : batchMax,
      });
      const seconds = (performance.now() - started) / 1000;
      const admin = kafka.admin();
      await admin.connect();
      const offsets = await admin.fetchTopicOffsets(topic);
      await admin.disconnect();
      console.log(
        `\npublishReplay into ${topic} (3 partitions, idempotent EventProducer, validate, ${layout === "single" ? "one record per event" : `batch records of up to ${batchMax} events`}): ${fmt(
          pub.published,
        )} events in ${fmt(offsets.reduce((n, o) => n + Number(o.high), 0))} records, ${fmt(pub.published / seconds)} events/s`,
      );
      console.log(`  records per partition: ${offsets.map((o) => `${o.partition}:${o.high}`).join(" ")}`);
    }
  }

  // --- 1. throughput --------------------------------------------------------------------------
  if (only.has("throughput")) {
    console.log(`\nthroughput (events/s between the first and the last processed run; load ${loadavg()}):`);
    const plan = [];
    for (const variant of ["passthrough", "full", "services"]) {
      if (!variants.has(variant)) continue;
      if (variant !== "passthrough") plan.push([variant, "replay"]);
      for (const layout of layouts) plan.push([variant, `live-${layout}`]);
    }
    const results = {};
    for (const [variant, mode] of plan) {
      const layout = mode.startsWith("live-") ? mode.slice(5) : undefined;
      const r = await run(variant, layout === undefined ? "replay" : "live", topics[layout ?? layouts[0]]);
      results[`${variant}/${mode}`] = r;
      const q =
        variant === "services"
          ? `, ${fmt(r.questdbRows)} QuestDB rows (${fmt(r.questdbRows / r.windowS)} rows/s)`
          : "";
      console.log(
        `  ${variant.padEnd(11)} ${mode.padEnd(14)}: ${fmt(r.rate).padStart(8)} events/s over ${r.windowS.toFixed(2)} s (${fmt(
          r.report.events.in,
        )} in, ${fmt(r.report.events.out)} out, ${r.report.events.deadLetters} dead letters; wall incl. start/join/idle ${r.wallS.toFixed(1)} s)${q}; ` +
          `CPU ${r.cpuUsPerEvent.toFixed(1)} µs/event, ${Math.round(100 * r.cpuShare)} % of a core; load ${loadavg()}`,
      );
    }
    for (const v of ["full", "services"]) {
      const a = results[`${v}/replay`];
      if (a === undefined) continue;
      for (const layout of layouts) {
        const b = results[`${v}/live-${layout}`];
        if (b === undefined) continue;
        if (a.report.outputsSha256 !== b.report.outputsSha256)
          console.log(
            `  WARNING ${v}: live (${layout} records) outputs differ from replay (${b.report.outputsSha256} vs ${a.report.outputsSha256})`,
          );
        else
          console.log(
            `  ${v}: live (${layout} records) outputs identical to replay (sha256 ${a.report.outputsSha256.slice(0, 12)})`,
          );
      }
    }
    const perEvent = Object.entries(results)
      .map(([k, r]) => `${k} ${(1e6 / r.rate).toFixed(1)} µs wall, ${r.cpuUsPerEvent.toFixed(1)} µs CPU`)
      .join("; ");
    console.log(`  per event: ${perEvent}`);
  }

  // --- 2. latency at a paced rate --------------------------------------------------------------
  if (only.has("latency")) {
    // The operators close a snapshot when event time moves on (VolFeatures, Regime, decisions per
    // snapshot instant), so the full topology runs on the data as bundled; a distinct time per
    // record would make them emit per record. The pass-through runs show the input path alone,
    // with and without the snapshot hold.
    const slowest = rates[rates.length - 1];
    // Batch records: a snapshot (one underlying, one instant) is one record, sent when complete.
    const scenarios = [
      ...rates.flatMap((r) => layouts.map((layout) => ["services", r, "snapshot", layout])),
      ["passthrough", rates[0], "ticking", "single"],
      ["passthrough", slowest, "ticking", "single"],
      ...layouts.map((layout) => ["passthrough", slowest, "snapshot", layout]),
    ];
    for (const [variant, rate, stamping, layout, build] of scenarios.flatMap((s) =>
      builds.map((b) => [...s, b]),
    )) {
      const events = Math.min(totalEvents, Math.round(rate * latencySeconds));
      const topic = await freshTopic(`paced-${variant}-${rate}-${stamping}-${layout}-${build.tag}`);
      probe = undefined;
      const stampsFile = join(work, `stamps-${variant}-${rate}-${stamping}-${layout}.json`);
      const args = [
        fileURLToPath(import.meta.url),
        "--producer",
        topic,
        stamping === "ticking" ? tickingFile : replayFile,
        String(rate),
        String(events),
        stampsFile,
        String(layout === "single" ? 0 : batchMax),
      ];
      const child = spawn(process.execPath, args, { stdio: ["ignore", "inherit", "inherit", "ipc"] });
      const exited = new Promise((res) => child.once("exit", res));
      await new Promise((res) => child.once("message", res));
      const r = await run(
        variant,
        "live",
        topic,
        {
          untilIdleMs: 5_000,
          // Produce once the group is joined: an idle input with nothing to read ends after untilIdleMs.
          onInput: () => void waitForGroup(`${prefix}-g${groupN}`).then(() => child.send("go")),
        },
        build,
      );
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
        `\n${build.label}latency, ${variant === "services" ? "full topology + QuestDB + Kafka sinks" : "pass-through (no nodes)"}, producer paced at ${fmt(rate)} events/s, ${stamping === "ticking" ? "a distinct event time per event" : "snapshot-stamped events (as bundled)"}, ${layout === "single" ? "one record per event" : "a snapshot per batch record"} (load ${loadavg()}):`,
      );
      console.log(
        `  produced ${fmt(produced.sent)} events in ${fmt(produced.records)} records in ${produced.seconds.toFixed(2)} s = ${fmt(produced.sent / produced.seconds)} events/s achieved (${fmt(
          produced.stamps.length,
        )} sends, ack ${dist(acks)}); engine processed ${fmt(r.rate)} events/s, CPU ${r.cpuUsPerEvent.toFixed(1)} µs/event`,
      );
      console.log(`  broker round trip (send -> consumer receipt): ${dist(broker)}`);
      const d = r.loopDelayMs;
      console.log(
        `  event-loop delay (1 ms timer): p50 ${ms(d.p50)} ms, p99 ${ms(d.p99)} ms, max ${ms(d.max)} ms`,
      );
      console.log(`  engine, receipt -> input processed:  ${dist(r.probe.inputs.total)}`);
      console.log(`    of which decode:                   ${dist(r.probe.inputs.decode)}`);
      if (r.probe.inputs.release.length > 0)
        console.log(`    of which receipt -> released (watermark): ${dist(r.probe.inputs.release)}`);
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

  // --- 4. consumer settings -------------------------------------------------------------------
  if (only.has("consumer")) {
    // kafkajs 2.2.4 fetches, hands every batch of the fetch to eachBatch, waits for them all, then
    // fetches again (consumer/fetcher.js): the fetch round trip is not overlapped with processing,
    // so bigger fetches amortise it; concurrency only overlaps the handlers of one fetch.
    const settings = [
      [
        "1 MiB/partition, 10 MiB/fetch (until session 2)",
        { maxBytesPerPartition: 1 << 20, maxBytes: 10 << 20 },
      ],
      ["4 MiB/partition, 16 MiB/fetch (default)", {}],
      ["256 KiB/partition", { maxBytesPerPartition: 256 << 10 }],
      ["minBytes 256 KiB, maxWait 50 ms", { minBytes: 256 << 10, maxWaitTimeInMs: 50 }],
      ["3 partitions concurrently", { partitionsConsumedConcurrently: 3 }],
    ];
    const consumeAll = async (topic, options) => {
      const consumer = await EventConsumer.connect(kafka, {
        groupId: `${prefix}-c${++groupN}`,
        topics: [topic],
        nodeId: "bench",
        ...options,
      });
      let n = 0;
      let batches = 0;
      let first;
      let last;
      await new Promise((done) => {
        void consumer.run(async (batch) => {
          first ??= { t: batch.receivedAtMs, cpu: process.cpuUsage() };
          batches++;
          for (const r of batch.records) if (r.decoded) n++;
          if (n >= totalEvents) {
            last = { t: performance.now(), cpu: process.cpuUsage() };
            done();
          }
        });
      });
      await consumer.disconnect();
      const s = (last.t - first.t) / 1000;
      const cpuUs = last.cpu.user + last.cpu.system - first.cpu.user - first.cpu.system;
      return { rate: n / s, cpuUsPerEvent: cpuUs / n, share: cpuUs / 1e6 / s, perBatch: n / batches };
    };
    console.log(
      `\nconsumer settings (EventConsumer alone: fetch, record and schema decode; ${fmt(totalEvents)} events, ${consumerRounds} interleaved rounds):`,
    );
    const table = new Map();
    for (let round = 0; round < consumerRounds; round++)
      for (const layout of layouts)
        for (const [name, options] of settings) {
          const r = await consumeAll(topics[layout], options);
          const key = `${layout} records, ${name}`;
          table.set(key, [...(table.get(key) ?? []), r]);
          console.log(
            `  round ${round + 1} ${key.padEnd(56)}: ${fmt(r.rate).padStart(9)} events/s, CPU ${r.cpuUsPerEvent.toFixed(2)} µs/event (${Math.round(
              100 * r.share,
            )} % of a core), ${fmt(r.perBatch)} events per eachBatch; load ${loadavg()}`,
          );
        }
    console.log("  best of rounds:");
    for (const [key, rs] of table) {
      const best = rs.reduce((a, b) => (b.rate > a.rate ? b : a));
      const cpu = Math.min(...rs.map((r) => r.cpuUsPerEvent));
      console.log(
        `    ${key.padEnd(56)}: ${fmt(best.rate).padStart(9)} events/s, CPU ${cpu.toFixed(2)} µs/event`,
      );
    }
  }
} finally {
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [...createdTopics] }).catch(() => {});
  await admin.disconnect();
  for (const t of Object.values(tables)) await http.exec(`drop table if exists ${tablePrefix}${t.name}`);
  rmSync(work, { recursive: true, force: true });
}
