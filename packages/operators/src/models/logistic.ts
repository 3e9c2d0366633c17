/**
 * The linear baseline (median imputation, standardisation, logistic regression) evaluated from its
 * exported coefficients. Inputs are rounded to float32 first, as the ONNX model receives them.
 */
export interface LogisticJson {
  readonly kind: "logistic";
  readonly median: readonly number[];
  readonly mean: readonly number[];
  readonly scale: readonly number[];
  readonly coef: readonly number[];
  readonly intercept: number;
}

export interface LogisticModel {
  readonly kind: "logistic";
  readonly inputWidth: number;
  probability(row: ArrayLike<number>, offset?: number): number;
}

export const compileLogistic = (json: LogisticJson, inputWidth: number): LogisticModel => {
  if (json.kind !== "logistic") throw new Error(`not a logistic model (kind ${json.kind})`);
  for (const [name, arr] of Object.entries({
    median: json.median,
    mean: json.mean,
    scale: json.scale,
    coef: json.coef,
  }))
    if (arr.length !== inputWidth)
      throw new Error(`logistic: ${name} has ${arr.length} values, expected ${inputWidth}`);
  const median = Float64Array.from(json.median);
  const mean = Float64Array.from(json.mean);
  const scale = Float64Array.from(json.scale);
  const coef = Float64Array.from(json.coef);
  return {
    kind: "logistic",
    inputWidth,
    probability: (row, offset = 0) => {
      let s = json.intercept;
      for (let f = 0; f < inputWidth; f++) {
        const x = Math.fround(row[offset + f]!);
        s += (coef[f]! * ((Number.isNaN(x) ? median[f]! : x) - mean[f]!)) / scale[f]!;
      }
      return 1 / (1 + Math.exp(-s));
    },
  };
};
