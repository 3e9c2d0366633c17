// Option quotes per second through greeks -> ivSurface -> volatility -> regime -> features (with
// indicators and temporal feeding features) on one core, driven through the real engine path, with a
// SPY-like chain of 3,000 contracts re-quoted every session. Then heap after GC along a long run.
// Run: npx tsc -b && node --expose-gc packages/operators/bench/signal-chain.mjs [--quotes N] [--stream N]
//   [--baseline DIR]: also run another build's operators (DIR/index.js, e.g. a copy of an older
//   packages/operators/dist in a directory whose node_modules resolves @thetaflow/*) interleaved with
//   this one, and print the ratio — the way to compare builds on a machine whose load keeps changing.
//   The baseline's engine is the @thetaflow/core its index.js resolves, so engine changes compare too.
//   [--skip-american]: leave out the (slow) American-engine measurements.
//   [--compare-only]: run only what is asked for (--baseline, --fixture-cost, --stages) and the memory run;
//   with --stages, --baseline compares the stages only.
//   [--reps N]: repetitions of each interleaved comparison (default 5).
//   [--fixture-cost]: also time the session-1 fixture (fresh expiry strings each session; see expiryOn).
//   [--stages]: CPU time per quote of the topology cut after each stage, greeks emitting fixed analytics
//   (no IV math), so each stage's own cost (engine hops, operator, allocation) shows. With --baseline,
//   the baseline build's stages run interleaved with this build's (same process, same load).
//   [--math-baseline DIR]: also time DIR/index.js's priceQuote (another build's operators dist, which
//   resolves @thetaflow/* like --baseline) in the interleaved math-only CPU rows.
//   [--one-core]: re-run itself pinned to CPU 0 (Linux `taskset`), so V8's GC threads share the
//   engine's core — issue #5's "on one core"; unpinned, they run on the other core.

import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import * as currentCore from "@thetaflow/core";
import { bsmGuessedImpliedVol, bsmImpliedVol, bsmPrice, ivScratch } from "@thetaflow/options-math";
import { Schema } from "effect";
import { builtinOperators, GreeksParams, priceQuote } from "../dist/index.js";

if (process.argv.includes("--one-core") && process.env.THETAFLOW_BENCH_PINNED !== "1") {
  const { spawnSync } = await import("node:child_process");
  const pinned = spawnSync(
    "taskset",
    ["-c", "0", process.execPath, ...process.execArgv, ...process.argv.slice(1)],
    { stdio: "inherit", env: { ...process.env, THETAFLOW_BENCH_PINNED: "1" } },
  );
  if (pinned.error !== undefined) {
    console.error(`--one-core runs the bench under \`taskset -c 0\` (util-linux): ${pinned.error.message}`);
    process.exit(1);
  }
  process.exit(pinned.status ?? 1);
}

const current = { operators: builtinOperators, core: currentCore };

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? dflt : Number(process.argv[i + 1]);
};
const QUOTES = arg("--quotes", 1_500_000);
const STREAM = arg("--stream", 10_000_000);
const baselineAt = process.argv.indexOf("--baseline");
const BASELINE = baselineAt === -1 ? undefined : process.argv[baselineAt + 1];
const COMPARE_ONLY = process.argv.includes("--compare-only");
const SKIP_AMERICAN = COMPARE_ONLY || process.argv.includes("--skip-american");
const REPS = arg("--reps", 5);
const FIXTURE_COST = process.argv.includes("--fixture-cost");
const mathBaselineAt = process.argv.indexOf("--math-baseline");
/** Another build's packages/operators/dist (see --baseline): its priceQuote joins the math-only rows. */
const MATH_BASELINE = mathBaselineAt === -1 ? undefined : process.argv[mathBaselineAt + 1];
const STAGES = process.argv.includes("--stages");

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
 * Expiry strings are interned: writing a fresh string into every (long-lived, old-generation) template
 * quote each session left ~30,000 old-to-new pointers for every young-generation collection to walk,
 * a fixture cost (about a quarter of the pipeline's measured time) that neither a feed (fresh, young
 * quotes) nor the engine has.
 */
