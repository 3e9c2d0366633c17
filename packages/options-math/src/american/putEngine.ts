/**
 * American put under BSM (r > 0, q >= 0 or q < 0 with a single boundary) by the spectral collocation
 * method of Andersen, Lake & Offengelder, "High-performance American option pricing" (2016), the
 * method behind QuantLib's QdFpAmericanEngine:
 *
 *  1. The exercise boundary B(τ) is represented through H(√τ) = ln(B/X)², X = K·min(1, r/q), which is
 *     smooth in √τ; H is interpolated by Chebyshev polynomials on n+1 Lobatto nodes in √τ.
 *  2. QD+ seeds B at the nodes; then one Jacobi-Newton and (m−1) plain fixed-point sweeps of the
 *     integral equation B = K·e^{−(r−q)τ}·N(τ,B)/D(τ,B) (FP-B; FP-A when r ≈ q) refine it, with the
 *     inner integrals done by l-point Gauss-Legendre after the substitution s = τ(1+y)²/4, which makes
 *     the integrands smooth near s = 0.
 *  3. Price = European + early exercise premium ∫ over the boundary (p-point Gauss-Legendre in √t).
 *     Delta and gamma are the same integral differentiated in S (the boundary does not depend on S).
 *
 * All work arrays are allocated once per scheme, so pricing allocates nothing.
 */
import {
  chebyshevCoefficients,
  chebyshevCosTable,
  chebyshevEvaluate,
  chebyshevNodes,
} from "../internal/chebyshev.js";
import { gaussLegendre } from "../internal/quadrature.js";
import { normCdfFast, normPdf } from "../normal.js";
import { qdPlusPutBoundary } from "./qdPlusBoundary.js";

/** (n, m, l, p) of ALO: Chebyshev intervals, fixed-point sweeps, inner and pricing quadrature orders. */
export interface AmericanScheme {
  readonly chebyshevNodes: number;
  readonly fixedPointSweeps: number;
  readonly boundaryQuadrature: number;
  readonly priceQuadrature: number;
  /** Fixed-point equation: "A", "B", or "auto" (A unless its instability regime applies). */
  readonly equation?: "A" | "B" | "auto";
}

export interface PutEngineResult {
  price: number;
  delta: number;
  gamma: number;
  /** True when the spot is in the exercise region (price = K − S). */
  exercised: boolean;
}

const ONE_OVER_SQRT_TWO_PI = 0.3989422804014327;

/**
 * FP-A contracts fast (4 sweeps reach ~1e-6) but its iteration oscillates and diverges when the drift is
 * large against the variance, ω = 2(r−q)/σ² above ~4 in our tests; FP-B is stable there but slower,
 * so it gets twice the sweeps.
 */
const OMEGA_LIMIT_FOR_A = 3;
function preferFixedPointA(r: number, q: number, vol: number): boolean {
  return (2 * (r - q)) / (vol * vol) <= OMEGA_LIMIT_FOR_A;
}

export class AmericanPutEngine {
  readonly scheme: AmericanScheme;
  private readonly n: number;
  private readonly w: Float64Array;
  private readonly cos: Float64Array;
  private readonly tau: Float64Array;
  private readonly h: Float64Array;
  private readonly b: Float64Array;
  private readonly coef: Float64Array;
  private readonly fpY: Float64Array;
  private readonly fpW: Float64Array;
  private readonly prY: Float64Array;
  private readonly prW: Float64Array;
  /** Per (node, quadrature point): elapsed time s, Chebyshev argument of τ−s, jacobian·weight, √s. */
  private readonly innerS: Float64Array;
  private readonly innerArg: Float64Array;
  private readonly innerJac: Float64Array;
  private readonly innerSqrtS: Float64Array;
  /** √H at every inner point for the current sweep's coefficients (innerBoundary). */
  private readonly innerSqrtH: Float64Array;
  /** e^{r(τ−s)} and e^{q(τ−s)} at the same points. */
  private readonly innerDfR: Float64Array;
  private readonly innerDfQ: Float64Array;
  private lnXMax = 0;

