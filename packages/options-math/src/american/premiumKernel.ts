/**
 * Early exercise premium of a strike-1 put, price only, straight from a boundary surface: no per-expiry
 * slice, so a chain whose contracts all have different expiries costs the same per contract as one
 * with a single expiry.
 *
 * Per contract and quadrature point: ln B = ln X − √H from the σ-panel's five Chebyshev series of
 * H = (ln X − ln B)², interpolated barycentrically in ln σ (as the slices do). The premium integral
 * (Kim's representation, as in expirySlice.ts) uses 14 + 10 Gauss-Legendre points split at T/2, graded
 * like the slices (t = h²z⁴ near today, T − t = y² near expiry): enough for prices to 1e-4 per 100 of
 * spot, not for the gamma the slices serve. Points whose d− exceeds CUTOFF_D are skipped before the
 * boundary is evaluated, using ln B ≤ ln X as the bound.
 */
import { gaussLegendre } from "../internal/quadrature.js";
import { normCdfGivenDensity } from "../normal.js";
import { BoundarySurface, COEFFS, VARIANTS, VOL_NODES } from "./boundarySurface.js";

/** Distance between consecutive σ nodes' base-variant coefficient vectors in BoundaryPanel.coef. */
const STRIDE = VARIANTS * COEFFS;
if (VOL_NODES !== 5) throw new Error("premiumKernel unrolls exactly five σ nodes");

const CUTOFF_D = 8.5;
export const PRICE_NEAR_POINTS = 16;
export const PRICE_FAR_POINTS = 12;
const POINTS = PRICE_NEAR_POINTS + PRICE_FAR_POINTS;

/** Unit-interval nodes: t = T·timeFraction, weight = T·weightFraction, √t = √T·sqrtFraction. */
const timeFraction = new Float64Array(POINTS);
const sqrtFraction = new Float64Array(POINTS);
const weightFraction = new Float64Array(POINTS);
{
  const h = Math.sqrt(0.5);
  for (let part = 0; part < 2; part++) {
    const count = part === 0 ? PRICE_NEAR_POINTS : PRICE_FAR_POINTS;
    const gl = gaussLegendre(count);
    for (let j = 0; j < count; j++) {
      const z = 0.5 * (1 + gl.nodes[j]!);
      const y = part === 0 ? h * z * z : h * z;
      const k = part === 0 ? j : PRICE_NEAR_POINTS + j;
      const t = part === 0 ? y * y : 1 - y * y;
      timeFraction[k] = t;
      sqrtFraction[k] = Math.sqrt(t);
      weightFraction[k] = 2 * y * (part === 0 ? 2 * h * z : h) * 0.5 * gl.weights[j]!;
    }
  }
}

/**
 * Per-expiry geometry, rebuilt only when T or the rates change between consecutive calls (batch
 * callers visit contracts in expiry order): points, weights, Chebyshev arguments, discount factors.
 */
const geometry = {
  T: Number.NaN,
  rate: Number.NaN,
  divYield: Number.NaN,
  horizon: Number.NaN,
  todayArg: 0,
};
const gT = new Float64Array(POINTS);
const gSqrtT = new Float64Array(POINTS);
const gWeight = new Float64Array(POINTS);
const gArg = new Float64Array(POINTS);
const gDfR = new Float64Array(POINTS);
const gDfQ = new Float64Array(POINTS);

function setGeometry(T: number, r: number, q: number, horizon: number): void {
  const sqrtT = Math.sqrt(T);
  for (let j = 0; j < POINTS; j++) {
    const t = T * timeFraction[j]!;
    gT[j] = t;
    gSqrtT[j] = sqrtT * sqrtFraction[j]!;
    gWeight[j] = T * weightFraction[j]!;
    gArg[j] = 2 * Math.sqrt(Math.max(T - t, 0) / horizon) - 1;
    gDfR[j] = Math.exp(-r * t);
    gDfQ[j] = Math.exp(-q * t);
  }
  geometry.T = T;
  geometry.rate = r;
  geometry.divYield = q;
  geometry.horizon = horizon;
  geometry.todayArg = 2 * Math.sqrt(T / horizon) - 1;
}

const ell = new Float64Array(VOL_NODES);

