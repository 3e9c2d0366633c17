/**
 * A binary-logistic tree ensemble evaluated as onnxruntime's `ai.onnx.ml.TreeEnsembleClassifier`
 * does, from the JSON the training package transcribes out of the exported ONNX graph. Synchronous
 * and allocation-free, so it can run inside an operator's `step`.
 *
 * Numerics follow the ONNX runtime kernel so the two agree to float32 rounding: inputs and
 * thresholds are float32, a split sends `x < threshold` to `yes`, NaN follows the node's
 * missing-value direction, leaf values are summed in float32 and the logistic transform is applied
 * last.
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

export interface TreeEnsembleCompileOptions {
  /** Ensembles up to this many nodes are scored by generated code (default below); 0 forces the walker. */
  readonly generatedMaxNodes?: number;
}

const LEAF = -1;
/**
 * Largest ensemble turned into generated code. Its machine code grows with every node: measured
 * against the walker it was 2.2–2.8x faster up to 15,000 nodes, 1.7x at 63,500, even at 127,000
 * and 1.4x slower at 254,000 (cache misses), and it takes longer to warm up — see BENCHMARKS.md.
 */
const GENERATED_MAX_NODES = 65_536;
/**
 * Nodes per generated function. V8 stops optimising functions past a bytecode size, so a large
 * ensemble is split into chunks that each carry the running sum; the summation order is unchanged.
 */
const NODES_PER_CHUNK = 1024;

type Tree = TreeEnsembleJson["trees"][number];

/** A finite float32 constant; as JS source, `String` of a double round-trips it exactly. */
const float32 = (v: number, what: string): number => {
  const f = Math.fround(v);
  if (!Number.isFinite(f)) throw new Error(`${what} is not a finite float32 (${v})`);
  return f;
};
const literal = (v: number): string => (Object.is(v, -0) ? "-0" : String(v));

/** Checks one tree's arrays; children must point forward, which rules out cycles. */
const validateTree = (t: Tree, ti: number, inputWidth: number): void => {
  const n = t.feature.length;
  for (const [name, arr] of Object.entries({
    threshold: t.threshold,
    yes: t.yes,
    no: t.no,
    missingYes: t.missingYes,
    leaf: t.leaf,
  }))
    if (arr.length !== n) throw new Error(`tree ${ti}: ${name} has ${arr.length} entries, feature has ${n}`);
  if (n === 0) throw new Error(`tree ${ti} has no nodes`);
  for (let i = 0; i < n; i++) {
    const f = t.feature[i]!;
    if (f === LEAF) {
      float32(t.leaf[i]!, `tree ${ti} node ${i}: leaf`);
      continue;
    }
    if (!Number.isInteger(f) || f < 0 || f >= inputWidth)
      throw new Error(`tree ${ti} node ${i}: feature ${f} outside the ${inputWidth} inputs`);
    const y = t.yes[i]!;
    const m = t.no[i]!;
    if (!Number.isInteger(y) || !Number.isInteger(m) || y <= i || m <= i || y >= n || m >= n)
      throw new Error(`tree ${ti} node ${i}: children ${y}/${m} do not point forward`);
    float32(t.threshold[i]!, `tree ${ti} node ${i}: threshold`);
  }
};

/**
 * One tree as a nested conditional expression over `x`, the row already rounded to float32.
 * A split normally reads `x < t ? yes : no`, which sends NaN to `no`; when the missing direction
 * is `yes` it reads `!(x >= t) ? yes : no`, true for NaN, so missing values need no test at all.
 */
const treeSource = (t: Tree, i: number): string => {
  const f = t.feature[i]!;
  if (f === LEAF) return literal(Math.fround(t.leaf[i]!));
  const th = literal(Math.fround(t.threshold[i]!));
  const split = t.missingYes[i] ? `!(x[${f}] >= ${th})` : `x[${f}] < ${th}`;
  return `(${split} ? ${treeSource(t, t.yes[i]!)} : ${treeSource(t, t.no[i]!)})`;
};

/**
 * The ensemble specialised into straight-line JS once at load: features, thresholds and leaves
 * become constants and each split one compare-and-branch, which the JIT compiles far tighter than
 * a loop over node arrays while the code stays small.
 */
