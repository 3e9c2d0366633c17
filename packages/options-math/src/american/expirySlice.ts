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
import { gaussLegendre } from "../internal/quadrature.js";
import { normCdfGivenDensity } from "../normal.js";
import {
  type BoundaryPanel,
  BoundarySurface,
  COEFFS,
  PARAM_BUMP,
  VARIANTS,
  VOL_NODES,
} from "./boundarySurface.js";

const ONE_OVER_SQRT_TWO_PI = 0.3989422804014327;
/** Φ(−8.5) ≈ 9e-18: beyond it a point adds nothing representable to a premium of order 1e-2 … 1. */
const CUTOFF_D = 8.5;
/** Gauss-Legendre points on the halves of [0, T] nearer today and nearer expiry. */
export const NEAR_POINTS = 24;
export const FAR_POINTS = 16;

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

const at = { lnB: 0, dR: 0, dQ: 0 };
const clenshaw = new Float64Array(2 * VARIANTS);
const lnBVariant = new Float64Array(VARIANTS);
const INV_2H = 1 / (2 * PARAM_BUMP);
/**
 * ln B = ln X − √H at Chebyshev argument w for node m and the four bumped variants (five Clenshaw
 * recurrences sharing one loop), giving ∂ln B/∂r and ∂ln B/∂q by central differences.
 */
function boundaryAt(panel: BoundaryPanel, m: number, w: number): void {
  const c = panel.coef;
  const w2 = 2 * w;
  clenshaw.fill(0);
  for (let k = COEFFS - 1; k >= 1; k--) {
    for (let v = 0; v < VARIANTS; v++) {
      const b0 = c[(m * VARIANTS + v) * COEFFS + k]! + w2 * clenshaw[v]! - clenshaw[VARIANTS + v]!;
      clenshaw[VARIANTS + v] = clenshaw[v]!;
      clenshaw[v] = b0;
    }
  }
  for (let v = 0; v < VARIANTS; v++) {
    const H = c[(m * VARIANTS + v) * COEFFS]! + w * clenshaw[v]! - clenshaw[VARIANTS + v]!;
    lnBVariant[v] = panel.lnCap[m * VARIANTS + v]! - (H > 0 ? Math.sqrt(H) : 0);
  }
  at.lnB = lnBVariant[0]!;
  at.dR = (lnBVariant[1]! - lnBVariant[2]!) * INV_2H;
  at.dQ = (lnBVariant[3]! - lnBVariant[4]!) * INV_2H;
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
    this.points = NEAR_POINTS + FAR_POINTS;
    this.t = new Float64Array(this.points);
    this.sqrtT = new Float64Array(this.points);
    this.weight = new Float64Array(this.points);
    this.dfR = new Float64Array(this.points);
    this.dfQ = new Float64Array(this.points);
    this.arg = new Float64Array(this.points);
    const h = Math.sqrt(0.5 * T);
    const horizon = surface.horizon;
    // [0, T] split at T/2. Near today t = h²z⁴ (y = √t = h·z²): the integrand is smooth in √t, and next
    // to the boundary it peaks at √t ≈ ln(S/B)/σ, which can be far below √T — the extra grading
    // resolves that peak (gamma needs it). Near expiry T − t = y², y = h·z: the boundary is smooth in
    // √(T − t). Jacobians are folded into the weights.
    for (let part = 0; part < 2; part++) {
      const count = part === 0 ? NEAR_POINTS : FAR_POINTS;
      const gl = gaussLegendre(count);
      for (let j = 0; j < count; j++) {
        const z = 0.5 * (1 + gl.nodes[j]!);
        const y = part === 0 ? h * z * z : h * z;
        const w = 2 * y * (part === 0 ? 2 * h * z : h) * 0.5 * gl.weights[j]!;
        const k = part === 0 ? j : NEAR_POINTS + j;
        const t = part === 0 ? y * y : T - y * y;
        this.t[k] = t;
        this.sqrtT[k] = Math.sqrt(t);
        this.weight[k] = w;
        this.dfR[k] = Math.exp(-surface.rate * t);
        this.dfQ[k] = Math.exp(-surface.divYield * t);
        this.arg[k] = 2 * Math.sqrt(Math.max(T - t, 0) / horizon) - 1;
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
    for (let m = 0; m < VOL_NODES; m++) {
      boundaryAt(panel, m, todayArg);
      lnBToday[m] = at.lnB;
      for (let j = 0; j < n; j++) {
        boundaryAt(panel, m, this.arg[j]!);
        lnB[m * n + j] = at.lnB;
        dLnBdR[m * n + j] = at.dR;
        dLnBdQ[m * n + j] = at.dQ;
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
      const B = Math.exp(L);
      // Two exponentials per point: e^{−d−²/2} gives e^{−d+²/2} = e^{−d−²/2}·B·e^{−rt}/(x·e^{−qt}), and
      // both tails reuse them. e^{−rt}φ(d−) is the density; x·e^{−qt}φ(d+) equals B times it.
      const eMinus = Math.exp(-0.5 * dMinus * dMinus);
      const ePlus = (eMinus * B * dfr) / (x * dfq);
      const nMinus = normCdfGivenDensity(-dMinus, eMinus);
      const nPlus = normCdfGivenDensity(-dPlus, ePlus);
      const dens = dfr * ONE_OVER_SQRT_TWO_PI * eMinus;
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
