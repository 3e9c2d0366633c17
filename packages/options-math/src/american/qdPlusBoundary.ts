/**
 * Initial American put exercise boundary B(τ) from Li's QD+ approximation (M. Li, "Analytical
 * approximations for the critical stock prices of American options", 2010), solved per node with
 * Halley steps from the τ→0 limit. It only seeds the fixed-point iteration, so a loose tolerance is fine.
 */
import { normCdfFast, normPdf } from "../normal.js";

const MAX_ITERATIONS = 12;

export function qdPlusPutBoundary(
  K: number,
  r: number,
  q: number,
  vol: number,
  tau: number,
  xMax: number,
): number {
  const sigma2 = vol * vol;
  const v = vol * Math.sqrt(tau);
  const dr = Math.exp(-r * tau);
  const dq = Math.exp(-q * tau);
  const h = 1 - dr;
  const omega = (2 * (r - q)) / sigma2;
  const root = Math.sqrt((omega - 1) * (omega - 1) + (8 * r) / (sigma2 * h));
  const lambda = 0.5 * (-(omega - 1) - root);
  const lambdaPrime = (2 * r) / (sigma2 * h * h * root);
  const denom = 2 * lambda + omega - 1;
  const alpha = (2 * dr * r) / (sigma2 * denom);
  const beta = alpha * (1 / h + lambdaPrime / denom) - lambda;
  const xMin = 1e4 * 2.220446049250313e-16 * xMax;
  const tolerance = 1e-9 * K;

  let x = xMax;
  for (let it = 0; it < MAX_ITERATIONS; it++) {
    const S = Math.max(x, 1e-300);
    const dp = Math.log((S * dq) / (K * dr)) / v + 0.5 * v;
    const dm = dp - v;
    const PhiDp = normCdfFast(-dp);
    const PhiDm = normCdfFast(-dm);
    const phiDp = normPdf(dp);
    const npv = dr * K * PhiDm - S * dq * PhiDp;
    const theta = r * K * dr * PhiDm - q * S * dq * PhiDp - ((sigma2 * S) / (2 * v)) * dq * phiDp;
    const charm = -dq * (phiDp * ((r - q) / v - dm / (2 * tau)) + q * PhiDp);
    const exercise = K - S - npv;
    const c0 = -beta - lambda + (alpha * theta) / (dr * r * exercise);
    const f =
      Math.abs(exercise) < 1e-14 * K
        ? (1 - dq * PhiDp) * S + (alpha * theta) / (dr * r)
        : (1 - dq * PhiDp) * S + (lambda + c0) * exercise;
    const fp = 1 - dq * PhiDp + (dq / v) * phiDp + beta * (1 - dq * PhiDp) + (alpha / (r * dr)) * charm;
    const gamma = (phiDp * dq) / (v * S);
    const colour = gamma * (q + ((r - q) * dp) / v + (1 - dp * dm) / (2 * tau));
    const fpp =
      dq * (phiDp / (S * v) - (phiDp * dp) / (S * v * v)) + beta * gamma + (alpha / (r * dr)) * colour;
    const lf = (f * fpp) / (fp * fp);
    const step = (1 / (1 - 0.5 * lf)) * (f / fp);
    const next = Math.max(xMin, x - step);
    if (!Number.isFinite(next)) break;
    const done = Math.abs(next - x) < tolerance;
    x = next;
    if (done) break;
  }
  return Math.min(x, xMax);
}