const expiryStrings = new Map();
const expiriesOn = (nowMs, fresh) => {
  // Past expiries are never asked for again: dropping them keeps the map bounded (~100 entries).
  for (const past of expiryStrings.keys()) if (past < nowMs) expiryStrings.delete(past);
  const dayMs = (e) => nowMs + (3 + e * 7) * 86_400_000;
  return Array.from({ length: EXPIRIES }, (_, e) => (fresh ? isoDay(dayMs(e)) : expiryOn(dayMs(e))));
};
const expiryOn = (ms) => {
  let s = expiryStrings.get(ms);
  if (s === undefined) {
    s = isoDay(ms);
    expiryStrings.set(ms, s);
  }
  return s;
};

/**
 * Sessions of one bar, one VIX tick and a full chain. Chains are priced once up front (20 distinct
 * sessions, cycled) so the clock measures the engine and operators, not the fixture's own pricing;
 * a cycled chain gets its new session time written in place, which is safe because no operator
 * keeps quotes past the session they belong to.
 */
async function* sessions(totalQuotes, style, freshExpiries = false) {
  let seq = 0;
  let quotes = 0;
  for (let day = 0; quotes < totalQuotes; day++) {
    const time = START + day * DAY_US;
    const { spot, vol, chain } = templateFor(style, day);
    const expiries = expiriesOn(time / 1000, freshExpiries);
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

const NODES = [
  ["greeks", "{ id: greeks, op: greeks, inputs: [market], params: PARAMS }"],
  ["ivSurface", "{ id: ivSurface, op: ivSurface, inputs: [market, greeks] }"],
  [
    "volatility",
    "{ id: volatility, op: volatility, inputs: [market, ivSurface], params: { rankMinPeriods: 20 } }",
  ],
  ["regime", "{ id: regime, op: regime, inputs: [volatility] }"],
  ["indicators", "{ id: indicators, op: indicators, inputs: [market] }"],
  ["temporal", "{ id: temporal, op: temporal, inputs: [market] }"],
  ["features", "{ id: features, op: features, inputs: [volatility, regime, indicators, temporal] }"],
];

/** The bench topology, or its first `upTo` nodes with the last of them as the sink's input. */
const topology = (greeksParams, upTo = NODES.length) => `name: bench
sources:
  - id: market
    replay: { files: [unused.ndjson] }
nodes:
${NODES.slice(0, upTo)
  .map(([, spec]) => `  - ${spec.replace("PARAMS", JSON.stringify(greeksParams))}`)
  .join("\n")}
sinks:
  - { id: out, type: counter, inputs: [${NODES[upTo - 1][0]}] }
  - { id: dead, type: counter, inputs: [deadLetters] }
`;

const run = async (
  greeksParams,
  totalQuotes,
  style,
  onProgress,
  build = current,
  freshExpiries = false,
  upTo = NODES.length,
) => {
  const { compileTopology, drive, Registry } = build.core;
  const counts = { out: 0, dead: 0 };
  const registries = {
    operators: build.operators(),
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
  const compiled = compileTopology("bench.yaml", topology(greeksParams, upTo), registries);
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
    sources: new Map([["market", sessions(totalQuotes, style, freshExpiries)]]),
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
let checksum = 0;
const mathOnly = (params, n) => {
  const p = Schema.decodeUnknownSync(GreeksParams)(params);
  let done = 0;
  const t0 = performance.now();
  for (let day = 0; done < n; day++) {
    const { spot, chain } = templateFor("european", day);
    for (const q of chain) checksum += priceQuote(q, spot, 0.015, p).iv ?? 0;
    done += chain.length;
  }
  return n / ((performance.now() - t0) / 1000);
};

/**
 * CPU ns per quote of priceQuote; with `lbrSides`, priceQuote solves the mid only and the bid and ask
 * are solved from scratch by Let's Be Rational, as the default did before the seeded side solves.
 */
const mathCpu = (params, n, lbrSides = false, priceQuoteOf = priceQuote) => {
  const p = Schema.decodeUnknownSync(GreeksParams)(params);
  let done = 0;
  const c0 = process.cpuUsage();
  for (let day = 0; done < n; day++) {
    const { spot, chain } = templateFor("european", day);
    for (const q of chain) {
      const g = priceQuoteOf(q, spot, 0.015, p);
      checksum += g.iv ?? 0;
      if (!lbrSides || g.mid === null) continue;
      const sign = q.right === "call" ? 1 : -1;
      if (
        q.bid > 0 &&
        q.bid !== g.mid &&
        bsmImpliedVol(sign, spot, q.strike, g.tYears, 0.03, 0.015, q.bid) === 0
      )
        checksum += ivScratch.iv;
      if (q.ask !== g.mid && bsmImpliedVol(sign, spot, q.strike, g.tYears, 0.03, 0.015, q.ask) === 0)
        checksum += ivScratch.iv;
    }
    done += chain.length;
  }
  const cpu = process.cpuUsage(c0);
  return (1e3 * (cpu.user + cpu.system)) / n;
};

/** Per template session: sign, strike, T and mid of every quote, so the mid-solve rows time solves only. */
const midInputsOf = new Map();
const midInputs = (day) => {
  const i = day % TEMPLATE_SESSIONS;
  let rows = midInputsOf.get(i);
  if (rows === undefined) {
    const { chain } = templateFor("european", i);
    rows = new Float64Array(4 * chain.length);
    for (const [j, q] of chain.entries()) {
      rows[4 * j] = q.right === "call" ? 1 : -1;
      rows[4 * j + 1] = q.strike;
      rows[4 * j + 2] = (Date.parse(q.expiry) - q.eventTime / 1000) / 31_536_000_000;
      rows[4 * j + 3] = 0.5 * (q.bid + q.ask);
    }
    midInputsOf.set(i, rows);
  }
  return rows;
};

/**
 * CPU ns per mid IV solve alone over the bench chains' mids (no Greeks, no event): Let's Be Rational
 * (`guessed` false) or the closed-form start. Two call sites, so neither solver call goes polymorphic
 * (a call V8 does not inline boxes its seven doubles).
 */
const midSolveCpu = (guessed, n) => {
  for (let day = 0; day < TEMPLATE_SESSIONS; day++) midInputs(day);
  let done = 0;
  const c0 = process.cpuUsage();
  for (let day = 0; done < n; day++) {
    const { spot } = templateFor("european", day);
    const rows = midInputs(day);
    for (let j = 0; j < rows.length; j += 4) {
      const code = guessed
        ? bsmGuessedImpliedVol(rows[j], spot, rows[j + 1], rows[j + 2], 0.03, 0.015, rows[j + 3])
        : bsmImpliedVol(rows[j], spot, rows[j + 1], rows[j + 2], 0.03, 0.015, rows[j + 3]);
      if (code === 0) checksum += ivScratch.iv;
    }
    done += rows.length / 4;
  }
  const cpu = process.cpuUsage(c0);
  return (1e3 * (cpu.user + cpu.system)) / n;
};

const k = (x) => `${(x / 1e3).toFixed(1)}k`;

// Price every template before any clock starts (runs of one repetition would otherwise time the fixture).
for (let i = 0; i < TEMPLATE_SESSIONS; i++) {
  templateFor("european", i);
  templateFor("american", i);
}
console.log(
  `node ${process.version}${process.env.THETAFLOW_BENCH_PINNED === "1" ? ", pinned to CPU 0" : ""}; chain ${EXPIRIES * STRIKES * 2} contracts; ${QUOTES.toLocaleString("en-US")} quotes per measurement, best of 3 (math-only and pipeline runs interleaved)`,
);
if (!COMPARE_ONLY) {
  // Math-only and pipeline runs interleaved, so both see the same machine load.
  const rates = {};
  for (const [name, sideIvs] of [
    ["mid + bid/ask IV", true],
    ["mid IV only", false],
  ]) {
    const params = { pricing: "european", sideIvs };
    const r = { math: 0, pipeline: 0, cpu: 0, counts: undefined };
    for (let rep = 0; rep < 3; rep++) {
      r.math = Math.max(r.math, mathOnly(params, QUOTES));
      const { seconds, cpuSeconds, counts } = await run(params, QUOTES, "european");
      r.pipeline = Math.max(r.pipeline, QUOTES / seconds);
      r.cpu = Math.max(r.cpu, QUOTES / cpuSeconds);
      r.counts = counts;
    }
    rates[name] = r;
    console.log(
      `${`math only: priceQuote, ${name}`.padEnd(48)} ${k(r.math).padStart(9)} quotes/s  (IV checksum ${checksum.toFixed(3)})`,
    );
    console.log(
      `${`pipeline, european, ${name}`.padEnd(48)} ${k(r.pipeline).padStart(9)} quotes/s  (per CPU second ${k(r.cpu)}; feature vectors ${r.counts.out}, dead letters ${r.counts.dead})`,
    );
  }
  console.log(
    `pipeline / math-only throughput: ${Object.entries(rates)
      .map(([name, r]) => `${(r.pipeline / r.math).toFixed(2)} (${name})`)
      .join(", ")}`,
  );
  // The side solves' own cost: CPU per quote of the three math variants, interleaved, best of REPS.
  const variants = [
    ["mid + bid/ask IV (sides seeded by the mid)", { pricing: "european", sideIvs: true }, false],
    ["mid + bid/ask IV (sides by Let's Be Rational)", { pricing: "european", sideIvs: false }, true],
    ["mid IV only", { pricing: "european", sideIvs: false }, false],
  ];
  if (MATH_BASELINE !== undefined) {
    const { priceQuote: basePriceQuote } = await import(pathToFileURL(`${MATH_BASELINE}/index.js`).href);
    variants.push(
      ["baseline build: mid + bid/ask IV", { pricing: "european", sideIvs: true }, false, basePriceQuote],
      ["baseline build: mid IV only", { pricing: "european", sideIvs: false }, false, basePriceQuote],
    );
  }
  const cpuNs = variants.map(() => Number.POSITIVE_INFINITY);
  for (let rep = 0; rep < REPS; rep++) {
    for (const [i, [, params, lbrSides, priceQuoteOf]] of variants.entries()) {
      cpuNs[i] = Math.min(cpuNs[i], mathCpu(params, QUOTES, lbrSides, priceQuoteOf));
    }
  }
  for (const [i, [name]] of variants.entries()) {
    console.log(
      `${`math only, CPU: ${name}`.padEnd(62)} ${cpuNs[i].toFixed(0).padStart(5)} ns/quote (${k(1e9 / cpuNs[i])} quotes per CPU second)`,
    );
  }
  console.log(
    `math only, CPU: both sides cost ${(cpuNs[0] - cpuNs[2]).toFixed(0)} ns/quote seeded, ${(cpuNs[1] - cpuNs[2]).toFixed(0)} ns/quote by LBR`,
  );
  // The mid solve alone, Let's Be Rational against the closed-form start, interleaved.
  const midNs = [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];
  for (let rep = 0; rep < REPS; rep++) {
    midNs[0] = Math.min(midNs[0], midSolveCpu(false, QUOTES));
    midNs[1] = Math.min(midNs[1], midSolveCpu(true, QUOTES));
  }
  console.log(
    `math only, CPU: mid IV solve alone ${midNs[0].toFixed(0)} ns by Let's Be Rational, ${midNs[1].toFixed(0)} ns from the closed-form start (${(midNs[0] / midNs[1]).toFixed(2)}x)`,
  );
}
if (!SKIP_AMERICAN) {
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
}

const loadBaseline = async () => {
  const entry = `${BASELINE.replace(/\/$/, "")}/index.js`;
  return {
    operators: (await import(pathToFileURL(entry).href)).builtinOperators,
    core: await import(pathToFileURL(createRequire(entry).resolve("@thetaflow/core")).href),
  };
};

/** greeks without the math (the same Greeks event per quote, its analytics fixed), in `build`. */
const withFixedGreeks = (build) => () => {
  const registry = new build.core.Registry("operator");
  for (const op of build.operators().all()) {
    if (op.name !== "greeks") {
      registry.register(op);
      continue;
    }
    const step = (state, q, out, params, ctx) => {
      if (q.kind !== "OptionQuote") return op.step(state, q, out, params, ctx);
      const call = q.right === "call";
      out.emit({
        kind: "Greeks",
        eventTime: q.eventTime,
        seq: 0,
        contract: q.contract,
        underlying: q.underlying,
        expiry: q.expiry,
        strike: q.strike,
        right: q.right,
        style: q.style,
        spot: state.spot,
        tYears: 0.1,
        bid: q.bid,
        ask: q.ask,
        mid: 0.5 * (q.bid + q.ask),
        iv: 0.2,
        ivBid: 0.19,
        ivAsk: 0.21,
        delta: call ? 0.5 : -0.5,
        gamma: 0.01,
        vega: 0.3,
        theta: -0.02,
        rho: 0.05,
        volume: q.volume,
        openInterest: q.openInterest,
        status: "ok",
      });
      return state;
    };
    registry.register({ ...op, step });
  }
  return registry;
};

if (STAGES) {
  const builds = [["", { operators: withFixedGreeks(current), core: currentCore }]];
  if (BASELINE !== undefined) {
    const baseline = await loadBaseline();
    builds.unshift(["baseline ", { operators: withFixedGreeks(baseline), core: baseline.core }]);
    builds[1][0] = "current  ";
  }
  const stages = [
    [1, "greeks, analytics fixed (no IV math)"],
    [2, "+ ivSurface"],
    [4, "+ volatility, regime"],
    [7, "+ indicators, temporal, features (full topology)"],
  ];
  const ns = builds.map(() => stages.map(() => [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY]));
  for (let r = 0; r < REPS; r++) {
    for (const [i, [upTo]] of stages.entries()) {
      // Builds swap order every repetition, so neither always runs on the other's heap and JIT state.
      const order = r % 2 === 0 ? [...builds.entries()] : [...builds.entries()].reverse();
      for (const [b, [, build]] of order) {
        const params = { pricing: "european", sideIvs: false };
        const { seconds, cpuSeconds } = await run(params, QUOTES, "european", undefined, build, false, upTo);
        const cell = ns[b][i];
        ns[b][i] = [
          Math.min(cell[0], (1e9 * cpuSeconds) / QUOTES),
          Math.min(cell[1], (1e9 * seconds) / QUOTES),
        ];
      }
    }
  }
  for (const [i, [, label]] of stages.entries()) {
    for (const [b, [name]] of builds.entries()) {
      const [cpu, wall] = ns[b][i];
      const added = i === 0 ? "" : `, +${(cpu - ns[b][i - 1][0]).toFixed(0)} ns`;
      console.log(
        `stages: ${name}${label.padEnd(50)} ${cpu.toFixed(0).padStart(5)} ns/quote CPU${added} (wall ${wall.toFixed(0)} ns)`,
      );
    }
  }
}

if (FIXTURE_COST) {
  // Same build, same process: interned expiry strings (this fixture) vs fresh ones each session.
  const params = { pricing: "european", sideIvs: false };
  const best = { fresh: [0, 0], interned: [0, 0] };
  for (let r = 0; r < REPS; r++) {
    for (const fresh of [true, false]) {
      const { seconds, cpuSeconds } = await run(params, QUOTES, "european", undefined, current, fresh);
      const b = best[fresh ? "fresh" : "interned"];
      b[0] = Math.max(b[0], QUOTES / seconds);
      b[1] = Math.max(b[1], QUOTES / cpuSeconds);
    }
  }
  console.log(
    `fixture, mid IV only: fresh expiry strings ${k(best.fresh[0])} -> interned ${k(best.interned[0])} quotes/s (${(best.interned[0] / best.fresh[0]).toFixed(2)}x); per CPU second ${k(best.fresh[1])} -> ${k(best.interned[1])} (${(best.interned[1] / best.fresh[1]).toFixed(2)}x)`,
  );
}

if (BASELINE !== undefined && !(STAGES && COMPARE_ONLY)) {
  const baseline = await loadBaseline();
  for (const sideIvs of [true, false]) {
    const best = { baseline: [0, 0], current: [0, 0] };
    for (let r = 0; r < REPS; r++) {
      // Builds swap order every repetition, so neither always runs on the other's heap and JIT state.
      const builds = [
        ["baseline", baseline],
        ["current", current],
      ];
      for (const [name, ops] of r % 2 === 0 ? builds : builds.reverse()) {
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
