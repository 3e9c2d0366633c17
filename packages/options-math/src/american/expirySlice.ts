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
 *
 * A slice is built at an anchor time T₀ (sliceAnchor.ts) and prices any T within 2⁻¹⁵·T of it. With
 * λ = T/T₀ every quadrature point scales (t = λt₀, weight = λw₀, √t = √λ·√t₀) and the boundary is
 * needed at τ = λτ₀, i.e. at Chebyshev argument w with w + 1 = (1 + η)(w₀ + 1), η = √λ − 1. ln B there
 * is ln B(w₀) + η·S + ½η²·C, S and C its first two derivatives in η (computed once per slice panel,
 * only when a T off the anchor arrives); the r/q derivatives move to first order. |η| ≤ 2⁻¹⁶, and the
 * derivatives in η are O(1) (near expiry ln X − ln B ~ √τ, whose η-derivatives scale with the value
 * itself), so the third-order remainder is ~1e-15: the same price as a slice built at T, to rounding
 * (expirySlice.test.ts compares both). At T = T₀ nothing moves: prices are bit for bit those of an
 * unmoved slice.
 */
import { gaussLegendre } from "../internal/quadrature.js";
import { normCdfGivenDensity } from "../normal.js";
import {
  boundaryAt,
  boundarySlope,
  boundarySlopeAt,
  boundaryValue,
  derivativeCoefficients,
} from "./boundaryEval.js";
import { type BoundaryPanel, BoundarySurface, VOL_NODES } from "./boundarySurface.js";

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
  /** Slopes in η for moving T off the anchor (shiftOf), built on first use. */
  shift: PanelShift | undefined;
}

