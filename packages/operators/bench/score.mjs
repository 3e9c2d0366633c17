#!/usr/bin/env node
// Model scoring cost: `node packages/operators/bench/score.mjs` (after `npx tsc -b`).
// 1. Batched cost per row of the committed 200-tree XGBoost model: the engine's synchronous
//    evaluator (JS generated per model at load) vs onnxruntime-node on the same rows (one intra-op
//    thread: "one core").
// 2. Added latency per decision: the `score` operator's step on one FeatureVector with xgboost only,
//    the LSTM only (60-step recurrence) and the full core ensemble, p50/p99 over many decisions.
//    The three configurations are interleaved (`--rounds`, default 3) so that each sees the same
//    load from other processes; the load average is printed with the figures.
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { resolve } from "node:path";
import { runOperator } from "@thetaflow/core";
import { loadBundle, ScoreParams, score } from "@thetaflow/operators";
import { Schema } from "effect";
import ort from "onnxruntime-node";

const root = resolve(import.meta.dirname, "../../..");
const dir = resolve(root, "models/core");
const bundle = loadBundle(dir);
const xgb = bundle.members.find((m) => m.name === "xgboost");
const rows = JSON.parse(readFileSync(resolve(dir, "parity.json"), "utf8")).rows;
const F = xgb.features.length;
const N = 20_000;
const batch = new Float64Array(N * F);
for (let i = 0; i < N; i++) {
  const r = rows[i % rows.length];
  for (let f = 0; f < F; f++) batch[i * F + f] = r.values[xgb.features[f]] ?? Number.NaN;
}
const out = new Float64Array(N);
const time = (fn, reps) => {
  fn();
  const t0 = process.hrtime.bigint();
  for (let k = 0; k < reps; k++) fn();
  return Number(process.hrtime.bigint() - t0) / reps;
};
const engineNs = time(() => xgb.model.probabilities(batch, N, out), 20) / N;

const session = await ort.InferenceSession.create(resolve(dir, xgb.meta.onnx), {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
});
const input = new ort.Tensor("float32", Float32Array.from(batch), [N, F]);
const feeds = { [xgb.meta.input]: input };
await session.run(feeds);
let t0 = process.hrtime.bigint();
const ortReps = 10;
for (let k = 0; k < ortReps; k++) await session.run(feeds);
const ortNs = Number(process.hrtime.bigint() - t0) / ortReps / N;
const one = { [xgb.meta.input]: new ort.Tensor("float32", Float32Array.from(batch.subarray(0, F)), [1, F]) };
const ortSingle = [];
for (let k = 0; k < 2000; k++) {
  t0 = process.hrtime.bigint();
  await session.run(one);
  ortSingle.push(Number(process.hrtime.bigint() - t0));
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};

const decisionLatency = (weights) => {
  const params = Schema.decodeUnknownSync(ScoreParams)({
    core: { bundle: dir, weights },
    maxMissingShare: 1,
  });
  const decisions = 20_000;
  const events = Array.from({ length: decisions }, (_, i) => {
    const r = rows[i % rows.length];
    return {
      kind: "FeatureVector",
      eventTime: 1e15 + i * 86_400_000_000,
      seq: 0,
      underlying: "SPY",
      date: r.date,
      values: { ...r.values, earnings_window: 0, earnings_blackout: 0 },
      missing: [],
    };
  });
  let state = score.init(params, { nodeId: "score", key: "SPY", seed: 0 });
  const sink = { emit: () => {} };
  const ctx = { nodeId: "score", key: "SPY", seed: 0 };
  for (let i = 0; i < 2000; i++) state = score.step(state, events[i], sink, params, ctx);
  const lat = new Float64Array(decisions);
  for (let i = 0; i < decisions; i++) {
    const s = process.hrtime.bigint();
    state = score.step(state, events[i], sink, params, ctx);
    lat[i] = Number(process.hrtime.bigint() - s);
  }
  return {
    p50: pct(lat, 0.5) / 1000,
    p99: pct(lat, 0.99) / 1000,
    mean: lat.reduce((a, b) => a + b, 0) / decisions / 1000,
  };
};
const roundsArg = process.argv.indexOf("--rounds");
const rounds = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 3;
const load = [loadavg()[0]];
const configs = {
  "xgboost only": { default: { xgboost: 1 } },
  "lstm only (60)": { default: { lstm: 1 } },
  "xgboost + lstm": bundle.metadata.ensemble.weights,
};
const results = Object.fromEntries(Object.keys(configs).map((k) => [k, []]));
for (let r = 0; r < rounds; r++)
  for (const [name, weights] of Object.entries(configs)) results[name].push(decisionLatency(weights));
load.push(loadavg()[0]);
// Sanity: the operator under the runtime harness produces one score per decision.
const check =
  runOperator(score, Schema.decodeUnknownSync(ScoreParams)({ core: { bundle: dir } }), []).outputs.length ===
  0;

console.log(
  `model ${bundle.version}: ${xgb.model.treeCount} trees, ${xgb.model.nodeCount} nodes, ${F} features`,
);
console.log(
  `batched, ${N} rows:   engine ${(engineNs / 1000).toFixed(3)} µs/row | onnxruntime-node ${(ortNs / 1000).toFixed(3)} µs/row (1 thread) | ratio ${(ortNs / engineNs).toFixed(2)}x`,
);
console.log(
  `onnxruntime-node, 1 row per run(): p50 ${(pct(ortSingle, 0.5) / 1000).toFixed(1)} µs, p99 ${(pct(ortSingle, 0.99) / 1000).toFixed(1)} µs (async; cannot run inside step)`,
);
const lstm = bundle.members.find((m) => m.name === "lstm");
console.log(
  `lstm: ${lstm?.model.hidden ?? "?"} units over ${lstm?.model.sequenceLength ?? "?"} decisions, ${lstm?.features.length ?? "?"} inputs`,
);
const fmt = (xs, key) => xs.map((x) => x[key].toFixed(1)).join(" / ");
for (const [name, xs] of Object.entries(results))
  console.log(
    `score step, ${name.padEnd(15)} p50 ${fmt(xs, "p50")} µs | p99 ${fmt(xs, "p99")} µs | mean ${fmt(xs, "mean")} µs per decision (${rounds} rounds)`,
  );
console.log(`1-minute load average: ${load.map((l) => l.toFixed(2)).join(" -> ")} (2 cores)`);
if (!check) process.exit(1);
