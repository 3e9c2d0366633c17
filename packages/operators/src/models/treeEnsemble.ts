/**
 * A binary-logistic tree ensemble evaluated as onnxruntime's `ai.onnx.ml.TreeEnsembleClassifier`
 * does, from the JSON the training package transcribes out of the exported ONNX graph. Synchronous
 * and allocation-free, so it can run inside an operator's `step`.
 *
 * Numerics follow the ONNX runtime kernel so the two agree to float32 rounding: inputs and
 * thresholds are float32 (`Math.fround`), a split sends `x < threshold` to `yes`, NaN follows the
 * node's missing-value direction, leaf values are summed in float32 and the logistic transform is
 * applied last.
 */
export interface TreeEnsembleJson {
  readonly kind: "treeEnsemble";
  readonly baseValue: number;
  readonly postTransform: "logistic";
  readonly trees: ReadonlyArray<{
    readonly feature: readonly number[];
    readonly threshold: readonly number[];
    readonly yes: readonly number[];
    readonly no: readonly number[];
    readonly missingYes: readonly number[];
    readonly leaf: readonly number[];
  }>;
}

export interface TreeEnsemble {
  readonly kind: "treeEnsemble";
  readonly inputWidth: number;
  readonly treeCount: number;
  readonly nodeCount: number;
  /** P(class 1) for the row starting at `offset` in `rows` (`inputWidth` values, NaN = missing). */
  probability(rows: ArrayLike<number>, offset?: number): number;
  /** Probabilities for `count` consecutive rows of `rows` into `out`. */
  probabilities(rows: ArrayLike<number>, count: number, out: Float64Array): Float64Array;
}

const LEAF = -1;

export const compileTreeEnsemble = (json: TreeEnsembleJson, inputWidth: number): TreeEnsemble => {
  if (json.kind !== "treeEnsemble" || json.postTransform !== "logistic")
    throw new Error(`not a logistic tree ensemble (kind ${json.kind}, transform ${json.postTransform})`);
  const nodeCount = json.trees.reduce((n, t) => n + t.feature.length, 0);
  // One flat layout for all trees: child indices become absolute, so the walk is a single loop.
  const feature = new Int32Array(nodeCount);
  const threshold = new Float64Array(nodeCount);
  const yes = new Int32Array(nodeCount);
  const no = new Int32Array(nodeCount);
  const missingYes = new Uint8Array(nodeCount);
  const leaf = new Float64Array(nodeCount);
  const roots = new Int32Array(json.trees.length);
  let base = 0;
  json.trees.forEach((t, ti) => {
    const n = t.feature.length;
    for (const [name, arr] of Object.entries({
      threshold: t.threshold,
      yes: t.yes,
      no: t.no,
      missingYes: t.missingYes,
      leaf: t.leaf,
    }))
      if (arr.length !== n)
        throw new Error(`tree ${ti}: ${name} has ${arr.length} entries, feature has ${n}`);
    roots[ti] = base;
    for (let i = 0; i < n; i++) {
      const f = t.feature[i]!;
      feature[base + i] = f;
      if (f === LEAF) {
        leaf[base + i] = Math.fround(t.leaf[i]!);
        continue;
      }
      if (f < 0 || f >= inputWidth)
        throw new Error(`tree ${ti} node ${i}: feature ${f} outside the ${inputWidth} inputs`);
      const y = t.yes[i]!;
      const m = t.no[i]!;
      if (y <= i || m <= i || y >= n || m >= n)
        throw new Error(`tree ${ti} node ${i}: children ${y}/${m} do not point forward`);
      threshold[base + i] = Math.fround(t.threshold[i]!);
      yes[base + i] = base + y;
      no[base + i] = base + m;
      missingYes[base + i] = t.missingYes[i]! ? 1 : 0;
    }
    base += n;
  });
  const baseValue = Math.fround(json.baseValue);

  const probability = (rows: ArrayLike<number>, offset = 0): number => {
    let sum = 0;
    for (let t = 0; t < roots.length; t++) {
      let i = roots[t]!;
      let f = feature[i]!;
      while (f !== LEAF) {
        const x = Math.fround(rows[offset + f]!);
        i = x < threshold[i]! ? yes[i]! : Number.isNaN(x) ? (missingYes[i] ? yes[i]! : no[i]!) : no[i]!;
        f = feature[i]!;
      }
      sum = Math.fround(sum + leaf[i]!);
    }
    return 1 / (1 + Math.exp(-Math.fround(sum + baseValue)));
  };

  return {
    kind: "treeEnsemble",
    inputWidth,
    treeCount: roots.length,
    nodeCount,
    probability,
    probabilities: (rows, count, out) => {
      for (let r = 0; r < count; r++) out[r] = probability(rows, r * inputWidth);
      return out;
    },
  };
};