/** Per (node, point): d ln B/dη, d² ln B/dη², d(∂ln B/∂r)/dη, d(∂ln B/∂q)/dη; then today's per node. */
interface PanelShift {
  readonly dEta: Float64Array;
  readonly dEta2: Float64Array;
  readonly dRdEta: Float64Array;
  readonly dQdEta: Float64Array;
  readonly todayDEta: Float64Array;
  readonly todayDEta2: Float64Array;
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
      lnBToday[m] = boundaryValue.lnB;
      for (let j = 0; j < n; j++) {
        boundaryAt(panel, m, this.arg[j]!);
        lnB[m * n + j] = boundaryValue.lnB;
        dLnBdR[m * n + j] = boundaryValue.dR;
        dLnBdQ[m * n + j] = boundaryValue.dQ;
      }
    }
    sp = { panel, lnB, dLnBdR, dLnBdQ, lnBToday, shift: undefined };
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
   * Premium of a strike-1 put at spot x, volatility σ (VOL_MIN ≤ σ ≤ VOL_MAX) and time to expiry T
   * within MAX_ANCHOR_SHIFT·T of the slice's T, with ∂/∂x, ∂²/∂x², ∂/∂σ, ∂/∂r, ∂/∂q (the boundary's own
   * dependence on σ, r, q included).
   */
  premium(x: number, vol: number, T: number, out: PremiumResult): void {
    const sp = this.slicePanel(BoundarySurface.panelIndex(vol));
    if (T === this.T) {
      own.t = this.t;
      own.sqrtT = this.sqrtT;
      own.weight = this.weight;
      own.dfR = this.dfR;
      own.dfQ = this.dfQ;
      own.lnB = sp.lnB;
      own.dLnBdR = sp.dLnBdR;
      own.dLnBdQ = sp.dLnBdQ;
      own.lnBToday = sp.lnBToday;
      this.evaluate(sp.panel, own, x, vol, out);
    } else {
      this.evaluate(sp.panel, this.moveTo(sp, T), x, vol, out);
    }
  }

  /** Slopes in η of every tabulated boundary value of a slice panel (first move off the anchor). */
  private shiftOf(sp: SlicePanel): PanelShift {
    if (sp.shift !== undefined) return sp.shift;
    const n = this.points;
    const panel = sp.panel;
    const { d1, d2 } = derivativeCoefficients(panel.coef);
    const shift: PanelShift = {
      dEta: new Float64Array(VOL_NODES * n),
      dEta2: new Float64Array(VOL_NODES * n),
      dRdEta: new Float64Array(VOL_NODES * n),
      dQdEta: new Float64Array(VOL_NODES * n),
      todayDEta: new Float64Array(VOL_NODES),
      todayDEta2: new Float64Array(VOL_NODES),
    };
    const todayArg = 2 * Math.sqrt(this.T / this.surface.horizon) - 1;
    for (let m = 0; m < VOL_NODES; m++) {
      boundarySlopeAt(panel, d1, d2, m, todayArg);
      shift.todayDEta[m] = boundarySlope.dEta;
      shift.todayDEta2[m] = boundarySlope.dEta2;
      for (let j = 0; j < n; j++) {
        boundarySlopeAt(panel, d1, d2, m, this.arg[j]!);
        shift.dEta[m * n + j] = boundarySlope.dEta;
        shift.dEta2[m * n + j] = boundarySlope.dEta2;
        shift.dRdEta[m * n + j] = boundarySlope.dRdEta;
        shift.dQdEta[m * n + j] = boundarySlope.dQdEta;
      }
    }
    sp.shift = shift;
    return sp.shift;
  }

  /**
   * Quadrature and boundary of this slice moved from its anchor to T (λ = T/T₀, η = √λ − 1); the last
   * move is kept, so the iterations of one quote's IV solve move once.
   */
  private moveTo(sp: SlicePanel, T: number): SliceView {
    if (movedFor.slice === this && movedFor.panel === sp && movedFor.T === T) return moved;
    const n = this.points;
    const lambda = T / this.T;
    const rootLambda = Math.sqrt(lambda);
    const eta = rootLambda - 1;
    const stretch = lambda - 1;
    const r = this.surface.rate;
    const q = this.surface.divYield;
    for (let j = 0; j < n; j++) {
      const t0 = this.t[j]!;
      moved.t[j] = lambda * t0;
      moved.sqrtT[j] = rootLambda * this.sqrtT[j]!;
      moved.weight[j] = lambda * this.weight[j]!;
      moved.dfR[j] = this.dfR[j]! * expSmall(-r * stretch * t0);
      moved.dfQ[j] = this.dfQ[j]! * expSmall(-q * stretch * t0);
    }
    const shift = this.shiftOf(sp);
    const { lnB, dLnBdR, dLnBdQ } = sp;
    const { dEta, dEta2, dRdEta, dQdEta } = shift;
    const outLnB = moved.lnB;
    const outR = moved.dLnBdR;
    const outQ = moved.dLnBdQ;
    for (let k = 0; k < VOL_NODES * n; k++) {
      outLnB[k] = lnB[k]! + eta * (dEta[k]! + 0.5 * eta * dEta2[k]!);
      outR[k] = dLnBdR[k]! + eta * dRdEta[k]!;
      outQ[k] = dLnBdQ[k]! + eta * dQdEta[k]!;
    }
    for (let m = 0; m < VOL_NODES; m++) {
      moved.lnBToday[m] = sp.lnBToday[m]! + eta * (shift.todayDEta[m]! + 0.5 * eta * shift.todayDEta2[m]!);
    }
    movedFor.slice = this;
    movedFor.panel = sp;
    movedFor.T = T;
    return moved;
  }

  private evaluate(panel: BoundaryPanel, view: SliceView, x: number, vol: number, out: PremiumResult): void {
    const u = Math.log(vol);
    this.weights(panel, u);
    const ell = this.ell;
    const dEll = this.dEll;
    const lnx = Math.log(x);
    let lnToday = 0;
    for (let m = 0; m < VOL_NODES; m++) lnToday += ell[m]! * view.lnBToday[m]!;
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
    const lnB = view.lnB;
    const lnBr = view.dLnBdR;
    const lnBq = view.dLnBdQ;
    const tArr = view.t;
    const sqrtTArr = view.sqrtT;
    const weight = view.weight;
    const dfRArr = view.dfR;
    const dfQArr = view.dfQ;
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
      const t = tArr[j]!;
      const v = vol * sqrtTArr[j]!;
      const dPlus = (lnx - L + drift * t) / v;
      const dMinus = dPlus - v;
      if (dMinus > CUTOFF_D) continue;
      let Lr = 0;
      let Lq = 0;
      for (let m = 0; m < VOL_NODES; m++) {
        Lr += ell[m]! * lnBr[m * n + j]!;
        Lq += ell[m]! * lnBq[m * n + j]!;
      }
      const w = weight[j]!;
      const dfr = dfRArr[j]!;
      const dfq = dfQArr[j]!;
      const B = Math.exp(L);
      // Two exponentials per point: e^{−d−²/2} gives e^{−d+²/2} = e^{−d−²/2}·B·e^{−rt}/(x·e^{−qt}), and
      // both tails reuse them. e^{−rt}φ(d−) is the density; x·e^{−qt}φ(d+) equals B times it.
      const eMinus = Math.exp(-0.5 * dMinus * dMinus);
      const ePlus = (eMinus * B * dfr) / (x * dfq);
      // Both tails through one call site: TurboFan's inlining budget holds one copy of the CDF's
      // rational forms but not two, and a call it does not inline boxes its doubles (heap numbers,
      // i.e. garbage, per point).
      let nMinus = 0;
      let nPlus = 0;
      for (let tail = 0; tail < 2; tail++) {
        const c = normCdfGivenDensity(tail === 0 ? -dMinus : -dPlus, tail === 0 ? eMinus : ePlus);
        if (tail === 0) nMinus = c;
        else nPlus = c;
      }
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

/** e^y for |y| ≲ 1e-4 (a discount factor's move with T): the series' remainder y⁵/120 is below 1e-22. */
function expSmall(y: number): number {
  return Math.abs(y) < 1e-4 ? 1 + y * (1 + y * (0.5 + y * (1 / 6 + y / 24))) : Math.exp(y);
}

/** The arrays one premium evaluation reads: a slice's own, or `moved`. */
interface SliceView {
  t: Float64Array;
  sqrtT: Float64Array;
  weight: Float64Array;
  dfR: Float64Array;
  dfQ: Float64Array;
  lnB: Float64Array;
  dLnBdR: Float64Array;
  dLnBdQ: Float64Array;
  lnBToday: Float64Array;
}

const EMPTY = new Float64Array(0);
const own: SliceView = {
  t: EMPTY,
  sqrtT: EMPTY,
  weight: EMPTY,
  dfR: EMPTY,
  dfQ: EMPTY,
  lnB: EMPTY,
  dLnBdR: EMPTY,
  dLnBdQ: EMPTY,
  lnBToday: EMPTY,
};
const POINTS = NEAR_POINTS + FAR_POINTS;
const moved: SliceView = {
  t: new Float64Array(POINTS),
  sqrtT: new Float64Array(POINTS),
  weight: new Float64Array(POINTS),
  dfR: new Float64Array(POINTS),
  dfQ: new Float64Array(POINTS),
  lnB: new Float64Array(VOL_NODES * POINTS),
  dLnBdR: new Float64Array(VOL_NODES * POINTS),
  dLnBdQ: new Float64Array(VOL_NODES * POINTS),
  lnBToday: new Float64Array(VOL_NODES),
};
const movedFor: { slice: ExpirySlice | undefined; panel: SlicePanel | undefined; T: number } = {
  slice: undefined,
  panel: undefined,
  T: Number.NaN,
};
