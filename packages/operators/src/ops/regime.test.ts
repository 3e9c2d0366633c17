import { runOperator } from "@thetaflow/core";
import type { VolFeatures } from "@thetaflow/schemas";
import { Schema } from "effect";
import { describe, expect, it } from "vitest";
import { classifyRegime, RegimeParams, regime } from "./regime.js";

const p = Schema.decodeUnknownSync(RegimeParams)({});

const decision = (
  day: number,
  vix: number | null,
  vixRank: number | null,
  hvIv: number | null,
): VolFeatures => ({
  kind: "VolFeatures",
  eventTime: (17_900 + day) * 86_400_000_000,
  seq: 0,
  underlying: "SPY",
  values: { vix, vix_rank: vixRank, hv_iv_ratio: hvIv, iv_rank: 0.4 },
});

describe("regime rules (seeds 2.2.2, first match wins)", () => {
  it.each([
    [14, 0.2, 0.7, "low_vol"],
    [14, 0.35, 0.5, "iv_contraction"],
    [26, 0.1, 0.5, "high_vol"],
    [20, 0.85, 0.5, "high_vol"],
    [20, 0.6, 0.95, "iv_expansion"],
    [20, 0.4, 0.5, "iv_contraction"],
    [20, 0.6, 0.7, "neutral"],
    [null, null, null, "neutral"],
    [14, null, 0.5, "neutral"],
  ] as const)("vix %s, vix_rank %s, hv/iv %s -> %s", (vix, rank, hvIv, expected) => {
    expect(classifyRegime({ vix, vixRank: rank, hvIv }, p)).toBe(expected);
  });

  it("takes its thresholds from parameters", () => {
    const strict = Schema.decodeUnknownSync(RegimeParams)({ lowVolMaxVix: 12 });
    expect(classifyRegime({ vix: 13, vixRank: 0.1, hvIv: 0.5 }, strict)).toBe("iv_contraction");
    expect(() => Schema.decodeUnknownSync(RegimeParams)({ lowVolMaxVixRank: 2 })).toThrow();
  });
});

describe("regime operator", () => {
  it("counts days in regime and emits a transition with the days spent in the previous regime", () => {
    const run = runOperator(regime, p, [
      decision(0, 14, 0.2, 0.7),
      decision(1, 14, 0.2, 0.7),
      decision(2, 14, 0.2, 0.7),
      decision(3, 30, 0.9, 0.7),
      decision(4, 30, 0.9, 0.7),
      decision(5, 20, 0.6, 0.7),
    ]);
    const summary = run.outputs.map((e) =>
      e.kind === "Regime"
        ? `${e.regime}:${e.daysInRegime}`
        : e.kind === "RegimeTransition"
          ? `${e.from}->${e.to}@${e.daysInPrevious}`
          : e.kind,
    );
    expect(summary).toEqual([
      "low_vol:1",
      "low_vol:2",
      "low_vol:3",
      "low_vol->high_vol@3",
      "high_vol:1",
      "high_vol:2",
      "high_vol->neutral@2",
      "neutral:1",
    ]);
  });

  it("ignores chain summaries that carry no regime inputs and dead-letters decisions out of order", () => {
    const summary: VolFeatures = { ...decision(0, 14, 0.2, 0.7), values: { iv_atm: 0.2 } };
    const run = runOperator(regime, p, [summary, decision(2, 14, 0.2, 0.7), decision(1, 14, 0.2, 0.7)]);
    expect(run.outputs.filter((e) => e.kind === "Regime")).toHaveLength(1);
    expect(run.deadLetters).toHaveLength(1);
  });
});
