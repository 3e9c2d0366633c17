import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { runOperator } from "@thetaflow/core";
import { loadBundle, type Member, routeDecision, ScoreParams, score } from "@thetaflow/operators";
import type { FeatureVector, ModelScore } from "@thetaflow/schemas";
import { Schema } from "effect";
import { InferenceSession, Tensor } from "onnxruntime-node";
import { describe, expect, it } from "vitest";

/**
 * Three-way parity on the committed models: the Python predictions written at training time, the
 * ONNX files run by onnxruntime-node, and the engine's synchronous TypeScript scorer must agree
 * within 1e-5 on the same rows.
 */
const TOLERANCE = 1e-5;
const MODELS = resolve(import.meta.dirname, "../models");

interface ParityRow {
  readonly underlying: string;
  readonly date: string;
  readonly values: Record<string, number | null>;
  readonly expected: Record<string, number>;
}

const parityOf = (dir: string): ParityRow[] =>
  JSON.parse(readFileSync(join(dir, "parity.json"), "utf8")).rows;

const matrix = (rows: readonly ParityRow[], features: readonly string[]) =>
  Float32Array.from(rows.flatMap((r) => features.map((f) => r.values[f] ?? Number.NaN)));

const runOnnx = async (dir: string, member: Member, data: Float32Array, dims: number[]) => {
  const session = await InferenceSession.create(join(dir, member.meta.onnx));
  const result = await session.run({ [member.meta.input]: new Tensor("float32", data, dims) });
  const out = result[member.meta.output]!;
  const width = out.dims[1] ?? 1;
  return Array.from({ length: dims[0]! }, (_, i) =>
    Number((out.data as Float32Array)[i * width + member.meta.outputColumn]),
  );
};

/** Rows grouped by underlying, in file order (each group is a contiguous run of decisions). */
const byUnderlying = (rows: readonly ParityRow[]) => {
  const groups = new Map<string, ParityRow[]>();
  for (const r of rows) groups.set(r.underlying, [...(groups.get(r.underlying) ?? []), r]);
  return [...groups.values()];
};

const maxDiff = (a: readonly number[], b: readonly number[]) =>
  Math.max(...a.map((x, i) => Math.abs(x - b[i]!)));

for (const name of ["core", "earnings"]) {
  const dir = join(MODELS, name);
  describe(`committed ${name} model: Python = ONNX (onnxruntime-node) = engine`, () => {
    it("is committed with its metadata and parity fixture", () => {
      expect(existsSync(join(dir, "metadata.json"))).toBe(true);
      expect(existsSync(join(dir, "parity.json"))).toBe(true);
    });
    if (!existsSync(join(dir, "metadata.json"))) return;
    const bundle = loadBundle(dir);
    const rows = parityOf(dir);

    for (const member of bundle.members.filter((m) => m.name !== "lstm")) {
      it(`${member.name}: ${rows.length} rows agree within 1e-5`, async () => {
        const data = matrix(rows, member.features);
        const onnx = await runOnnx(dir, member, data, [rows.length, member.features.length]);
        const python = rows.map((r) => r.expected[member.name]!);
        const engine = rows.map((_, i) =>
          member.model.probability(
            data.subarray(i * member.features.length, (i + 1) * member.features.length) as ArrayLike<number>,
          ),
        );
        expect(maxDiff(onnx, python)).toBeLessThan(TOLERANCE);
        expect(maxDiff(engine, onnx)).toBeLessThan(TOLERANCE);
      });
    }

    const lstm = bundle.members.find((m) => m.name === "lstm");
    if (lstm !== undefined && lstm.name === "lstm") {
      it("lstm: 60-decision windows rebuilt from raw rows agree within 1e-5", async () => {
        const L = lstm.model.sequenceLength;
        const F = lstm.features.length;
        const windows: { raw: Float64Array[]; expected: number }[] = [];
        for (const group of byUnderlying(rows)) {
          const raw = group.map((r) => Float64Array.from(lstm.features, (f) => r.values[f] ?? Number.NaN));
          for (let j = L - 1; j < group.length; j++)
            windows.push({ raw: raw.slice(j - L + 1, j + 1), expected: group[j]!.expected.lstm! });
        }
        expect(windows.length).toBeGreaterThan(20);
        const tensor = new Float32Array(windows.length * L * F);
        windows.forEach((w, k) => {
          w.raw.forEach((r, t) => {
            tensor.set(lstm.model.standardise(r), (k * L + t) * F);
          });
        });
        const onnx = await runOnnx(dir, lstm, tensor, [windows.length, L, F]);
        const engine = windows.map((w) => lstm.model.probability(w.raw.map((r) => lstm.model.project(r))));
        expect(
          maxDiff(
            onnx,
            windows.map((w) => w.expected),
          ),
        ).toBeLessThan(TOLERANCE);
        expect(maxDiff(engine, onnx)).toBeLessThan(TOLERANCE);
      });

      it("lstm: histories shorter than 60 decisions (left-padded with zero inputs) agree within 1e-5", async () => {
        const L = lstm.model.sequenceLength;
        const F = lstm.features.length;
        const group = byUnderlying(rows)[0]!;
        const raw = group.map((r) => Float64Array.from(lstm.features, (f) => r.values[f] ?? Number.NaN));
        // Every history length from 1 to L: the engine starts these from its cached padding states.
        const lengths = Array.from({ length: L }, (_, k) => k + 1);
        const tensor = new Float32Array(lengths.length * L * F);
        lengths.forEach((n, k) => {
          raw.slice(0, n).forEach((r, t) => {
            tensor.set(lstm.model.standardise(r), (k * L + (L - n) + t) * F);
          });
        });
        const onnx = await runOnnx(dir, lstm, tensor, [lengths.length, L, F]);
        const engine = lengths.map((n) =>
          lstm.model.probability(raw.slice(0, n).map((r) => lstm.model.project(r))),
        );
        expect(maxDiff(engine, onnx)).toBeLessThan(TOLERANCE);
      });
    }

    it("the score operator reproduces the Python ensemble on a replay of the rows", () => {
      const params = Schema.decodeUnknownSync(ScoreParams)({
        [name === "core" ? "core" : "earnings"]: { bundle: dir },
        maxMissingShare: 1,
      });
      let compared = 0;
      for (const group of byUnderlying(rows)) {
        const vectors: FeatureVector[] = group.map((r, i) => ({
          kind: "FeatureVector",
          eventTime: 1_500_000_000_000_000 + i * 86_400_000_000,
          seq: 0,
          underlying: r.underlying,
          date: r.date,
          values: name === "core" ? r.values : { ...r.values, earnings_window: 1 },
          missing: [],
        }));
        const out = runOperator(score, params, vectors).outputs as ModelScore[];
        const warm = name === "core" ? (lstm?.name === "lstm" ? lstm.model.sequenceLength - 1 : 0) : 0;
        out.forEach((s, i) => {
          if (i < warm || routeDecision(vectors[i]!.values) !== (name === "core" ? "core" : "earnings"))
            return;
          expect(s.version).toBe(bundle.version);
          expect(Math.abs(s.score! - group[i]!.expected.ensemble!)).toBeLessThan(TOLERANCE);
          compared++;
        });
      }
      expect(compared).toBeGreaterThan(10);
    });
  });
}
