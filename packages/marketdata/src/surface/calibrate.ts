import { readFileSync } from "node:fs";
import { referenceFile } from "../referenceData.js";
import { type SsviParams, ssviParameterViolations, ssviTotalVariance } from "./ssvi.js";

/** One quoted point of a reference surface: moneyness K/S, expiry in years, implied vol. */
export interface SurfacePoint {
  readonly moneyness: number;
  readonly tYears: number;
  readonly iv: number;
}

/** Reads the committed Andreasen-Huge Euro Stoxx 50 surface (see replays/reference/README.md). */
export const loadReferenceSurface = (
  path = referenceFile("sx5e-andreasen-huge-2010-03-01.csv"),
): SurfacePoint[] => {
  const lines = readFileSync(path, "utf8").trim().split(/\r?\n/).slice(1);
  return lines.map((line, i) => {
    const cells = line.split(",");
    const point = { moneyness: Number(cells[2]), tYears: Number(cells[4]), iv: Number(cells[5]) };
    if (![point.moneyness, point.tYears, point.iv].every(Number.isFinite)) {
      throw new Error(`${path}:${i + 2}: not a numeric surface row`);
    }
    return point;
  });
};

/** At-the-money total variance of one expiry, by linear interpolation of total variance in log-moneyness. */
const atmThetaOf = (slice: SurfacePoint[]): number => {
  const pts = slice
    .map((p) => ({ k: Math.log(p.moneyness), w: p.iv * p.iv * p.tYears }))
    .sort((a, b) => a.k - b.k);
  for (let i = 1; i < pts.length; i++) {
    const a = pts[i - 1]!;
    const b = pts[i]!;
    if (a.k <= 0 && b.k >= 0) return a.w + ((b.w - a.w) * (0 - a.k)) / (b.k - a.k);
  }
  return pts.reduce((best, p) => (Math.abs(p.k) < Math.abs(best.k) ? p : best)).w;
};

/** Nelder-Mead on a small box-constrained problem; deterministic (fixed start, fixed iteration cap). */
const nelderMead = (
  f: (x: number[]) => number,
  start: number[],
  step: number[],
  iterations: number,
): number[] => {
  const n = start.length;
  let simplex = [start, ...start.map((_, i) => start.map((v, j) => (i === j ? v + step[i]! : v)))];
  let values = simplex.map(f);
  for (let it = 0; it < iterations; it++) {
    const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
    simplex = order.map(([, i]) => simplex[i]!);
    values = order.map(([v]) => v);
    const centroid = Array.from(
      { length: n },
      (_, j) => simplex.slice(0, n).reduce((s, x) => s + x[j]!, 0) / n,
    );
    const worst = simplex[n]!;
    const along = (t: number) => centroid.map((c, j) => c + t * (worst[j]! - c));
    const reflected = along(-1);
    const fr = f(reflected);
    if (fr < values[0]!) {
      const expanded = along(-2);
      const fe = f(expanded);
      [simplex[n], values[n]] = fe < fr ? [expanded, fe] : [reflected, fr];
    } else if (fr < values[n - 1]!) {
      [simplex[n], values[n]] = [reflected, fr];
    } else {
      const contracted = along(0.5);
      const fc = f(contracted);
      if (fc < values[n]!) {
        [simplex[n], values[n]] = [contracted, fc];
      } else {
        const best = simplex[0]!;
        simplex = simplex.map((x, i) => (i === 0 ? x : x.map((v, j) => best[j]! + 0.5 * (v - best[j]!))));
        values = simplex.map(f);
      }
    }
  }
  const bestIndex = values.indexOf(Math.min(...values));
  return simplex[bestIndex]!;
};

export interface SsviFit {
  readonly params: SsviParams;
  /** Root-mean-square implied-vol error over all points, in vol points (0.01 = 1%). */
  readonly rmse: number;
  readonly points: number;
}

/**
 * Fits the shape parameters (ρ, η, γ) of SSVI to a quoted surface, with each expiry's θ taken from
 * its own at-the-money interpolation. The parameters are clamped into the no-arbitrage region,
 * so the fit can only return an arbitrage-free shape.
 */
export const calibrateSsvi = (points: ReadonlyArray<SurfacePoint>): SsviFit => {
  const byExpiry = new Map<number, SurfacePoint[]>();
  for (const p of points) byExpiry.set(p.tYears, [...(byExpiry.get(p.tYears) ?? []), p]);
  const thetas = new Map([...byExpiry].map(([t, slice]) => [t, atmThetaOf(slice)]));
  const toParams = (x: number[]): SsviParams => {
    const rho = Math.tanh(x[0]!) * 0.999;
    const gamma = 0.01 + 0.49 / (1 + Math.exp(-x[2]!));
    const eta = 2 / (1 + Math.abs(rho)) / (1 + Math.exp(-x[1]!));
    return { rho, eta, gamma };
  };
  const sse = (x: number[]): number => {
    const p = toParams(x);
    let s = 0;
    for (const pt of points) {
      const w = ssviTotalVariance(p, thetas.get(pt.tYears)!, Math.log(pt.moneyness));
      s += (Math.sqrt(w / pt.tYears) - pt.iv) ** 2;
    }
    return s;
  };
  const x = nelderMead(sse, [-0.7, 0, 0], [0.3, 0.5, 0.5], 600);
  const params = toParams(x);
  const violations = ssviParameterViolations(params);
  if (violations.length > 0)
    throw new Error(`SSVI calibration left the arbitrage-free region: ${violations.join("; ")}`);
  return { params, rmse: Math.sqrt(sse(x) / points.length), points: points.length };
};