const generatedSum = (trees: readonly Tree[]): ((x: Float32Array) => number) => {
  const chunks: string[][] = [[]];
  let inChunk = 0;
  for (const t of trees) {
    if (inChunk > 0 && inChunk + t.feature.length > NODES_PER_CHUNK) {
      chunks.push([]);
      inChunk = 0;
    }
    chunks[chunks.length - 1]!.push(`s = fround(s + ${treeSource(t, 0)});`);
    inChunk += t.feature.length;
  }
  const sums = chunks.map(
    (lines) =>
      new Function(
        "fround",
        `"use strict"; return function trees(x, s) {\n${lines.join("\n")}\nreturn s;\n};`,
      )(Math.fround) as (x: Float32Array, s: number) => number,
  );
  return (x) => {
    let s = 0;
    for (let c = 0; c < sums.length; c++) s = sums[c]!(x, s);
    return s;
  };
};

/** All trees in one flat node layout with absolute child indices, walked by a single loop. */
const walkedSum = (trees: readonly Tree[], nodeCount: number): ((x: Float32Array) => number) => {
  const feature = new Int32Array(nodeCount);
  const threshold = new Float32Array(nodeCount);
  const yes = new Int32Array(nodeCount);
  const no = new Int32Array(nodeCount);
  const missingYes = new Uint8Array(nodeCount);
  const leaf = new Float64Array(nodeCount);
  const roots = new Int32Array(trees.length);
  let base = 0;
  trees.forEach((t, ti) => {
    roots[ti] = base;
    for (let i = 0; i < t.feature.length; i++) {
      feature[base + i] = t.feature[i]!;
      threshold[base + i] = t.threshold[i]!;
      yes[base + i] = base + t.yes[i]!;
      no[base + i] = base + t.no[i]!;
      missingYes[base + i] = t.missingYes[i] ? 1 : 0;
      leaf[base + i] = Math.fround(t.leaf[i]!);
    }
    base += t.feature.length;
  });
  return (x) => {
    let s = 0;
    for (let t = 0; t < roots.length; t++) {
      let i = roots[t]!;
      let f = feature[i]!;
      while (f !== LEAF) {
        const v = x[f]!;
        // NaN fails `v < t`; only then does the node's missing direction matter.
        i = v < threshold[i]! || (missingYes[i] === 1 && Number.isNaN(v)) ? yes[i]! : no[i]!;
        f = feature[i]!;
      }
      s = Math.fround(s + leaf[i]!);
    }
    return s;
  };
};

export const compileTreeEnsemble = (
  json: TreeEnsembleJson,
  inputWidth: number,
  options: TreeEnsembleCompileOptions = {},
): TreeEnsemble => {
  if (json.kind !== "treeEnsemble" || json.postTransform !== "logistic")
    throw new Error(`not a logistic tree ensemble (kind ${json.kind}, transform ${json.postTransform})`);
  for (let ti = 0; ti < json.trees.length; ti++) validateTree(json.trees[ti]!, ti, inputWidth);
  const nodeCount = json.trees.reduce((n, t) => n + t.feature.length, 0);
  const sum =
    nodeCount <= (options.generatedMaxNodes ?? GENERATED_MAX_NODES)
      ? generatedSum(json.trees)
      : walkedSum(json.trees, nodeCount);
  const baseValue = Math.fround(json.baseValue);
  // Rounding the row to float32 once replaces a rounding per split; ONNX compares in float32.
  const x = new Float32Array(inputWidth);

  const probability = (rows: ArrayLike<number>, offset = 0): number => {
    for (let f = 0; f < inputWidth; f++) x[f] = rows[offset + f]!;
    return 1 / (1 + Math.exp(-Math.fround(sum(x) + baseValue)));
  };

  return {
    kind: "treeEnsemble",
    inputWidth,
    treeCount: json.trees.length,
    nodeCount,
    probability,
    probabilities: (rows, count, out) => {
      for (let r = 0; r < count; r++) out[r] = probability(rows, r * inputWidth);
      return out;
    },
  };
};