  constructor(scheme: AmericanScheme) {
    this.scheme = scheme;
    const n = scheme.chebyshevNodes;
    this.n = n;
    this.w = chebyshevNodes(n);
    this.cos = chebyshevCosTable(n);
    this.tau = new Float64Array(n + 1);
    this.h = new Float64Array(n + 1);
    this.b = new Float64Array(n + 1);
    this.coef = new Float64Array(n + 1);
    const fp = gaussLegendre(scheme.boundaryQuadrature);
    this.fpY = fp.nodes;
    this.fpW = fp.weights;
    const pr = gaussLegendre(scheme.priceQuadrature);
    this.prY = pr.nodes;
    this.prW = pr.weights;
    const size = 2 * (n + 1) * scheme.boundaryQuadrature;
    this.innerS = new Float64Array(size);
    this.innerArg = new Float64Array(size);
    this.innerJac = new Float64Array(size);
    this.innerSqrtS = new Float64Array(size);
    this.innerSqrtH = new Float64Array(size);
    this.innerDfR = new Float64Array(size);
    this.innerDfQ = new Float64Array(size);
  }

  /** √H at time-to-maturity τ = T·((1+w)/2)², i.e. ln(X/B(τ)). */
  private sqrtH(w: number): number {
    const hv = chebyshevEvaluate(this.n, this.coef, w);
    return hv > 0 ? Math.sqrt(hv) : 0;
  }

  /**
   * Builds the exercise boundary for (K, r, q, vol, T); afterwards boundaryAt(τ) and price(S) use it.
   * Requires r > 0 (no early exercise of a put otherwise, handled by the caller) and vol·√T > 0.
   */
  solveBoundary(K: number, r: number, q: number, vol: number, T: number): void {
    const n = this.n;
    const l = this.scheme.boundaryQuadrature;
    const xMax = q > 0 ? K * Math.min(1, r / q) : K;
    this.lnXMax = Math.log(xMax);
    const sqrtT = Math.sqrt(T);
    for (let i = 0; i <= n; i++) {
      const z = 0.5 * sqrtT * (1 + this.w[i]!);
      this.tau[i] = z * z;
    }
    this.tau[n] = 0;
    for (let i = 0; i < n; i++) {
      const bi = qdPlusPutBoundary(K, r, q, vol, this.tau[i]!, xMax);
      this.b[i] = bi;
      const lg = Math.log(bi / xMax);
      this.h[i] = lg * lg;
    }
    this.b[n] = xMax;
    this.h[n] = 0;
    chebyshevCoefficients(n, this.h, this.cos, this.coef);

    // Geometry of the inner integrals is fixed across sweeps: precompute it once. Each integral over
    // elapsed time s ∈ [0, τ] is split at τ/2: s = z² on the first half (the integrand is smooth in √s)
    // and τ − s = v² on the second (the boundary is smooth in √(τ−s)), each with Gauss-Legendre.
    for (let i = 0; i < n; i++) {
      const tau = this.tau[i]!;
      const half = Math.sqrt(0.5 * tau);
      for (let j = 0; j < l; j++) {
        const y = 0.5 * half * (1 + this.fpY[j]!);
        const gw = 0.5 * half * this.fpW[j]!;
        const kA = i * 2 * l + j;
        const sA = y * y;
        this.innerS[kA] = sA;
        this.innerSqrtS[kA] = y;
        this.innerArg[kA] = 2 * Math.sqrt(Math.max(tau - sA, 0) / T) - 1;
        this.innerJac[kA] = 2 * y * gw;
        const kB = kA + l;
        const sB = tau - y * y;
        this.innerS[kB] = sB;
        this.innerSqrtS[kB] = Math.sqrt(sB);
        this.innerArg[kB] = (2 * y) / sqrtT - 1;
        this.innerJac[kB] = 2 * y * gw;
      }
      for (let k = i * 2 * l; k < (i + 1) * 2 * l; k++) {
        const u = tau - this.innerS[k]!;
        this.innerDfR[k] = Math.exp(r * u);
        this.innerDfQ[k] = Math.exp(q * u);
      }
    }

    const equation = this.scheme.equation ?? "auto";
    const useA = equation === "A" || (equation === "auto" && preferFixedPointA(r, q, vol));
    const sweeps = Math.max(1, this.scheme.fixedPointSweeps) * (useA ? 1 : 2);
    for (let sweep = 0; sweep < sweeps; sweep++) {
      const newton = sweep === 0;
      this.innerBoundary(2 * n * l);
      for (let i = 0; i < n; i++) {
        const bNew = useA
          ? this.fixedPointA(i, K, r, q, vol, newton)
          : this.fixedPointB(i, K, r, q, vol, newton);
        const bounded = bNew > 0 && bNew < xMax ? bNew : bNew >= xMax ? xMax : this.b[i]!;
        this.b[i] = bounded;
        const lg = Math.log(bounded / xMax);
        this.h[i] = lg * lg;
      }
      chebyshevCoefficients(n, this.h, this.cos, this.coef);
    }
  }

