/**
 * Exercise-boundary surfaces shared by every strike and expiry of a chain.
 *
 * Homogeneity: an American put with strike K has the exercise boundary B(τ) = K·b(τ; r, q, σ), where b
 * depends neither on K, nor on the spot, nor on the expiry T (τ is time to maturity; a longer-dated
 * contract simply sees more of the same curve). So one ALO collocation solve with K = 1 on a horizon
 * Tₕ ≥ T serves every strike of every expiry up to Tₕ. Horizons are dyadic (Tₕ = 2^⌈log₂T⌉) so the
 * Chebyshev grid in √τ is never more than √2 coarser than a solve on [0, T].
 *
 * A smile gives every strike its own σ. The boundary is smooth in ln σ, so it is tabulated on panels of
 * ln σ (each a ratio PANEL_RATIO wide, VOL_NODES Chebyshev-Lobatto nodes) and interpolated
 * barycentrically; ∂/∂σ is the derivative of that interpolant. ∂/∂r and ∂/∂q of the boundary (for rho)
 * come from central differences of solves at r ± h and q ± h, all with the same fixed-point equation
 * and sweep count so the discrete boundary is a smooth function of the parameters.
 *
 * Surfaces are cached per (r, q, Tₕ) and panels built lazily: with a fixed rate and dividend yield a
 * multi-year backtest needs a few dozen panels in all.
 */
import { AmericanPutEngine, type AmericanScheme } from "./putEngine.js";

/** Collocation used for the tables: the `accurate` scheme's boundary (its price quadrature is unused). */
const TABLE_NODES = 12;
const TABLE_SWEEPS = 6;
const TABLE_QUADRATURE = 12;
const schemeA: AmericanScheme = {
  chebyshevNodes: TABLE_NODES,
  fixedPointSweeps: TABLE_SWEEPS,
  boundaryQuadrature: TABLE_QUADRATURE,
  priceQuadrature: 8,
  equation: "A",
};
const schemeB: AmericanScheme = { ...schemeA, equation: "B" };
const engineA = new AmericanPutEngine(schemeA);
const engineB = new AmericanPutEngine(schemeB);

/** Chebyshev-Lobatto nodes per panel in ln σ. */
export const VOL_NODES = 5;
/** Panel width: σ_hi / σ_lo. */
export const PANEL_RATIO = 1.5;
const PANEL_WIDTH = Math.log(PANEL_RATIO);
/** Panels tile ln σ from here; σ outside [VOL_MIN, VOL_MAX] is left to the scalar engine. */
export const VOL_MIN = 0.01;
export const VOL_MAX = 4;
const U_ORIGIN = Math.log(VOL_MIN);
/** Rate/yield bump for the boundary's parameter derivatives. */
export const PARAM_BUMP = 1e-4;
/** Same regime switch as the scalar engine (FP-A unless 2(r−q)/σ² > 3), decided per panel. */
const OMEGA_LIMIT_FOR_A = 3;

/** Variants solved per node: base, r+h, r−h, q+h, q−h. */
export const VARIANTS = 5;
export const COEFFS = TABLE_NODES + 1;

export class BoundaryPanel {
  readonly uLo: number;
  readonly uHi: number;
  /** Node abscissae in u = ln σ and their barycentric weights. */
  readonly nodeU = new Float64Array(VOL_NODES);
  readonly baryWeight = new Float64Array(VOL_NODES);
  /**
   * Chebyshev coefficients of H = (ln X − ln B)² per (node, variant), index (node·VARIANTS + variant)·
   * COEFFS + k, and ln X per (node·VARIANTS + variant). Variants: base, r+h, r−h, q+h, q−h. X has a
   * kink at r = q, so parameter derivatives are taken of ln B itself, variant by variant.
   */
  readonly coef = new Float64Array(VOL_NODES * VARIANTS * COEFFS);
  readonly lnCap = new Float64Array(VOL_NODES * VARIANTS);

  constructor(index: number, r: number, q: number, horizon: number) {
    this.uLo = U_ORIGIN + index * PANEL_WIDTH;
    this.uHi = this.uLo + PANEL_WIDTH;
    const mid = 0.5 * (this.uLo + this.uHi);
    const half = 0.5 * PANEL_WIDTH;
    for (let m = 0; m < VOL_NODES; m++) {
      this.nodeU[m] = mid + half * Math.cos((Math.PI * m) / (VOL_NODES - 1));
      this.baryWeight[m] = (m % 2 === 0 ? 1 : -1) * (m === 0 || m === VOL_NODES - 1 ? 0.5 : 1);
    }
    const volLo = Math.exp(this.uLo);
    const engine = (2 * (r - q)) / (volLo * volLo) <= OMEGA_LIMIT_FOR_A ? engineA : engineB;
    const h = PARAM_BUMP;
    const rates = [r, r + h, r - h, r, r];
    const yields = [q, q, q, q + h, q - h];
    for (let m = 0; m < VOL_NODES; m++) {
      for (let v = 0; v < VARIANTS; v++) {
        engine.solveBoundary(1, rates[v]!, yields[v]!, Math.exp(this.nodeU[m]!), horizon);
        engine.copyBoundaryCoefficients(this.coef, (m * VARIANTS + v) * COEFFS);
        this.lnCap[m * VARIANTS + v] = engine.lnBoundaryCap;
      }
    }
  }
}

/** Boundary tables for one (r, q, horizon) of a put on strike 1. */
export class BoundarySurface {
  readonly rate: number;
  readonly divYield: number;
  readonly horizon: number;
  private readonly panels = new Map<number, BoundaryPanel>();

  constructor(rate: number, divYield: number, horizon: number) {
    this.rate = rate;
    this.divYield = divYield;
    this.horizon = horizon;
  }

  /** Panel index holding σ (caller checks VOL_MIN ≤ σ ≤ VOL_MAX). */
  static panelIndex(vol: number): number {
    return Math.floor((Math.log(vol) - U_ORIGIN) / PANEL_WIDTH);
  }

  panel(index: number): BoundaryPanel {
    let p = this.panels.get(index);
    if (p === undefined) {
      p = new BoundaryPanel(index, this.rate, this.divYield, this.horizon);
      this.panels.set(index, p);
    }
    return p;
  }
}

/** Dyadic horizon ≥ T. */
export function surfaceHorizon(T: number): number {
  return 2 ** Math.ceil(Math.log2(T));
}

/** Bound on cached surfaces: a backtest with a flat rate uses a handful; varying rates recycle them. */
const MAX_SURFACES = 64;
const surfaces = new Map<string, BoundarySurface>();

/** Cached surface for a put with rate r and yield q on the horizon of expiry T. */
export function boundarySurface(r: number, q: number, T: number): BoundarySurface {
  const horizon = surfaceHorizon(T);
  const key = `${r}|${q}|${horizon}`;
  let s = surfaces.get(key);
  if (s === undefined) {
    if (surfaces.size >= MAX_SURFACES) surfaces.clear();
    s = new BoundarySurface(r, q, horizon);
    surfaces.set(key, s);
  }
  return s;
}

/** Whether the tables can price a put with these parameters: r − h > 0 and one exercise boundary. */
export function surfaceApplies(r: number, q: number, vol: number): boolean {
  return r > 4 * PARAM_BUMP && q > -1 && vol >= VOL_MIN && vol <= VOL_MAX;
}
