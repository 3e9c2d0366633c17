// Option quotes per second through greeks -> ivSurface -> volatility -> regime -> features (with
// indicators and temporal feeding features) on one core, driven through the real engine path, with a
// SPY-like chain of 3,000 contracts re-quoted every session. Then heap after GC along a long run.
// Run: npx tsc -b && node --expose-gc packages/operators/bench/signal-chain.mjs [--quotes N] [--stream N]
//   [--baseline DIR]: also run another build's operators (DIR/index.js, e.g. a copy of an older
//   packages/operators/dist in a directory whose node_modules resolves @thetaflow/*) interleaved with
//   this one, and print the ratio — the way to compare builds on a machine whose load keeps changing.

import { compileTopology, drive, Registry } from "@thetaflow/core";
import { bsmPrice } from "@thetaflow/options-math";
import { Schema } from "effect";
import { builtinOperators, GreeksParams, priceQuote } from "../dist/index.js";

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? dflt : Number(process.argv[i + 1]);
};
const QUOTES = arg("--quotes", 1_500_000);
const STREAM = arg("--stream", 10_000_000);
const baselineAt = process.argv.indexOf("--baseline");
const BASELINE = baselineAt === -1 ? undefined : process.argv[baselineAt + 1];

const DAY_US = 86_400_000_000;
const START = Date.UTC(2019, 0, 2, 21) * 1000; // 16:00 New York
const EXPIRIES = 15;
const STRIKES = 100; // x 2 rights x 15 expiries = 3,000 contracts

const pad = (n, w) => String(n).padStart(w, "0");
const isoDay = (ms) => new Date(ms).toISOString().slice(0, 10);

/** One session's chain: 3,000 quotes priced off a smile around `spot`, all at `time`. */
const makeChain = (time, spot, baseVol, seq0) => {
  const quotes = [];
  let seq = seq0;
  for (let e = 0; e < EXPIRIES; e++) {
    const days = 3 + e * 7;
    const expiryMs = time / 1000 + days * 86_400_000;
    const expiry = isoDay(expiryMs);
    const t = days / 365;
    for (let k = 0; k < STRIKES; k++) {
      const strike = Math.round(spot * (0.75 + (0.5 * k) / STRIKES));
      for (const right of ["call", "put"]) {
        const m = Math.log(strike / spot);
        const vol = baseVol * (1 - 0.8 * m + 2 * m * m);
        const fair = bsmPrice(right === "call" ? 1 : -1, spot, strike, t, 0.03, 0.015, vol);
        const half = Math.max(0.01, 0.02 * fair);
        quotes.push({
          kind: "OptionQuote",
          eventTime: time,
          seq: seq++,
          contract: `SPY   ${expiry.replaceAll("-", "").slice(2)}${right === "call" ? "C" : "P"}${pad(strike * 1000, 8)}`,
          underlying: "SPY",
          expiry,
          strike,
          right,
          style: "european",
          settlement: "physical",
          multiplier: 100,
          bid: Math.max(0, fair - half),
          ask: fair + half,
          bidSize: 10,
          askSize: 10,
          volume: 100 + k,
          openInterest: 1000 + 10 * k,
        });
      }
    }
  }
  return quotes;
};

const TEMPLATE_SESSIONS = 20;
const templates = { european: [], american: [] };
const templateFor = (style, i) => {
  const list = templates[style];
  while (list.length < TEMPLATE_SESSIONS) {
    const d = list.length;
    const spot = 280 * (1 + 0.01 * Math.sin(d * 1.7));
    const vol = 0.15 + 0.05 * Math.sin(d / 9);
    const chain = makeChain(START + d * DAY_US, spot, vol, 0);
    if (style === "american") for (const q of chain) q.style = "american";
    list.push({ spot, vol, chain });
  }
  return list[i % TEMPLATE_SESSIONS];
};

/**
 * Sessions of one bar, one VIX tick and a full chain. Chains are priced once up front (20 distinct
 * sessions, cycled) so the clock measures the engine and operators, not the fixture's own pricing;
 * a cycled chain gets its new session time written in place, which is safe because no operator
 * keeps quotes past the session they belong to.
 */
