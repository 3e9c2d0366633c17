// Runtime overhead: a chain of 6 trivial operators through the engine vs the same work in a plain
// for-loop, measured in the same process. Then RSS across 10 million streamed events.
// Run: npx tsc -b && node packages/core/bench/runtime.mjs [--events N] [--stream N]
import { Either, Schema } from "effect";
import { compileTopology, drive, Registry } from "../dist/index.js";

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? dflt : Number(process.argv[i + 1]);
};
const N = arg("--events", 2_000_000);
const STREAM = arg("--stream", 10_000_000);
const SYMBOLS = ["SPY", "QQQ", "IWM", "DIA", "AAPL", "MSFT", "NVDA", "TSLA"];

// Trivial operator: counts events per symbol and forwards the tick.
const count = {
  name: "count",
  description: "counts per key and forwards",
  params: Schema.Struct({}),
  consumes: ["UnderlyingTick"],
  produces: ["UnderlyingTick"],
  keyOf: (e) => e.symbol,
  init: () => 0,
  step: (n, e, out) => {
    out.emit(e);
    return n + 1;
  },
};

const makeEvents = (n, offset = 0) => {
  const a = new Array(n);
  for (let i = 0; i < n; i++)
    a[i] = {
      kind: "UnderlyingTick",
      eventTime: offset + i,
      seq: offset + i,
      symbol: SYMBOLS[i & 7],
      price: 100 + (i % 50),
    };
  return a;
};

// Baseline: the same keyed state machine, six times per event, with no runtime around it.
const plainLoop = (events) => {
  const states = Array.from({ length: 6 }, () => new Map());
  let delivered = 0;
  const t0 = performance.now();
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    for (let k = 0; k < 6; k++) {
      const st = states[k];
      st.set(e.symbol, (st.get(e.symbol) ?? 0) + 1);
    }
    if (e.kind === "UnderlyingTick") delivered++;
  }
  const ms = performance.now() - t0;
  return { ms, delivered };
};

const topologyText = `name: bench
sources:
  - id: ticks
    replay: { files: [unused.ndjson] }
nodes:
${[1, 2, 3, 4, 5, 6].map((i) => `  - id: op${i}\n    op: count\n    inputs: [${i === 1 ? "ticks" : `op${i - 1}`}]`).join("\n")}
sinks:
  - id: out
    type: counter
    inputs: [op6]
`;

const registries = (sinkState) => ({
  operators: new Registry("operator").register(count),
  sinks: new Registry("sink type").register({
    name: "counter",
    description: "counts",
    params: Schema.Struct({}),
    open: async () => ({
      write: () => void sinkState.n++,
      flush: async () => {},
      close: async () => {},
      files: () => [],
    }),
  }),
});

async function* batchesOf(events, size = 4096) {
  for (let i = 0; i < events.length; i += size) yield events.slice(i, i + size);
}

async function* streamed(total, size = 4096) {
  for (let i = 0; i < total; i += size) yield makeEvents(Math.min(size, total - i), i);
}

const engineRun = async (batches, onProgress) => {
  const sinkState = { n: 0 };
  const reg = registries(sinkState);
  const topology = Either.getOrThrow(compileTopology("bench.yaml", topologyText, reg));
  const sink = await reg.sinks.get("counter").open({}, {});
  const t0 = performance.now();
  await drive({
    topology,
    sources: new Map([["ticks", batches]]),
    sinks: new Map([["out", sink]]),
    onProgress,
  });
  return { ms: performance.now() - t0, delivered: sinkState.n };
};

const fmt = (n) => Math.round(n).toLocaleString("en-US");
let events = makeEvents(N);
// Warm both paths so the JIT has compiled them before timing.
plainLoop(events.slice(0, 200_000));
await engineRun(batchesOf(events.slice(0, 200_000)));

const runs = 5;
const loop = [];
const eng = [];
for (let r = 0; r < runs; r++) {
  loop.push(plainLoop(events));
  eng.push(await engineRun(batchesOf(events)));
}
const best = (xs) => xs.reduce((a, b) => (a.ms < b.ms ? a : b));
const l = best(loop);
const e = best(eng);
if (e.delivered !== N || l.delivered !== N)
  throw new Error(`lost events: engine ${e.delivered}, loop ${l.delivered}`);
console.log(`Runtime overhead — ${fmt(N)} events through 6 trivial keyed operators (best of ${runs})`);
console.log(`  plain for-loop     ${fmt((N / l.ms) * 1000).padStart(13)} events/s`);
console.log(`  thetaflow engine   ${fmt((N / e.ms) * 1000).padStart(13)} events/s`);
console.log(
  `  ratio engine/loop  ${(e.ms / l.ms).toFixed(2)}x the loop's time (target < 3x; >= 5M events/s)`,
);

// The ratio runs' input array is no longer needed: let it go so it does not blur the memory figures.
events = null;

// Memory across a long streamed run: sampled (after a full GC) at 10%, 50% and 100% of the events.
const mib = (b) => (b / 2 ** 20).toFixed(0);
const samples = [];
const marks = [0.1, 0.5].map((f) => Math.floor(STREAM * f));
const sample = (at) => {
  globalThis.gc?.();
  const m = process.memoryUsage();
  samples.push({ at, rss: m.rss, heap: m.heapUsed });
};
const s = await engineRun(streamed(STREAM), (p) => {
  if (marks.length > 0 && p.eventsIn >= marks[0]) sample(marks.shift());
});
sample(STREAM);
if (s.delivered !== STREAM) throw new Error(`lost events in streaming run: ${s.delivered}`);
console.log(
  `Streaming ${fmt(STREAM)} events: ${fmt((STREAM / s.ms) * 1000)} events/s (GC pauses for sampling included)`,
);
for (const x of samples)
  console.log(
    `  after ${fmt(x.at).padStart(10)} events: RSS ${mib(x.rss)} MiB, heap used ${mib(x.heap)} MiB`,
  );
const growth = samples[samples.length - 1].heap - samples[0].heap;
console.log(`  heap growth from 10% to 100%: ${mib(growth)} MiB (flat = streaming, no accumulation)`);
