/**
 * Evaluation of one σ node of a boundary panel at a Chebyshev argument w: ln B = ln X − √H for the
 * base solve and the four rate/yield-bumped ones, and (for slices moved in T) the slopes of ln B along
 * a stretch of τ.
 *
 * The five Clenshaw recurrences run in one loop on locals: they are independent chains the CPU
 * overlaps, and nothing goes through memory between steps. Each recurrence performs exactly the
 * operations of chebyshevEvaluate, in the same order, so values are bit-identical to evaluating the
 * variants one by one.
 */
import { type BoundaryPanel, COEFFS, PARAM_BUMP, VARIANTS } from "./boundarySurface.js";

const INV_2H = 1 / (2 * PARAM_BUMP);

/** Output of boundaryAt: ln B and its central-difference derivatives in r and q. */
export const boundaryValue = { lnB: 0, dR: 0, dQ: 0 };

/** ln X − √H, with √H taken as 0 where the interpolant of H dips to or below 0 (τ → 0). */
function lnB(cap: number, H: number): number {
  return cap - (H > 0 ? Math.sqrt(H) : 0);
}

/** ln B at w for node m of the panel, and ∂ln B/∂r, ∂ln B/∂q (central differences), into boundaryValue. */
export function boundaryAt(panel: BoundaryPanel, m: number, w: number): void {
  const c = panel.coef;
  const i0 = m * VARIANTS * COEFFS;
  const i1 = i0 + COEFFS;
  const i2 = i1 + COEFFS;
  const i3 = i2 + COEFFS;
  const i4 = i3 + COEFFS;
  const w2 = 2 * w;
  let a1 = 0;
  let a2 = 0;
  let b1 = 0;
  let b2 = 0;
  let c1 = 0;
  let c2 = 0;
  let d1 = 0;
  let d2 = 0;
  let e1 = 0;
  let e2 = 0;
  for (let k = COEFFS - 1; k >= 1; k--) {
    const a0 = c[i0 + k]! + w2 * a1 - a2;
    const b0 = c[i1 + k]! + w2 * b1 - b2;
    const c0 = c[i2 + k]! + w2 * c1 - c2;
    const d0 = c[i3 + k]! + w2 * d1 - d2;
    const e0 = c[i4 + k]! + w2 * e1 - e2;
    a2 = a1;
    a1 = a0;
    b2 = b1;
    b1 = b0;
    c2 = c1;
    c1 = c0;
    d2 = d1;
    d1 = d0;
    e2 = e1;
    e1 = e0;
  }
  const cap = panel.lnCap;
  const j = m * VARIANTS;
  boundaryValue.lnB = lnB(cap[j]!, c[i0]! + w * a1 - a2);
  const up = lnB(cap[j + 1]!, c[i1]! + w * b1 - b2);
  const down = lnB(cap[j + 2]!, c[i2]! + w * c1 - c2);
  boundaryValue.dR = (up - down) * INV_2H;
  const qUp = lnB(cap[j + 3]!, c[i3]! + w * d1 - d2);
  const qDown = lnB(cap[j + 4]!, c[i4]! + w * e1 - e2);
  boundaryValue.dQ = (qUp - qDown) * INV_2H;
}

/**
 * Chebyshev coefficients of H′ and H″ for every (node, variant) of a panel, same layout as
 * panel.coef (the top one or two entries are zero). d_{k−1} = d_{k+1} + 2k·a_k, then d_0 halved.
 */
export function derivativeCoefficients(coef: Float64Array): { d1: Float64Array; d2: Float64Array } {
  const d1 = new Float64Array(coef.length);
  const d2 = new Float64Array(coef.length);
  for (let base = 0; base < coef.length; base += COEFFS) {
    differentiate(coef, d1, base);
    differentiate(d1, d2, base);
  }
  return { d1, d2 };
}

function differentiate(a: Float64Array, out: Float64Array, base: number): void {
  const n = COEFFS - 1;
  let next = 0; // d_{k+1}
  let cur = 0; // d_k
  out[base + n] = 0;
  for (let k = n; k >= 1; k--) {
    const d = next + 2 * k * a[base + k]!;
    out[base + k - 1] = d;
    next = cur;
    cur = d;
  }
  out[base] = 0.5 * out[base]!;
}

