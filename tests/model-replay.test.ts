import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { builtinSinks, runTopology } from "@thetaflow/connectors";
import { compileTopology } from "@thetaflow/core";
import { builtinOperators } from "@thetaflow/operators";
import type { ModelScore, Signal } from "@thetaflow/schemas";
import { Effect, Either } from "effect";
import { describe, expect, it } from "vitest";
import { tempDir } from "./support/tmp.js";

const root = resolve(import.meta.dirname, "..");
const replay = join(root, "replays/small/spy-aapl-2019-01.ndjson.gz");

/** The features graph with the committed core model scoring every decision and the IV-rank strategy reading the scores. */
const topology = (scoreParams: string) => `name: scored
seed: 7
sources:
  - id: market
    replay: { files: [${JSON.stringify(replay)}] }
nodes:
  - { id: greeks, op: greeks, inputs: [market], params: { rate: 0.03, pricing: european, sideIvs: false } }
  - { id: ivSurface, op: ivSurface, inputs: [market, greeks], params: { atmDays: 30, targetDte: 30 } }
  - { id: volatility, op: volatility, inputs: [market, ivSurface], params: { volIndex: VIX, rankWindow: 20, rankMinPeriods: 5 } }
  - { id: regime, op: regime, inputs: [volatility] }
  - { id: indicators, op: indicators, inputs: [market] }
  - { id: temporal, op: temporal, inputs: [market] }
  - { id: features, op: features, inputs: [volatility, regime, indicators, temporal] }
  - id: model
    op: score
    inputs: [features]
    params: ${scoreParams}
  - { id: ivRank, op: ivRankStrategy, inputs: [market, volatility, regime, model] }
sinks:
  - { id: scores, type: ndjson, inputs: [model] }
  - { id: signals, type: ndjson, inputs: [ivRank] }
  - { id: vectors, type: ndjson, inputs: [features] }
`;

const run = async (dir: string, text: string, out: string) => {
  const registries = { operators: builtinOperators(), sinks: builtinSinks() };
  const file = join(dir, "scored.yaml");
  writeFileSync(file, text);
  const compiled = compileTopology(file, text, registries);
  if (Either.isLeft(compiled)) throw new Error(compiled.left.message);
  return Effect.runPromise(runTopology(compiled.right, { registries, outDir: join(dir, out) }));
};

const ndjson = <T>(file: string): T[] =>
  readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as T);

describe("replay with model scoring in the topology", () => {
  const dir = tempDir();

  it("is byte-identical run to run and scores every decision once", async () => {
    const params =
      "{ core: { bundle: models/core }, earnings: { bundle: models/earnings }, maxMissingShare: 1 }";
    const first = await run(dir, topology(params), "run1");
    const second = await run(dir, topology(params), "run2");
    expect(second.outputsSha256).toBe(first.outputsSha256);

    const scores = ndjson<ModelScore>(join(dir, "run1/scores.ndjson"));
    const vectors = ndjson<{ eventTime: number; underlying: string }>(join(dir, "run1/vectors.ndjson"));
    expect(scores.length).toBe(vectors.length);
    expect(new Set(scores.map((s) => `${s.eventTime}|${s.underlying}`)).size).toBe(scores.length);
    expect(scores.filter((s) => s.model === "core" && s.score !== null).length).toBeGreaterThan(0);
    const version = JSON.parse(readFileSync(join(root, "models/core/metadata.json"), "utf8")).version;
    expect(scores.filter((s) => s.model === "core").every((s) => s.version === version)).toBe(true);

    for (const s of ndjson<Signal>(join(dir, "run1/signals.ndjson")))
      expect(s.model !== undefined || s.modelFallback !== undefined).toBe(true);
  });

  it("runs rule-based, saying so in every score, when the topology names a model that is not there", async () => {
    const report = await run(
      dir,
      topology("{ core: { bundle: models/absent }, onMissingBundle: fallback }"),
      "run3",
    );
    expect(report.events.deadLetters).toBe(0);
    const scores = ndjson<ModelScore>(join(dir, "run3/scores.ndjson"));
    expect(scores.length).toBeGreaterThan(0);
    for (const s of scores.filter((x) => x.model === "core"))
      expect(s).toMatchObject({ score: null, fallbackReason: "model bundle models/absent not found" });
  });
});
