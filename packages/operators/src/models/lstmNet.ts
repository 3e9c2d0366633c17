/**
 * The training package's sequence model — one LSTM layer (PyTorch gate order i, f, g, o), a ReLU
 * dense layer and a sigmoid output — evaluated synchronously from its exported weights.
 *
 * The input projection `W_ih·z + b_ih + b_hh` of a decision depends only on that decision's
 * features, so it is computed once when the decision arrives and kept in the operator's history;
 * scoring a 60-decision window then runs only the recurrent part. Inputs are standardised with the
 * training window's mean/std and rounded to float32 as the ONNX model sees them; a missing value
 * becomes 0 (the training mean). Histories shorter than the window are left-padded with zero inputs,
 * exactly as in training.
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
  /** Standardised float32 inputs of one decision (raw values, NaN = missing). */
  standardise(raw: ArrayLike<number>): Float32Array;
  /** The cached input projection of one decision, from its raw feature values. */
  project(raw: ArrayLike<number>): Float64Array;
  /** P(class 1) after the given projections, oldest first; at most `sequenceLength` are used. */
  probability(projections: ReadonlyArray<Float64Array>): number;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

const expectLength = (name: string, arr: readonly number[], n: number) => {
  if (arr.length !== n) throw new Error(`lstm: ${name} has ${arr.length} values, expected ${n}`);
};

export const compileLstm = (json: LstmJson, inputWidth: number): LstmNet => {
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
  const padding = Float64Array.from(bias);
  // Scratch buffers: scoring is synchronous and single-threaded, so one set per compiled model is safe.
  const h = new Float64Array(H);
  const c = new Float64Array(H);
  const gates = new Float64Array(G);
  const z = new Float32Array(inputWidth);

  const standardise = (raw: ArrayLike<number>): Float32Array => {
    const out = new Float32Array(inputWidth);
    for (let f = 0; f < inputWidth; f++) {
      const v = (raw[f]! - mean[f]!) / std[f]!;
      out[f] = Number.isFinite(v) ? v : 0;
    }
    return out;
  };

  const project = (raw: ArrayLike<number>): Float64Array => {
    z.set(standardise(raw));
    const out = new Float64Array(G);
    for (let g = 0; g < G; g++) {
      let s = bias[g]!;
      const row = g * inputWidth;
      for (let f = 0; f < inputWidth; f++) s += wIh[row + f]! * z[f]!;
      out[g] = s;
    }
    return out;
  };

  const step = (projection: Float64Array) => {
    for (let g = 0; g < G; g++) {
      let s = projection[g]!;
      const row = g * H;
      for (let k = 0; k < H; k++) s += wHh[row + k]! * h[k]!;
      gates[g] = s;
    }
    for (let k = 0; k < H; k++) {
      const i = sigmoid(gates[k]!);
      const f = sigmoid(gates[H + k]!);
      const g = Math.tanh(gates[2 * H + k]!);
      const o = sigmoid(gates[3 * H + k]!);
      c[k] = f * c[k]! + i * g;
      h[k] = o * Math.tanh(c[k]!);
    }
  };

  const probability = (projections: ReadonlyArray<Float64Array>): number => {
    h.fill(0);
    c.fill(0);
    const used = Math.min(projections.length, json.sequenceLength);
    for (let p = used; p < json.sequenceLength; p++) step(padding);
    for (let p = projections.length - used; p < projections.length; p++) step(projections[p]!);
    let out = oB;
    for (let d = 0; d < D; d++) {
      let s = dB[d]!;
      for (let k = 0; k < H; k++) s += dW[d * H + k]! * h[k]!;
      out += oW[d]! * Math.max(0, s);
    }
    return sigmoid(out);
  };

  return { kind: "lstm", inputWidth, sequenceLength: json.sequenceLength, standardise, project, probability };
};
