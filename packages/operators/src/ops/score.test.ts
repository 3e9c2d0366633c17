import { builtinSinks } from "@thetaflow/connectors";
import { compileTopology, runOperator } from "@thetaflow/core";
import type { FeatureVector, ModelScore } from "@thetaflow/schemas";
import { Either, Schema } from "effect";
import { describe, expect, it } from "vitest";
import { writeTestBundle } from "../models/__fixtures__/testBundle.js";
import { builtinOperators } from "../registry.js";
import { ScoreParams, score } from "./score.js";

const DAY = 86_400_000_000;

const vector = (i: number, values: Record<string, number | null>, underlying = "SPY"): FeatureVector => ({
  kind: "FeatureVector",
  eventTime: 1_420_232_400_000_000 + i * DAY,
  seq: 0,
  underlying,
  date: "2015-01-02",
  values,
  missing: Object.keys(values).filter((k) => values[k] === null),
});

// As the topology compiler decodes: unknown fields are errors.
const decode = (params: unknown) =>
  Schema.decodeUnknownSync(ScoreParams, { onExcessProperty: "error" })(params);

const core = (i: number, extra: Record<string, number | null> = {}) =>
  vector(i, {
    iv_rank: (i % 10) / 10,
    vix_rank: ((i * 3) % 10) / 10,
    rsi_14: 40 + (i % 5) * 8,
    regime: i % 5,
    earnings_window: 0,
    earnings_blackout: 0,
    ...extra,
  });

const scores = (events: FeatureVector[], params: unknown) =>
  (runOperator(score, decode(params), events).outputs as ModelScore[]).map(({ seq: _, ...s }) => s);

