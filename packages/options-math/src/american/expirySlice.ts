/**
 * One expiry cut through a boundary surface: the early exercise premium of a put on strike 1 and its
 * derivatives in spot, σ, r and q, for any strike of the expiry, from tabulated boundary values.
 *
 * The pricing quadrature points depend only on T, so the boundary (and its r/q derivatives) at those
 * points is evaluated once per (expiry, σ panel) node; pricing a strike then costs one barycentric
 * combination per point plus the integrand. Points where d− > CUTOFF_D contribute < 1e-15 of the
 * strike and are skipped (far out-of-the-money puts cost almost nothing and remain exact).
 *
 * Premium (Kim's representation, x = S/K, B = e^L):
 *   P = ∫₀ᵀ [r e^{−rt} Φ(−d−) − q x e^{−qt} Φ(−d+)] dt,  d± = (ln x − L(T−t) + (r − q ± σ²/2)t)/(σ√t).
 * Parameter derivatives use x e^{−qt} φ(d+) = B e^{−rt} φ(d−), so every term needs one density.
 */
import { chebyshevEvaluate } from "../internal/chebyshev.js";
import { gaussLegendre } from "../internal/quadrature.js";
import { normCdfFast } from "../normal.js";
import {
  type BoundaryPanel,
  BoundarySurface,
  COEFFS,
  PARAM_BUMP,
  VOL_NODES,
} from "./boundarySurface.js";

const ONE_OVER_SQRT_TWO_PI = 0.3989422804014327;
/** Φ(−8.5) ≈ 9e-18: beyond it a point adds nothing representable to a premium of order 1e-2 … 1. */
const CUTOFF_D = 8.5;
/** Gauss-Legendre points per half of [0, T] in the pricing integral. */
export const PRICE_POINTS_PER_HALF = 24;

/** Panel values at this expiry's quadrature points. Index node·points + j. */
interface SlicePanel {
  readonly panel: BoundaryPanel;
  readonly lnB: Float64Array;
  readonly dLnBdR: Float64Array;
  readonly dLnBdQ: Float64Array;
  /** ln B today (τ = T) per node: the exercise test. */
  readonly lnBToday: Float64Array;
}

/** Result of ExpirySlice.premium for a strike-1 put. */
export interface PremiumResult {
  premium: number;
  dSpot: number;
  dSpot2: number;
  dVol: number;
  dRate: number;
  dDiv: number;
  /** Spot at or below today's boundary: the put is worth 1 − x. */
  exercised: boolean;
}

export class ExpirySlice {
  readonly surface: BoundarySurface;
  readonly T: number;
  readonly points: number;
  private readonly t: Float64Array;
  private readonly sqrtT: Float64Array;
  private readonly weight: Float64Array;
  private readonly dfR: Float64Array;
  private readonly dfQ: Float64Array;
  /** Chebyshev argument 2√(τ/Tₕ) − 1 of τ = T − t. */
  private readonly arg: Float64Array;
  private readonly panels = new Map<number, SlicePanel>();
  /** Interpolation weights of the last σ and their u-derivatives. */
  private readonly ell = new Float64Array(VOL_NODES);
  private readonly dEll = new Float64Array(VOL_NODES);

  constructor(surface: BoundarySurface, T: number) {
    this.surface = surface;
    this.T = T;
    const half = PRICE_POINTS_PER_HALF;
    this.points = 2 * half;
    this.t = new Float64Array(this.points);
    this.sqrtT = new Float64Array(this.points);
    this.weight = new Float64Array(this.points);
    this.dfR = new Float64Array(this.points);
    this.dfQ = new Float64Array(this.points);
    this.arg = new Float64Array(this.points);
    const gl = gaussLegendre(half);
    const h = Math.sqrt(0.5 * T);
    const horizon = surface.horizon;
    // [0, T] split at T/2: t = y² near today (integrand smooth in √t), T − t = y² near expiry (boundary
    // smooth in √(T − t)); the Jacobian 2y is folded into the weight.
    for (let j = 0; j < half; j++) {
      const z = 0.5 * (1 + gl.nodes[j]!);
      for (let part = 0; part < 2; part++) {
        // Near today y = h·z² (t = h²z⁴) as well: next to the boundary the integrand peaks at
        // √t ≈ ln(S/B)/σ, which can be far below √T; the extra grading resolves it (gamma needs it).
        const y = part === 0 ? h * z * z : h * z;
        const w = 2 * y * (part === 0 ? 2 * h * z : h) * 0.5 * gl.weights[j]!;
        const k = part * half + j;
        const t = part === 0 ? y * y : T - y * y;
        const tau = T - t;
        this.t[k] = t;
        this.sqrtT[k] = Math.sqrt(t);
        this.weight[k] = w;
        this.dfR[k] = Math.exp(-surface.rate * t);
        this.dfQ[k] = Math.exp(-surface.divYield * t);
        this.arg[k] = 2 * Math.sqrt(Math.max(tau, 0) / horizon) - 1;
      }
    }
  }

