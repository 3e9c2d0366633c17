/**
 * The training package's sequence model — one LSTM layer (PyTorch gate order i, f, g, o), a ReLU
 * dense layer and a sigmoid output — evaluated synchronously from its exported weights.
 *
 * The input projection `W_ih·z + b_ih + b_hh` of a decision depends only on that decision's
 * features, so it is computed once when the decision arrives and kept in the operator's history;
 * scoring a 60-decision window then runs only the recurrent part: 60 steps of 4·H×H multiply-adds
 * and 5·H sigmoid/tanh, with no allocation (generated straight-line code for small layers, a loop
 * over flat Float64Arrays otherwise). That recurrence cannot be carried
 * from one decision to the next — every window starts from a zero state 60 decisions back, as the
 * model was trained — so its cost is paid per decision and grows with the square of the units.
 * Inputs are standardised with the training window's mean/std and rounded to float32 as the ONNX
 * model sees them; a missing value becomes 0 (the training mean). Histories shorter than the window
 * are left-padded with zero inputs, exactly as in training.
 */
export interface LstmJson {
  readonly kind: "lstm";
  readonly sequenceLength: number;
  readonly hidden: number;
  readonly mean: readonly number[];
  readonly std: readonly number[];
  readonly weightIh: readonly number[];
  readonly weightHh: readonly number[];
  readonly biasIh: readonly number[];
  readonly biasHh: readonly number[];
  readonly denseWeight: readonly number[];
  readonly denseBias: readonly number[];
  readonly outWeight: readonly number[];
  readonly outBias: readonly number[];
}