  /**
   * √H at the first `count` inner points. The coefficients change only between sweeps, so a sweep's
   * boundary values are all known up front; four Clenshaw recurrences per iteration (each exactly
   * chebyshevEvaluate's operations) let the CPU overlap chains that inside the fixed-point loop would
   * each wait on their own multiply-add latency.
   */
  private innerBoundary(count: number): void {
    const a = this.coef;
    const n = this.n;
    const arg = this.innerArg;
    const out = this.innerSqrtH;
    let k = 0;
    for (; k + 4 <= count; k += 4) {
      const wa = arg[k]!;
      const wb = arg[k + 1]!;
      const wc = arg[k + 2]!;
      const wd = arg[k + 3]!;
      const wa2 = 2 * wa;
      const wb2 = 2 * wb;
      const wc2 = 2 * wc;
      const wd2 = 2 * wd;
      let a1 = 0;
      let a2 = 0;
      let b1 = 0;
      let b2 = 0;
      let c1 = 0;
      let c2 = 0;
      let d1 = 0;
      let d2 = 0;
      for (let j = n; j >= 1; j--) {
        const c = a[j]!;
        const a0 = c + wa2 * a1 - a2;
        const b0 = c + wb2 * b1 - b2;
        const c0 = c + wc2 * c1 - c2;
        const d0 = c + wd2 * d1 - d2;
        a2 = a1;
        a1 = a0;
        b2 = b1;
        b1 = b0;
        c2 = c1;
        c1 = c0;
        d2 = d1;
        d1 = d0;
      }
      const ha = a[0]! + wa * a1 - a2;
      const hb = a[0]! + wb * b1 - b2;
      const hc = a[0]! + wc * c1 - c2;
      const hd = a[0]! + wd * d1 - d2;
      out[k] = ha > 0 ? Math.sqrt(ha) : 0;
      out[k + 1] = hb > 0 ? Math.sqrt(hb) : 0;
      out[k + 2] = hc > 0 ? Math.sqrt(hc) : 0;
      out[k + 3] = hd > 0 ? Math.sqrt(hd) : 0;
    }
    for (; k < count; k++) out[k] = this.sqrtH(arg[k]!);
  }

