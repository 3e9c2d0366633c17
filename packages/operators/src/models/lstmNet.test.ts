import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { testLstm } from "./__fixtures__/testBundle.js";
import { compileLstm, type LstmJson } from "./lstmNet.js";

/** A deterministic 8-unit model over 3 inputs with weights spread like a trained one. */
const eightUnits = (): LstmJson => {
  const H = 8;
  const F = 3;
  const w = (n: number, scale: number, phase: number) =>
    Array.from({ length: n }, (_, k) => Math.sin(k * 1.37 + phase) * scale);
  return {
    kind: "lstm",
    sequenceLength: 12,
    hidden: H,
    mean: [0.1, -0.2, 3],
    std: [1, 0.5, 2],
    weightIh: w(4 * H * F, 0.8, 0.1),
    weightHh: w(4 * H * H, 0.6, 0.7),
    biasIh: w(4 * H, 0.3, 1.1),
    biasHh: w(4 * H, 0.2, 2.3),
    denseWeight: w(8 * H, 0.5, 0.4),
    denseBias: w(8, 0.1, 0.9),
    outWeight: w(8, 0.9, 1.9),
    outBias: [-0.15],
  };
};

describe("compileLstm", () => {
  for (const [name, json, width] of [
    ["2 units (test bundle)", testLstm, 2],
    ["8 units", eightUnits(), 3],
  ] as const)
    it(`${name}: generated evaluator returns the loop evaluator's doubles for any history length`, () => {
      const unrolled = compileLstm(json, width);
      const loop = compileLstm(json, width, { unrollMaxHidden: 0 });
      const value = fc.oneof(fc.double({ min: -10, max: 10, noNaN: true }), fc.constant(Number.NaN));
      const decisions = fc.array(fc.array(value, { minLength: width, maxLength: width }), {
        maxLength: 2 * json.sequenceLength,
      });
      fc.assert(
        fc.property(decisions, (raws) => {
          const projections = raws.map((r) => loop.project(r));
          const p = unrolled.probability(projections);
          expect(p).toBe(loop.probability(projections));
          expect(p).toBeGreaterThan(0);
          expect(p).toBeLessThan(1);
        }),
        { numRuns: 60, seed: 8 },
      );
    });

  it("pads short histories with zero inputs: no decisions equals a window of all-zero inputs", () => {
    const json = eightUnits();
    const net = compileLstm(json, 3);
    const zeroInputs = Array.from({ length: json.sequenceLength }, () => net.project(json.mean));
    expect(net.probability([])).toBeCloseTo(net.probability(zeroInputs), 15);
  });
});
