import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileTreeEnsemble, type TreeEnsembleJson } from "./treeEnsemble.js";

type Tree = TreeEnsembleJson["trees"][number];

/** The ONNX kernel's semantics written as a plain walk, independent of the generated code. */
const reference = (json: TreeEnsembleJson, row: ArrayLike<number>): number => {
  let sum = 0;
  for (const t of json.trees) {
    let i = 0;
    while (t.feature[i] !== -1) {
      const x = Math.fround(row[t.feature[i]!]!);
      const goYes = Number.isNaN(x) ? t.missingYes[i] === 1 : x < Math.fround(t.threshold[i]!);
      i = goYes ? t.yes[i]! : t.no[i]!;
    }
    sum = Math.fround(sum + Math.fround(t.leaf[i]!));
  }
  return 1 / (1 + Math.exp(-Math.fround(sum + Math.fround(json.baseValue))));
};

/** A depth-2 tree on features a and b: leaves 1, 2 under a's yes side, 3 under its no side. */
const stump = (
  a: number,
  b: number,
  ta: number,
  tb: number,
  missA: number,
  missB: number,
  w: number,
): Tree => ({
  feature: [a, b, -1, -1, -1],
  threshold: [ta, tb, 0, 0, 0],
  yes: [1, 2, -1, -1, -1],
  no: [4, 3, -1, -1, -1],
  missingYes: [missA, missB, 0, 0, 0],
  leaf: [0, 0, 0.1 * w, 0.2 * w, -0.3 * w],
});

const ensemble = (trees: Tree[]): TreeEnsembleJson => ({
  kind: "treeEnsemble",
  baseValue: 0.25,
  postTransform: "logistic",
  trees,
});

const evaluators = [
  ["generated", {}],
  ["walker", { generatedMaxNodes: 0 }],
] as const;

describe.each(evaluators)("compileTreeEnsemble, %s evaluator", (_, options) => {
  it("sends NaN along each node's missing-value direction", () => {
    const yesOnMissing = compileTreeEnsemble(ensemble([stump(0, 1, 0.5, 0.5, 1, 0, 1)]), 2, options);
    const noOnMissing = compileTreeEnsemble(ensemble([stump(0, 1, 0.5, 0.5, 0, 1, 1)]), 2, options);
    const p = (sum: number) => 1 / (1 + Math.exp(-Math.fround(Math.fround(sum) + 0.25)));
    // a missing -> yes, then b missing -> no (leaf 0.2); a missing -> no (leaf -0.3).
    expect(yesOnMissing.probability([Number.NaN, Number.NaN])).toBe(p(0.2));
    expect(noOnMissing.probability([Number.NaN, Number.NaN])).toBe(p(-0.3));
    // a present and below, b missing -> yes (leaf 0.1) in the second model.
    expect(noOnMissing.probability([0, Number.NaN])).toBe(p(0.1));
  });

  it("compares in float32: a double just below a float32 threshold is not below it", () => {
    const t = Math.fround(0.1);
    const justBelow = t - 1e-12; // rounds to t in float32
    const model = compileTreeEnsemble(ensemble([stump(0, 1, t, 0, 0, 0, 1)]), 2, options);
    expect(justBelow < t).toBe(true);
    expect(model.probability([justBelow, 0])).toBe(model.probability([t, 0]));
    expect(model.probability([justBelow, 0])).not.toBe(model.probability([Math.fround(0.09), 0]));
  });

  it("matches the reference walk over many trees (split into several generated chunks)", () => {
    const width = 6;
    const value = fc.oneof(fc.double({ min: -2, max: 2, noNaN: true }), fc.constant(Number.NaN));
    const tree = fc
      .tuple(
        fc.nat(width - 1),
        fc.nat(width - 1),
        fc.double({ min: -1, max: 1, noNaN: true }),
        fc.double({ min: -1, max: 1, noNaN: true }),
        fc.nat(1),
        fc.nat(1),
        fc.double({ min: -1, max: 1, noNaN: true }),
      )
      .map(([a, b, ta, tb, ma, mb, w]) => stump(a, b, ta, tb, ma, mb, w));
    fc.assert(
      fc.property(
        fc.array(tree, { minLength: 210, maxLength: 500 }),
        fc.array(fc.array(value, { minLength: width, maxLength: width }), { minLength: 1, maxLength: 8 }),
        (trees, rows) => {
          const json = ensemble(trees);
          const model = compileTreeEnsemble(json, width, options);
          const batch = Float64Array.from(rows.flat());
          const out = model.probabilities(batch, rows.length, new Float64Array(rows.length));
          rows.forEach((row, r) => {
            expect(model.probability(row)).toBe(reference(json, row));
            expect(out[r]).toBe(reference(json, row));
          });
        },
      ),
      { numRuns: 40, seed: 8 },
    );
  });
});

describe("compileTreeEnsemble", () => {
  it("rejects children that do not point forward and features outside the inputs", () => {
    const loop: Tree = { ...stump(0, 1, 0, 0, 0, 0, 1), yes: [0, 2, -1, -1, -1] };
    expect(() => compileTreeEnsemble(ensemble([loop]), 2)).toThrow(/do not point forward/);
    expect(() => compileTreeEnsemble(ensemble([stump(0, 5, 0, 0, 0, 0, 1)]), 2)).toThrow(
      /outside the 2 inputs/,
    );
    const nanThreshold = stump(0, 1, Number.NaN, 0, 0, 0, 1);
    expect(() => compileTreeEnsemble(ensemble([nanThreshold]), 2)).toThrow(/not a finite float32/);
  });
});
