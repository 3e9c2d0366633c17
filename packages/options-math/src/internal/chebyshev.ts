/**
 * Chebyshev interpolation on the n+1 extrema (Lobatto) nodes w_i = cos(iπ/n), i = 0..n: coefficients
 * by the discrete cosine transform, evaluation by Clenshaw. Spectral convergence for the smooth
 * transformed exercise boundary is what lets a handful of nodes reach 1e-6 accuracy.
 */
export function chebyshevNodes(n: number): Float64Array {
  const w = new Float64Array(n + 1);
  for (let i = 0; i <= n; i++) w[i] = Math.cos((Math.PI * i) / n);
  return w;
}

/** cos(π·k·i/n) table, (n+1)×(n+1), row k. */
export function chebyshevCosTable(n: number): Float64Array {
  const t = new Float64Array((n + 1) * (n + 1));
  for (let k = 0; k <= n; k++)
    for (let i = 0; i <= n; i++) t[k * (n + 1) + i] = Math.cos((Math.PI * k * i) / n);
  return t;
}

/** Coefficients a_k (end terms already halved, so p(w) = Σ a_k T_k(w)) from values y_i at the nodes. */
export function chebyshevCoefficients(
  n: number,
  y: Float64Array,
  cosTable: Float64Array,
  out: Float64Array,
): void {
  for (let k = 0; k <= n; k++) {
    let sum = 0.5 * (y[0]! + y[n]! * cosTable[k * (n + 1) + n]!);
    for (let i = 1; i < n; i++) sum += y[i]! * cosTable[k * (n + 1) + i]!;
    let a = (2 / n) * sum;
    if (k === 0 || k === n) a *= 0.5;
    out[k] = a;
  }
}

/** Clenshaw evaluation of Σ_{k=0..n} a_k T_k(w). */
export function chebyshevEvaluate(n: number, a: Float64Array, w: number): number {
  let b1 = 0;
  let b2 = 0;
  const w2 = 2 * w;
  for (let k = n; k >= 1; k--) {
    const b0 = a[k]! + w2 * b1 - b2;
    b2 = b1;
    b1 = b0;
  }
  return a[0]! + w * b1 - b2;
}