  /** FP-B: B = K e^{−(r−q)τ} [Φ(d−) + r∫e^{ru}Φ(d−)du] / [Φ(d+) + q∫e^{qu}Φ(d+)du]. */
  private fixedPointB(i: number, K: number, r: number, q: number, vol: number, newton: boolean): number {
    const l = this.scheme.boundaryQuadrature;
    const tau = this.tau[i]!;
    const b = this.b[i]!;
    const lnB = Math.log(b);
    const halfVar = 0.5 * vol * vol;
    let ni = 0;
    let di = 0;
    const end = (i + 1) * 2 * l;
    for (let k = i * 2 * l; k < end; k++) {
      const s = this.innerS[k]!;
      // ln(b / B(τ−s)) = ln b − ln X + √H
      const lnRatio = lnB - this.lnXMax + this.innerSqrtH[k]!;
      const volS = vol * this.innerSqrtS[k]!;
      const dPlus = (lnRatio + (r - q + halfVar) * s) / volS;
      const dMinus = dPlus - volS;
      const jac = this.innerJac[k]!;
      ni += jac * this.innerDfR[k]! * normCdfFast(dMinus);
      di += jac * this.innerDfQ[k]! * normCdfFast(dPlus);
    }
    const v = vol * Math.sqrt(tau);
    const dPlus = (lnB - Math.log(K) + (r - q + halfVar) * tau) / v;
    const dMinus = dPlus - v;
    const N = normCdfFast(dMinus) + r * ni;
    const D = normCdfFast(dPlus) + q * di;
    const alpha = K * Math.exp(-(r - q) * tau);
    const f = (alpha * N) / D;
    if (!newton) return f;
    const Nd = normPdf(dMinus) / (b * v);
    const Dd = normPdf(dPlus) / (b * v);
    const fd = alpha * (Nd / D - (Dd * N) / (D * D));
    const next = b - (f - b) / (fd - 1);
    return next > 0 && Number.isFinite(next) ? next : f;
  }

  /**
   * FP-A, the variant that stays well conditioned when r ≈ q: N = φ(d−)/v + r∫e^{r(τ−s)}φ(d−(s))/(σ√s)ds,
   * D = φ(d+)/v + Φ(d+) + q∫e^{q(τ−s)}[Φ(d+(s)) + φ(d+(s))/(σ√s)]ds.
   */
  private fixedPointA(i: number, K: number, r: number, q: number, vol: number, newton: boolean): number {
    const l = this.scheme.boundaryQuadrature;
    const tau = this.tau[i]!;
    const b = this.b[i]!;
    const lnB = Math.log(b);
    const halfVar = 0.5 * vol * vol;
    const sqrtTau = Math.sqrt(tau);
    let k12 = 0;
    let k3 = 0;
    const end = (i + 1) * 2 * l;
    for (let k = i * 2 * l; k < end; k++) {
      const s = this.innerS[k]!;
      const lnRatio = lnB - this.lnXMax + this.innerSqrtH[k]!;
      const volS = vol * this.innerSqrtS[k]!;
      const dPlus = (lnRatio + (r - q + halfVar) * s) / volS;
      const dMinus = dPlus - volS;
      const jac = this.innerJac[k]!;
      k12 += jac * this.innerDfQ[k]! * (normCdfFast(dPlus) + normPdf(dPlus) / volS);
      k3 += (jac * this.innerDfR[k]! * normPdf(dMinus)) / volS;
    }
    const v = vol * sqrtTau;
    const dPlus = (lnB - Math.log(K) + (r - q + halfVar) * tau) / v;
    const dMinus = dPlus - v;
    const pdfPlus = normPdf(dPlus);
    const pdfMinus = normPdf(dMinus);
    const N = pdfMinus / v + r * k3;
    const D = pdfPlus / v + normCdfFast(dPlus) + q * k12;
    const alpha = K * Math.exp(-(r - q) * tau);
    const f = (alpha * N) / D;
    if (!newton) return f;
    const Nd = (-pdfMinus * dMinus) / (b * vol * vol * tau);
    const Dd = (-pdfPlus * dPlus) / (b * vol * vol * tau) + pdfPlus / (b * v);
    const fd = alpha * (Nd / D - (Dd * N) / (D * D));
    const next = b - (f - b) / (fd - 1);
    return next > 0 && Number.isFinite(next) ? next : f;
  }