async function* sessions(totalQuotes, style) {
  let seq = 0;
  let quotes = 0;
  for (let day = 0; quotes < totalQuotes; day++) {
    const time = START + day * DAY_US;
    const { spot, vol, chain } = templateFor(style, day);
    const expiries = Array.from({ length: EXPIRIES }, (_, e) =>
      isoDay(time / 1000 + (3 + e * 7) * 86_400_000),
    );
    for (let i = 0; i < chain.length; i++) {
      const q = chain[i];
      q.eventTime = time;
      q.seq = seq++;
      q.expiry = expiries[Math.floor(i / (2 * STRIKES))];
    }
    yield [
      {
        kind: "UnderlyingTick",
        eventTime: time,
        seq: seq++,
        symbol: "SPY",
        price: spot,
        open: spot * 0.998,
        high: spot * 1.006,
        low: spot * 0.994,
        volume: 7e7,
      },
      { kind: "IndexTick", eventTime: time, seq: seq++, symbol: "VIX", value: vol * 100 },
    ];
    yield chain;
    quotes += chain.length;
  }
}

const topology = (greeksParams) => `name: bench
sources:
  - id: market
    replay: { files: [unused.ndjson] }
nodes:
  - { id: greeks, op: greeks, inputs: [market], params: ${JSON.stringify(greeksParams)} }
  - { id: ivSurface, op: ivSurface, inputs: [market, greeks] }
  - { id: volatility, op: volatility, inputs: [market, ivSurface], params: { rankMinPeriods: 20 } }
  - { id: regime, op: regime, inputs: [volatility] }
  - { id: indicators, op: indicators, inputs: [market] }
  - { id: temporal, op: temporal, inputs: [market] }
  - { id: features, op: features, inputs: [volatility, regime, indicators, temporal] }
sinks:
  - { id: out, type: counter, inputs: [features] }
  - { id: dead, type: counter, inputs: [deadLetters] }
`;

const run = async (greeksParams, totalQuotes, style, onProgress, operators = builtinOperators) => {
  const counts = { out: 0, dead: 0 };
  const registries = {
    operators: operators(),
    sinks: new Registry("sink type").register({
      name: "counter",
      description: "counts",
      params: Schema.Struct({}),
      open: async (_p, ctx) => ({
        write: () => void counts[ctx.sinkId]++,
        flush: async () => {},
        close: async () => {},
        files: () => [],
      }),
    }),
  };
  const compiled = compileTopology("bench.yaml", topology(greeksParams), registries);
  if (compiled._tag === "Left") throw new Error(compiled.left.message);
  const t = compiled.right;
  const sinks = new Map(
    t.sinks.map((s) => [
      s.spec.id,
      {
        write: () => void counts[s.spec.id]++,
        flush: async () => {},
        close: async () => {},
        files: () => [],
      },
    ]),
  );
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await drive({
    topology: t,
    sources: new Map([["market", sessions(totalQuotes, style)]]),
    sinks,
    onProgress,
  });
  const s = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  return { seconds: s, cpuSeconds: (cpu.user + cpu.system) / 1e6, counts };
};

const best = async (label, params, n, style = "european", reps = 3) => {
  let bestRate = 0;
  let bestCpuRate = 0;
  let c;
  for (let r = 0; r < reps; r++) {
    const { seconds, cpuSeconds, counts } = await run(params, n, style);
    bestRate = Math.max(bestRate, n / seconds);
    bestCpuRate = Math.max(bestCpuRate, n / cpuSeconds);
    c = counts;
  }
  console.log(
    `${label.padEnd(48)} ${(bestRate / 1e3).toFixed(1).padStart(8)} k quotes/s  (per CPU second ${(bestCpuRate / 1e3).toFixed(1)}k; feature vectors ${c.out}, dead letters ${c.dead})`,
  );
  return bestRate;
};

/** The per-quote math alone (IV solves + Greeks), no engine: the floor the pipeline is compared with. */
const mathOnly = (label, params, n, reps = 3) => {
  const p = Schema.decodeUnknownSync(GreeksParams)(params);
  let bestRate = 0;
  let checksum = 0;
  for (let r = 0; r < reps; r++) {
    let done = 0;
    const t0 = performance.now();
    for (let day = 0; done < n; day++) {
      const { spot, chain } = templateFor("european", day);
      for (const q of chain) checksum += priceQuote(q, spot, 0.015, p).iv ?? 0;
      done += chain.length;
    }
    bestRate = Math.max(bestRate, n / ((performance.now() - t0) / 1000));
  }
  console.log(
    `${label.padEnd(48)} ${(bestRate / 1e3).toFixed(1).padStart(8)} k quotes/s  (IV checksum ${checksum.toFixed(3)})`,
  );
  return bestRate;
};