/**
 * Slopes of ln B for node m when τ is stretched by a factor (1 + η)² around the point with Chebyshev
 * argument w (so w + 1 scales by 1 + η): d ln B/dη and d² ln B/dη² of the base solve, and d/dη of
 * ∂ln B/∂r and ∂ln B/∂q. With f = √H: f′ = H′/(2f), f″ = (H″ − 2f′²)/(2f), and d/dη = (w + 1)·d/dw.
 * Where H ≤ 0 (ln B pinned at ln X) the slopes are 0, as is the value's dependence on w.
 */
export const boundarySlope = { dEta: 0, dEta2: 0, dRdEta: 0, dQdEta: 0 };

/** Clenshaw sums Σ a_k T_k(w) for H of the five variants, H′ of the five and H″ of the base, in one loop. */
export function boundarySlopeAt(
  panel: BoundaryPanel,
  d1: Float64Array,
  d2: Float64Array,
  m: number,
  w: number,
): void {
  const c = panel.coef;
  const i0 = m * VARIANTS * COEFFS;
  const i1 = i0 + COEFFS;
  const i2 = i1 + COEFFS;
  const i3 = i2 + COEFFS;
  const i4 = i3 + COEFFS;
  const w2 = 2 * w;
  // Value chains (h), first-derivative chains (g) per variant 0..4, second-derivative chain (s).
  let h01 = 0,
    h02 = 0,
    h11 = 0,
    h12 = 0,
    h21 = 0,
    h22 = 0,
    h31 = 0,
    h32 = 0,
    h41 = 0,
    h42 = 0;
  let g01 = 0,
    g02 = 0,
    g11 = 0,
    g12 = 0,
    g21 = 0,
    g22 = 0,
    g31 = 0,
    g32 = 0,
    g41 = 0,
    g42 = 0;
  let s1 = 0,
    s2 = 0;
  for (let k = COEFFS - 1; k >= 1; k--) {
    const h0 = c[i0 + k]! + w2 * h01 - h02;
    const h1 = c[i1 + k]! + w2 * h11 - h12;
    const h2 = c[i2 + k]! + w2 * h21 - h22;
    const h3 = c[i3 + k]! + w2 * h31 - h32;
    const h4 = c[i4 + k]! + w2 * h41 - h42;
    const g0 = d1[i0 + k]! + w2 * g01 - g02;
    const g1 = d1[i1 + k]! + w2 * g11 - g12;
    const g2 = d1[i2 + k]! + w2 * g21 - g22;
    const g3 = d1[i3 + k]! + w2 * g31 - g32;
    const g4 = d1[i4 + k]! + w2 * g41 - g42;
    const s0 = d2[i0 + k]! + w2 * s1 - s2;
    h02 = h01;
    h01 = h0;
    h12 = h11;
    h11 = h1;
    h22 = h21;
    h21 = h2;
    h32 = h31;
    h31 = h3;
    h42 = h41;
    h41 = h4;
    g02 = g01;
    g01 = g0;
    g12 = g11;
    g11 = g1;
    g22 = g21;
    g21 = g2;
    g32 = g31;
    g31 = g3;
    g42 = g41;
    g41 = g4;
    s2 = s1;
    s1 = s0;
  }
  const x = w + 1;
  const H = c[i0]! + w * h01 - h02;
  if (H > 0) {
    const f = Math.sqrt(H);
    const f1 = (d1[i0]! + w * g01 - g02) / (2 * f);
    const f2 = (d2[i0]! + w * s1 - s2 - 2 * f1 * f1) / (2 * f);
    boundarySlope.dEta = -x * f1;
    boundarySlope.dEta2 = -x * x * f2;
  } else {
    boundarySlope.dEta = 0;
    boundarySlope.dEta2 = 0;
  }
  const rUp = firstSlope(c[i1]! + w * h11 - h12, d1[i1]! + w * g11 - g12, x);
  const rDown = firstSlope(c[i2]! + w * h21 - h22, d1[i2]! + w * g21 - g22, x);
  const qUp = firstSlope(c[i3]! + w * h31 - h32, d1[i3]! + w * g31 - g32, x);
  const qDown = firstSlope(c[i4]! + w * h41 - h42, d1[i4]! + w * g41 - g42, x);
  boundarySlope.dRdEta = (rUp - rDown) * INV_2H;
  boundarySlope.dQdEta = (qUp - qDown) * INV_2H;
}

/** d ln B/dη = −(w + 1)·H′/(2√H) of one variant, from H and H′ at w. */
function firstSlope(H: number, dH: number, x: number): number {
  return H > 0 ? (-x * dH) / (2 * Math.sqrt(H)) : 0;
}