/**
 * ln X − ln B at Chebyshev argument w, interpolated in ln σ: the five nodes' Clenshaw recurrences run
 * in one loop (independent chains, so the CPU overlaps them) and their √H are combined with the
 * barycentric weights. Interpolating ln B rather than H matters: combining the H coefficients first is
 * 5x cheaper but puts deep in-the-money prices 3e-4 off.
 */
function capGap(coef: Float64Array, w: number): number {
  const w2 = 2 * w;
  const s1 = STRIDE;
  const s2 = 2 * STRIDE;
  const s3 = 3 * STRIDE;
  const s4 = 4 * STRIDE;
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
    const a0 = coef[k]! + w2 * a1 - a2;
    const b0 = coef[s1 + k]! + w2 * b1 - b2;
    const c0 = coef[s2 + k]! + w2 * c1 - c2;
    const d0 = coef[s3 + k]! + w2 * d1 - d2;
    const e0 = coef[s4 + k]! + w2 * e1 - e2;
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
  const ha = coef[0]! + w * a1 - a2;
  const hb = coef[s1]! + w * b1 - b2;
  const hc = coef[s2]! + w * c1 - c2;
  const hd = coef[s3]! + w * d1 - d2;
  const he = coef[s4]! + w * e1 - e2;
  return (
    ell[0]! * (ha > 0 ? Math.sqrt(ha) : 0) +
    ell[1]! * (hb > 0 ? Math.sqrt(hb) : 0) +
    ell[2]! * (hc > 0 ? Math.sqrt(hc) : 0) +
    ell[3]! * (hd > 0 ? Math.sqrt(hd) : 0) +
    ell[4]! * (he > 0 ? Math.sqrt(he) : 0)
  );
}

/**
 * Premium of a strike-1 American put over its European value at spot x, expiry T and volatility σ,
 * for the put rate r and yield q of `surface` (caller checks surfaceApplies). Returns −1 when x is in
 * the exercise region today (the put is worth 1 − x).
 */
export function putPremium(surface: BoundarySurface, x: number, T: number, vol: number): number {
  const r = surface.rate;
  const q = surface.divYield;
  if (
    T !== geometry.T ||
    r !== geometry.rate ||
    q !== geometry.divYield ||
    surface.horizon !== geometry.horizon
  ) {
    setGeometry(T, r, q, surface.horizon);
  }
  const panel = surface.panel(BoundarySurface.panelIndex(vol));
  // Barycentric weights in u = ln σ (Lobatto nodes); on a node the 0/0 is avoided by a 1e-9 shift.
  let u = Math.log(vol);
  for (let m = 0; m < VOL_NODES; m++) if (u === panel.nodeU[m]) u += 1e-9;
  let sum = 0;
  for (let m = 0; m < VOL_NODES; m++) {
    const a = panel.baryWeight[m]! / (u - panel.nodeU[m]!);
    ell[m] = a;
    sum += a;
  }
  for (let m = 0; m < VOL_NODES; m++) ell[m] = ell[m]! / sum;
  const coef = panel.coef;
  // ln X depends on r and q only, so every node's base variant has the same cap.
  const lnCap = panel.lnCap[0]!;
  const lnx = Math.log(x);
  if (lnx <= lnCap - capGap(coef, geometry.todayArg)) return -1;
  const drift = r - q + 0.5 * vol * vol;
  let premium = 0;
  for (let j = 0; j < POINTS; j++) {
    const t = gT[j]!;
    const v = vol * gSqrtT[j]!;
    const base = lnx + drift * t;
    // ln B ≤ ln X bounds d− from below without the boundary: skip points that cannot contribute.
    if ((base - lnCap) / v - v > CUTOFF_D) continue;
    const L = lnCap - capGap(coef, gArg[j]!);
    const dPlus = (base - L) / v;
    const dMinus = dPlus - v;
    if (dMinus > CUTOFF_D) continue;
    const dfr = gDfR[j]!;
    const dfq = gDfQ[j]!;
    const eMinus = Math.exp(-0.5 * dMinus * dMinus);
    // e^{−d+²/2} = e^{−d−²/2}·B·e^{−rt}/(x·e^{−qt}): one exponential serves both tails.
    const ePlus = (eMinus * Math.exp(L) * dfr) / (x * dfq);
    premium +=
      gWeight[j]! *
      (r * dfr * normCdfGivenDensity(-dMinus, eMinus) - q * x * dfq * normCdfGivenDensity(-dPlus, ePlus));
  }
  return Math.max(premium, 0);
}