export interface LstmNet {
  readonly kind: "lstm";
  readonly inputWidth: number;
  readonly sequenceLength: number;
  /** Units of the LSTM layer: a decision costs `sequenceLength` steps of 4·hidden² multiply-adds. */
  readonly hidden: number;
  /** Standardised float32 inputs of one decision (raw values, NaN = missing). */
  standardise(raw: ArrayLike<number>): Float32Array;
  /** The cached input projection of one decision, from its raw feature values. */
  project(raw: ArrayLike<number>): Float64Array;
  /** P(class 1) after the given projections, oldest first; at most `sequenceLength` are used. */
  probability(projections: ReadonlyArray<Float64Array>): number;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
// One Math.exp instead of Math.tanh, which costs about twice as much in V8; the absolute error
// (~1e-16) is far inside the 1e-5 parity budget.
const tanh = (x: number) => 2 / (1 + Math.exp(-2 * x)) - 1;

/**
 * Largest layer scored by generated straight-line code. The unrolled step has 4·H² terms: at 8 and
 * 16 units it measured 2x faster than the loop, at 32 units 8x slower (V8 no longer optimises a
 * function that size), so larger layers use the loop evaluator.
 */
const UNROLL_MAX_HIDDEN = 16;

const literal = (v: number, what: string): string => {
  if (typeof v !== "number" || !Number.isFinite(v))
    throw new Error(`lstm: ${what} is not a finite number (${v})`);
  return Object.is(v, -0) ? "-0" : String(v);
};

/**
 * The recurrence and output head as one JS function with every weight a constant and the state in
 * locals (`h0…`, `c0…`), so a step does no array loads besides the projection and no stores. Sums
 * keep the loop evaluator's order (projection first, then `w·h_j` for j ascending), and the gate
 * functions are the same expressions, so both evaluators return the same doubles.
 */
const unrolledSource = (
  H: number,
  wHh: Float64Array,
  dW: Float64Array,
  dB: Float64Array,
  oW: Float64Array,
  oB: number,
): string => {
  const units = Array.from({ length: H }, (_, k) => k);
  const gateSum = (row: number) =>
    `x[${row}]${units.map((j) => ` + ${literal(wHh[row * H + j]!, "weightHh")} * h${j}`).join("")}`;
  const lines = [
    `let ${units.map((k) => `h${k} = h[${k}], c${k} = c[${k}]`).join(", ")};`,
    "for (let p = from; p < to; p++) {",
    "const x = projections[p];",
  ];
  for (const k of units)
    lines.push(
      `const i${k} = 1 / (1 + Math.exp(-(${gateSum(k)})));`,
      `const f${k} = 1 / (1 + Math.exp(-(${gateSum(H + k)})));`,
      `const g${k} = 2 / (1 + Math.exp(-2 * (${gateSum(2 * H + k)}))) - 1;`,
      `const o${k} = 1 / (1 + Math.exp(-(${gateSum(3 * H + k)})));`,
    );
  for (const k of units) lines.push(`c${k} = f${k} * c${k} + i${k} * g${k};`);
  for (const k of units) lines.push(`h${k} = o${k} * (2 / (1 + Math.exp(-2 * c${k})) - 1);`);
  lines.push("}", `let out = ${literal(oB, "outBias")};`);
  dB.forEach((b, d) => {
    const terms = units.map((k) => ` + ${literal(dW[d * H + k]!, "denseWeight")} * h${k}`).join("");
    lines.push(`out += ${literal(oW[d]!, "outWeight")} * Math.max(0, ${literal(b, "denseBias")}${terms});`);
  });
  lines.push("return 1 / (1 + Math.exp(-out));");
  return lines.join("\n");
};

const expectLength = (name: string, arr: readonly number[], n: number) => {
  if (arr.length !== n) throw new Error(`lstm: ${name} has ${arr.length} values, expected ${n}`);
};

export interface LstmCompileOptions {
  /** Layers up to this many units are scored by generated code (default 16); 0 forces the loop. */
  readonly unrollMaxHidden?: number;
}

export const compileLstm = (
  json: LstmJson,
  inputWidth: number,
  options: LstmCompileOptions = {},
): LstmNet => {
  if (json.kind !== "lstm") throw new Error(`not an lstm model (kind ${json.kind})`);
  const H = json.hidden;
  const G = 4 * H;
  const D = json.denseBias.length;
  expectLength("mean", json.mean, inputWidth);
  expectLength("std", json.std, inputWidth);
  expectLength("weightIh", json.weightIh, G * inputWidth);
  expectLength("weightHh", json.weightHh, G * H);
  expectLength("biasIh", json.biasIh, G);
  expectLength("biasHh", json.biasHh, G);
  expectLength("denseWeight", json.denseWeight, D * H);
  expectLength("outWeight", json.outWeight, D);
  expectLength("outBias", json.outBias, 1);
  const wIh = Float64Array.from(json.weightIh);
  const wHh = Float64Array.from(json.weightHh);
  const bias = Float64Array.from(json.biasIh, (b, k) => b + json.biasHh[k]!);
  const dW = Float64Array.from(json.denseWeight);
  const dB = Float64Array.from(json.denseBias);
  const oW = Float64Array.from(json.outWeight);
  const oB = json.outBias[0]!;
  const mean = Float64Array.from(json.mean);
  const std = Float64Array.from(json.std);
  const L = json.sequenceLength;
  // Scratch buffers: scoring is synchronous and single-threaded, so one set per compiled model is safe.
  // The hidden state is double-buffered: every gate of a step reads the previous step's h.
  let h = new Float64Array(H);
  let hNext = new Float64Array(H);
  const c = new Float64Array(H);
  const z = new Float32Array(inputWidth);

  const standardiseInto = (raw: ArrayLike<number>, out: Float32Array): Float32Array => {
    for (let f = 0; f < inputWidth; f++) {
      const v = (raw[f]! - mean[f]!) / std[f]!;
      out[f] = Number.isFinite(v) ? v : 0;
    }
    return out;
  };

  const standardise = (raw: ArrayLike<number>): Float32Array =>
    standardiseInto(raw, new Float32Array(inputWidth));

  const project = (raw: ArrayLike<number>): Float64Array => {
    standardiseInto(raw, z);
    const out = new Float64Array(G);
    for (let g = 0; g < G; g++) {
      let s = bias[g]!;
      const row = g * inputWidth;
      for (let f = 0; f < inputWidth; f++) s += wIh[row + f]! * z[f]!;
      out[g] = s;
    }
    return out;
  };

  // One recurrent step: the four gate rows of unit k are k, H+k, 2H+k, 3H+k of W_hh; the
  // summation order per gate is the same as a plain row-by-row matrix-vector product.
  const step = (projection: Float64Array) => {
    for (let k = 0; k < H; k++) {
      let si = projection[k]!;
      let sf = projection[H + k]!;
      let sg = projection[2 * H + k]!;
      let so = projection[3 * H + k]!;
      const ri = k * H;
      const rf = (H + k) * H;
      const rg = (2 * H + k) * H;
      const ro = (3 * H + k) * H;
      for (let j = 0; j < H; j++) {
        const hj = h[j]!;
        si += wHh[ri + j]! * hj;
        sf += wHh[rf + j]! * hj;
        sg += wHh[rg + j]! * hj;
        so += wHh[ro + j]! * hj;
      }
      const ck = sigmoid(sf) * c[k]! + sigmoid(si) * tanh(sg);
      c[k] = ck;
      hNext[k] = sigmoid(so) * tanh(ck);
    }
    const t = h;
    h = hNext;
    hNext = t;
  };

  // Short histories are left-padded with zero inputs, whose projection is the bias alone: the
  // state after k padding steps is the same for every underlying, so it is computed once here.
  const paddedH: Float64Array[] = [new Float64Array(H)];
  const paddedC: Float64Array[] = [new Float64Array(H)];
  h.fill(0);
  c.fill(0);
  for (let k = 1; k <= L; k++) {
    step(bias);
    paddedH.push(Float64Array.from(h));
    paddedC.push(Float64Array.from(c));
  }

  const loopProbability = (projections: ReadonlyArray<Float64Array>): number => {
    const used = Math.min(projections.length, L);
    h.set(paddedH[L - used]!);
    c.set(paddedC[L - used]!);
    for (let p = projections.length - used; p < projections.length; p++) step(projections[p]!);
    let out = oB;
    for (let d = 0; d < D; d++) {
      let s = dB[d]!;
      for (let k = 0; k < H; k++) s += dW[d * H + k]! * h[k]!;
      out += oW[d]! * Math.max(0, s);
    }
    return sigmoid(out);
  };

  // Same numbers as the loop, about 2x cheaper at 8 units (bench/score.mjs): the per-step cost
  // left is mostly the 5·H Math.exp calls.
  const unrolled =
    H <= (options.unrollMaxHidden ?? UNROLL_MAX_HIDDEN)
      ? (new Function(
          `"use strict"; return function lstmWindow(projections, from, to, h, c) {\n${unrolledSource(H, wHh, dW, dB, oW, oB)}\n};`,
        )() as (
          projections: ReadonlyArray<Float64Array>,
          from: number,
          to: number,
          h: Float64Array,
          c: Float64Array,
        ) => number)
      : undefined;

  const probability =
    unrolled === undefined
      ? loopProbability
      : (projections: ReadonlyArray<Float64Array>): number => {
          const used = Math.min(projections.length, L);
          return unrolled(
            projections,
            projections.length - used,
            projections.length,
            paddedH[L - used]!,
            paddedC[L - used]!,
          );
        };

  return { kind: "lstm", inputWidth, sequenceLength: L, hidden: H, standardise, project, probability };
};