  /** ln X of the last solve: the boundary is ln B(τ) = ln X − √H(τ). */
  get lnBoundaryCap(): number {
    return this.lnXMax;
  }

  /** Chebyshev coefficients of H(w), w = 2√(τ/T) − 1, of the last solve (n+1 values) into out[offset…]. */
  copyBoundaryCoefficients(out: Float64Array, offset: number): void {
    for (let k = 0; k <= this.n; k++) out[offset + k] = this.coef[k]!;
  }

  /** Exercise boundary at time-to-maturity τ ∈ [0, T] after solveBoundary(…, T). */
  boundaryAt(tau: number, T: number): number {
    const w = 2 * Math.sqrt(Math.min(Math.max(tau / T, 0), 1)) - 1;
    return Math.exp(this.lnXMax - this.sqrtH(w));
  }

  /**
   * Early exercise premium and its S-derivatives for spot S, given the boundary of solveBoundary.
   * Writes into `out`: price (premium + European), delta, gamma.
   */
  price(
    S: number,
    K: number,
    r: number,
    q: number,
    vol: number,
    T: number,
    european: number,
    europeanDelta: number,
    europeanGamma: number,
    out: PutEngineResult,
  ): void {
    const lnS = Math.log(S);
    if (lnS <= this.lnXMax - this.sqrtH(1)) {
      out.price = K - S;
      out.delta = -1;
      out.gamma = 0;
      out.exercised = true;
      return;
    }
    const p = this.scheme.priceQuadrature;
    const halfVar = 0.5 * vol * vol;
    const half = Math.sqrt(0.5 * T);
    const sqrtT = Math.sqrt(T);
    let premium = 0;
    let delta = 0;
    let gamma = 0;
    // Premium over elapsed time t ∈ [0, T], split at T/2 like the inner integrals: t = z² near today
    // (integrand smooth in √t), T − t = v² near expiry (boundary smooth in √(T−t)).
    for (let part = 0; part < 2; part++) {
      for (let j = 0; j < p; j++) {
        const y = 0.5 * half * (1 + this.prY[j]!);
        const jac = 2 * y * 0.5 * half * this.prW[j]!;
        const t = part === 0 ? y * y : T - y * y;
        const arg = part === 0 ? 2 * Math.sqrt(Math.max(T - t, 0) / T) - 1 : (2 * y) / sqrtT - 1;
        const sqrtt = part === 0 ? y : Math.sqrt(t);
        const lnBt = this.lnXMax - this.sqrtH(arg);
        const volT = vol * sqrtt;
        const dPlus = (lnS - lnBt + (r - q + halfVar) * t) / volT;
        const dMinus = dPlus - volT;
        const dfr = Math.exp(-r * t);
        const dfq = Math.exp(-q * t);
        const nPlus = normCdfFast(-dPlus);
        premium += jac * (r * K * dfr * normCdfFast(-dMinus) - q * S * dfq * nPlus);
        const pdfMinus = ONE_OVER_SQRT_TWO_PI * Math.exp(-0.5 * dMinus * dMinus);
        const pdfPlus = ONE_OVER_SQRT_TWO_PI * Math.exp(-0.5 * dPlus * dPlus);
        // ∂/∂S and ∂²/∂S² of the integrand; q·B·e^{−rt}φ(d−) = q·S·e^{−qt}φ(d+) is used to simplify.
        const kernel = (dfr * pdfMinus * (q * Math.exp(lnBt) - r * K)) / (S * volT);
        delta += jac * (kernel - q * dfq * nPlus);
        gamma += jac * ((-kernel * dPlus) / (S * volT) + (q * dfq * pdfPlus) / (S * volT));
      }
    }
    out.price = european + Math.max(premium, 0);
    out.delta = europeanDelta + delta;
    out.gamma = europeanGamma + gamma;
    out.exercised = false;
  }
}