  private slicePanel(index: number): SlicePanel {
    let sp = this.panels.get(index);
    if (sp !== undefined) return sp;
    const panel = this.surface.panel(index);
    const n = this.points;
    const lnB = new Float64Array(VOL_NODES * n);
    const dLnBdR = new Float64Array(VOL_NODES * n);
    const dLnBdQ = new Float64Array(VOL_NODES * n);
    const lnBToday = new Float64Array(VOL_NODES);
    const todayArg = 2 * Math.sqrt(this.T / this.surface.horizon) - 1;
    const lnBoundary = (variant: number, m: number, w: number): number => {
      const slot = variant * VOL_NODES + m;
      const hv = chebyshevEvaluate(COEFFS - 1, panel.coef.subarray(slot * COEFFS, (slot + 1) * COEFFS), w);
      return panel.lnCap[slot]! - (hv > 0 ? Math.sqrt(hv) : 0);
    };
    const inv2h = 1 / (2 * PARAM_BUMP);
    for (let m = 0; m < VOL_NODES; m++) {
      lnBToday[m] = lnBoundary(0, m, todayArg);
      for (let j = 0; j < n; j++) {
        const w = this.arg[j]!;
        lnB[m * n + j] = lnBoundary(0, m, w);
        dLnBdR[m * n + j] = (lnBoundary(1, m, w) - lnBoundary(2, m, w)) * inv2h;
        dLnBdQ[m * n + j] = (lnBoundary(3, m, w) - lnBoundary(4, m, w)) * inv2h;
      }
    }
    sp = { panel, lnB, dLnBdR, dLnBdQ, lnBToday };
    this.panels.set(index, sp);
    return sp;
  }

  /** Barycentric weights ℓ_m(u) and dℓ_m/du at u = ln σ inside the panel. */
  private weights(panel: BoundaryPanel, u: number): void {
    let sum = 0;
    let hit = -1;
    for (let m = 0; m < VOL_NODES; m++) {
      const d = u - panel.nodeU[m]!;
      if (d === 0) hit = m;
      const a = panel.baryWeight[m]! / d;
      this.ell[m] = a;
      sum += a;
    }
    if (hit >= 0) {
      // On a node the formula is 0/0; a shift of 1e-9 in ln σ changes the boundary by ~1e-10 relative.
      this.weights(panel, u + 1e-9);
      return;
    }
    let mean = 0;
    for (let m = 0; m < VOL_NODES; m++) {
      const l = this.ell[m]! / sum;
      this.ell[m] = l;
      mean += l / (u - panel.nodeU[m]!);
    }
    for (let m = 0; m < VOL_NODES; m++) this.dEll[m] = this.ell[m]! * (mean - 1 / (u - panel.nodeU[m]!));
  }

  /**
   * Premium of a strike-1 put at spot x and volatility σ (VOL_MIN ≤ σ ≤ VOL_MAX), with ∂/∂x, ∂²/∂x²,
   * ∂/∂σ, ∂/∂r, ∂/∂q (the boundary's own dependence on σ, r, q included).
   */
  premium(x: number, vol: number, out: PremiumResult): void {
    const sp = this.slicePanel(BoundarySurface.panelIndex(vol));
    const u = Math.log(vol);
    this.weights(sp.panel, u);
    const ell = this.ell;
    const dEll = this.dEll;
    const lnx = Math.log(x);
    let lnToday = 0;
    for (let m = 0; m < VOL_NODES; m++) lnToday += ell[m]! * sp.lnBToday[m]!;
    if (lnx <= lnToday) {
      out.premium = 1 - x;
      out.dSpot = -1;
      out.dSpot2 = 0;
      out.dVol = 0;
      out.dRate = 0;
      out.dDiv = 0;
      out.exercised = true;
      return;
    }
    const r = this.surface.rate;
    const q = this.surface.divYield;
    const drift = r - q + 0.5 * vol * vol;
    const n = this.points;
    const lnB = sp.lnB;
    const lnBr = sp.dLnBdR;
    const lnBq = sp.dLnBdQ;
    let premium = 0;
    let dSpot = 0;
    let dSpot2 = 0;
    let dVol = 0;
    let dRate = 0;
    let dDiv = 0;
    for (let j = 0; j < n; j++) {
      let L = 0;
      let Lu = 0;
      for (let m = 0; m < VOL_NODES; m++) {
        const b = lnB[m * n + j]!;
        L += ell[m]! * b;
        Lu += dEll[m]! * b;
      }
      const t = this.t[j]!;
      const v = vol * this.sqrtT[j]!;
      const dPlus = (lnx - L + drift * t) / v;
      const dMinus = dPlus - v;
      if (dMinus > CUTOFF_D) continue;
      let Lr = 0;
      let Lq = 0;
      for (let m = 0; m < VOL_NODES; m++) {
        Lr += ell[m]! * lnBr[m * n + j]!;
        Lq += ell[m]! * lnBq[m * n + j]!;
      }
      const w = this.weight[j]!;
      const dfr = this.dfR[j]!;
      const dfq = this.dfQ[j]!;
      const nMinus = normCdfFast(-dMinus);
      const nPlus = normCdfFast(-dPlus);
      const B = Math.exp(L);
      // e^{−rt}φ(d−); its partner x·e^{−qt}φ(d+) equals B times it.
      const dens = dfr * ONE_OVER_SQRT_TWO_PI * Math.exp(-0.5 * dMinus * dMinus);
      const slope = q * B - r;
      premium += w * (r * dfr * nMinus - q * x * dfq * nPlus);
      const kernel = (dens * slope) / (x * v);
      dSpot += w * (kernel - q * dfq * nPlus);
      dSpot2 += w * ((-kernel * dPlus) / (x * v) + (q * B * dens) / (x * x * v));
      const Lsigma = Lu / vol;
      dVol += w * dens * (q * B * (-dMinus / vol - Lsigma / v) + r * (dPlus / vol + Lsigma / v));
      dRate += w * (dfr * (1 - r * t) * nMinus + (dens * slope * (t - Lr)) / v);
      dDiv += w * (-x * dfq * (1 - q * t) * nPlus - (dens * slope * (t + Lq)) / v);
    }
    out.premium = premium;
    out.dSpot = dSpot;
    out.dSpot2 = dSpot2;
    out.dVol = dVol;
    out.dRate = dRate;
    out.dDiv = dDiv;
    out.exercised = false;
  }
}