// Price every template before any clock starts (runs of one repetition would otherwise time the fixture).
for (let i = 0; i < TEMPLATE_SESSIONS; i++) {
  templateFor("european", i);
  templateFor("american", i);
}
console.log(
  `node ${process.version}; chain ${EXPIRIES * STRIKES * 2} contracts; ${QUOTES.toLocaleString("en-US")} quotes per measurement, best of 3`,
);
const m3 = mathOnly(
  "math only: priceQuote, mid + bid/ask IV",
  { pricing: "european", sideIvs: true },
  QUOTES,
);
const p3 = await best("pipeline, european, mid + bid/ask IV", { pricing: "european", sideIvs: true }, QUOTES);
const m1 = mathOnly("math only: priceQuote, mid IV", { pricing: "european", sideIvs: false }, QUOTES);
const p1 = await best("pipeline, european, mid IV only", { pricing: "european", sideIvs: false }, QUOTES);
console.log(
  `pipeline / math-only throughput: ${(p3 / m3).toFixed(2)} (mid+bid/ask), ${(p1 / m1).toFixed(2)} (mid only)`,
);
await best(
  "american engine (table, default), mid + bid/ask IV",
  { pricing: "by_style", americanScheme: "table", sideIvs: true },
  60_000,
  "american",
  2,
);
await best(
  "american engine (table, default), mid IV only",
  { pricing: "by_style", americanScheme: "table", sideIvs: false },
  60_000,
  "american",
  2,
);
await best(
  "american engine (fast scheme), mid IV only",
  { pricing: "by_style", americanScheme: "fast", sideIvs: false },
  30_000,
  "american",
  1,
);
await best(
  "american engine (standard), mid + bid/ask IV",
  { pricing: "by_style", americanScheme: "standard", sideIvs: true },
  6_000,
  "american",
  1,
);

if (BASELINE !== undefined) {
  const { builtinOperators: baseline } = await import(
    new URL(`file://${BASELINE.replace(/\/$/, "")}/index.js`).href
  );
  for (const sideIvs of [true, false]) {
    const best = { baseline: [0, 0], current: [0, 0] };
    for (let r = 0; r < 5; r++) {
      for (const [name, ops] of [
        ["baseline", baseline],
        ["current", builtinOperators],
      ]) {
        const { seconds, cpuSeconds } = await run(
          { pricing: "european", sideIvs },
          QUOTES,
          "european",
          undefined,
          ops,
        );
        best[name] = [
          Math.max(best[name][0], QUOTES / seconds),
          Math.max(best[name][1], QUOTES / cpuSeconds),
        ];
      }
    }
    const k = (x) => `${(x / 1e3).toFixed(1)}k`;
    console.log(
      `baseline vs current, ${sideIvs ? "mid + bid/ask IV" : "mid IV only"}: ${k(best.baseline[0])} -> ${k(best.current[0])} quotes/s (${(best.current[0] / best.baseline[0]).toFixed(2)}x); per CPU second ${k(best.baseline[1])} -> ${k(best.current[1])} (${(best.current[1] / best.baseline[1]).toFixed(2)}x)`,
    );
  }
}

if (typeof globalThis.gc === "function" && STREAM > 0) {
  const marks = [1e6, 2.5e6, 5e6, 7.5e6, 1e7].filter((m) => m <= STREAM);
  const heap = [];
  let next = 0;
  let quotesSoFar = 0;
  await run({ pricing: "european", sideIvs: false }, STREAM, "european", (p) => {
    quotesSoFar = p.eventsIn;
    if (next < marks.length && quotesSoFar >= marks[next]) {
      globalThis.gc();
      heap.push(
        `${(marks[next] / 1e6).toFixed(1)}M: ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`,
      );
      next++;
    }
  });
  console.log(`heap after GC along a ${STREAM.toLocaleString("en-US")}-quote run: ${heap.join(", ")}`);
}