describe("score operator", () => {
  const bundle = writeTestBundle();

  it("stamps every decision with the core ensemble's name, version and a probability", () => {
    const out = scores([core(0), core(1), core(2)], { core: { bundle } });
    expect(out).toHaveLength(3);
    for (const s of out) {
      expect(s).toMatchObject({ kind: "ModelScore", model: "core", version: "core-test", underlying: "SPY" });
      expect(s.fallbackReason).toBeUndefined();
      expect(s.score).toBeGreaterThan(0);
      expect(s.score).toBeLessThan(1);
    }
  });

  it("weights members per regime: an all-xgboost regime gives the tree probability", () => {
    const weights = { default: { xgboost: 0.6, lstm: 0.4 }, high_vol: { xgboost: 1 } };
    // iv_rank 0.7 -> +0.6, vix_rank 0.1 -> +0.2, base -0.1: sigmoid(0.7)
    const [s] = scores([core(0, { iv_rank: 0.7, vix_rank: 0.1, regime: 1 })], { core: { bundle, weights } });
    expect(s!.score).toBeCloseTo(1 / (1 + Math.exp(-Math.fround(Math.fround(0.6 + 0.2) - 0.1))), 6);
  });

  it("routes earnings-window decisions to the earnings model and blackout days to no trade", () => {
    const earnings = writeTestBundle({ name: "earnings" });
    const out = scores(
      [core(0, { earnings_window: 1, earnings_blackout: 1 }), core(1, { earnings_blackout: 1 }), core(2)],
      { core: { bundle }, earnings: { bundle: earnings } },
    );
    expect(out.map((s) => [s.model, s.version])).toEqual([
      ["earnings", "earnings-test"],
      ["blackout", "router"],
      ["core", "core-test"],
    ]);
    expect(out[1]!.score).toBe(0);
  });

  it("falls back to the rules, saying why, when features are missing or no model is configured", () => {
    const out = scores(
      [
        vector(0, { iv_rank: 0.5, vix_rank: 0.5, earnings_window: 0 }),
        core(1, { iv_rank: null, vix_rank: null }),
        core(2, { earnings_window: 1 }),
      ],
      { core: { bundle }, maxMissingShare: 0.5 },
    );
    expect(out.map((s) => s.score)).toEqual([null, null, null]);
    expect(out[0]!.fallbackReason).toBe("missing features: rsi_14");
    expect(out[1]!.fallbackReason).toBe("missing features: 67% null > 50%");
    expect(out[2]!.fallbackReason).toBe("earnings model not configured");
  });

  it("keeps scoring with a few nulls: trees follow their missing-value branch", () => {
    const weights = { default: { xgboost: 0.6, lstm: 0.4 }, high_vol: { xgboost: 1 } };
    const [s] = scores([core(0, { iv_rank: 0.7, vix_rank: 0.5, rsi_14: null, regime: 1 })], {
      core: { bundle, weights },
      maxMissingShare: 0.4,
    });
    // 0.6 (iv_rank >= 0.5) - 0.5 (rsi missing -> "no" branch) - 0.1 base = 0
    expect(s!.score).toBeCloseTo(0.5, 6);
  });

  it("is deterministic: the same vectors give the same scores, the LSTM history per underlying", () => {
    const events = Array.from({ length: 12 }, (_, i) => core(i, {}));
    const mixed = events.flatMap((e, i) => [
      e,
      { ...core(i), underlying: "AAPL", values: { ...e.values, iv_rank: 0.9 } },
    ]);
    const a = scores(mixed, { core: { bundle } });
    const b = scores(mixed, { core: { bundle } });
    expect(a).toEqual(b);
    const spyOnly = scores(events, { core: { bundle } });
    expect(a.filter((s) => s.underlying === "SPY")).toEqual(spyOnly);
  });

  it("refuses a bundle whose features differ from the pinned list, naming the first difference", () => {
    expect(() => decode({ core: { bundle }, features: ["iv_rank", "rsi_14", "vix_rank"] })).toThrow(
      /first difference at position 1: expected 'rsi_14', found 'vix_rank'/,
    );
  });

  it("refuses a bundle that needs a feature the engine does not emit", () => {
    const foreign = writeTestBundle({ features: ["iv_rank", "vix_rank", "rsi_14", "tea_leaves"] });
    expect(() => decode({ core: { bundle: foreign } })).toThrow(
      /needs features the engine does not emit: tea_leaves/,
    );
  });

  it("refuses weights that name a member the bundle lacks", () => {
    expect(() =>
      decode({ core: { bundle, weights: { default: { xgboost: 1, transformer: 1 } } } }),
    ).toThrow();
    expect(() => decode({ core: { bundle, weights: { high_vol: { xgboost: 1 } } } })).toThrow(
      /'default' entry/,
    );
  });

  it("runs rule-based with a stated reason when told to tolerate a missing bundle", () => {
    const out = scores([core(0)], {
      core: { bundle: "/nonexistent/models/core" },
      onMissingBundle: "fallback",
    });
    expect(out[0]).toMatchObject({
      score: null,
      fallbackReason: "model bundle /nonexistent/models/core not found",
    });
    expect(() => decode({ core: { bundle: "/nonexistent/models/core" } })).toThrow(
      /cannot read .*metadata.json: ENOENT/,
    );
  });

  it("stops a topology at compile time, with its file and line, when the model does not fit", () => {
    const yaml = [
      "name: t",
      "sources:",
      "  - id: market",
      "    replay: { files: [x.ndjson] }",
      "nodes:",
      "  - id: model",
      "    op: score",
      "    inputs: [market]",
      "    params:",
      `      core: { bundle: ${JSON.stringify(bundle)} }`,
      "      features: [vix_rank]",
      "sinks:",
      "  - { id: out, type: ndjson, inputs: [model] }",
    ].join("\n");
    const compiled = compileTopology("t.yaml", yaml, {
      operators: builtinOperators(),
      sinks: builtinSinks(),
    });
    expect(Either.isLeft(compiled)).toBe(true);
    if (Either.isLeft(compiled))
      expect(compiled.left.message).toMatch(/^t\.yaml:\d+: .*trained on other features/);
  });
});
