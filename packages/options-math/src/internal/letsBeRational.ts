/**
 * Normalised implied volatility after P. Jäckel, "Let's Be Rational" (2015): a rational initial guess
 * over four branches of the price curve, each followed by at most two third-order Householder steps on
 * a branch-specific objective (1/ln b in the lowest branch, ln(b_max − b) in the highest), which
 * reaches float64 precision. No bracketing search is needed; a bisection fallback only guards against
 * inputs with |x| in the hundreds.
 */
import { erfcx, inverseNormCdf, normCdf } from "../normal.js";
import {
  blackVega,
  DBL_EPSILON,
  DBL_MIN,
  normalisedBlackAndVega,
  normalisedIntrinsicCall,
} from "./normalisedBlack.js";
import {
  convexControlToFitSecondDerivativeLeft,
  convexControlToFitSecondDerivativeRight,
  rationalCubicInterpolation,
} from "./rationalCubic.js";

const MAX_ITERATIONS = 2;
/**
 * Householder(3) converges with order four: a first step |Δs| ≤ 1e-4·s leaves an error of order
 * (1e-4)⁴·s = 1e-16·s, below an ulp, so the second step (another b(x, s) evaluation) is skipped. The
 * bench grids measure the same maximum error with this bound as with 1e-5; from 3e-4 it starts to grow.
 */
const CONVERGED_STEP = 1e-4;
const SQRT_THREE = Math.sqrt(3);
const SQRT_ONE_OVER_THREE = Math.sqrt(1 / 3);
const TWO_PI = 2 * Math.PI;
const TWO_PI_OVER_SQRT_TWENTY_SEVEN = TWO_PI / Math.sqrt(27);
const PI_OVER_SIX = Math.PI / 6;
const SQRT_PI_OVER_TWO = Math.sqrt(Math.PI / 2);
const SQRT_DBL_MAX = Math.sqrt(Number.MAX_VALUE);
const HALF_PI = 0.5 * Math.PI;
const ONE_OVER_SQRT_TWO = Math.SQRT1_2;
const ONE_OVER_SQRT_TWO_PI = 0.3989422804014327;

/** Returned when the normalised price is at or above its supremum e^{x/2}. */
export const ABOVE_MAXIMUM = -2;

const householderFactor = (newton: number, halley: number, hh3: number): number =>
  (1 + 0.5 * halley * newton) / (1 + newton * (halley + (hh3 * newton) / 6));

/**
 * f_lower(s) = 2π/√27·|x|·Φ(−z)^3 with z = |x|/(√3 s), plus its first two derivatives w.r.t. b.
 * Φ(−z) = ½·erfcx(z/√2)·e^{−z²/2} and Φ(−z)/φ(z) = √(π/2)·erfcx(z/√2): the exponentials of the
 * textbook form cancel against each other, leaving two.
 */
const lowerMap = { f: 0, fp: 0, fpp: 0 };
function computeLowerMap(x: number, s: number): void {
  const ax = Math.abs(x);
  const z = (SQRT_ONE_OVER_THREE * ax) / s;
  const y = z * z;
  const s2 = s * s;
  const ex = erfcx(ONE_OVER_SQRT_TWO * z);
  const eS = Math.exp(0.125 * s2);
  lowerMap.fpp =
    ((PI_OVER_SIX * y) / (s2 * s)) *
    (0.5 * ex) *
    (8 * SQRT_THREE * s * ax + (3 * s2 * (s2 - 8) - 8 * x * x) * SQRT_PI_OVER_TWO * ex) *
    (Math.exp(1.5 * y) * eS * eS);
  lowerMap.fp = HALF_PI * y * ex * ex * eS;
  const Phi = 0.5 * ex * Math.exp(-0.5 * y);
  lowerMap.f = TWO_PI_OVER_SQRT_TWENTY_SEVEN * ax * (Phi * Phi * Phi);
}

const upperMap = { f: 0, fp: 0, fpp: 0 };
function computeUpperMap(x: number, s: number): void {
  upperMap.f = normCdf(-0.5 * s);
  if (x === 0) {
    upperMap.fp = -0.5;
    upperMap.fpp = 0;
  } else {
    const w = (x / s) * (x / s);
    upperMap.fp = -0.5 * Math.exp(0.5 * w);
    upperMap.fpp = (SQRT_PI_OVER_TWO * Math.exp(w + 0.125 * s * s) * w) / s;
  }
}

const inverseLowerMap = (x: number, f: number): number =>
  f === 0
    ? 0
    : Math.abs(
        x / (SQRT_THREE * inverseNormCdf(Math.cbrt(f / (TWO_PI_OVER_SQRT_TWENTY_SEVEN * Math.abs(x))))),
      );

const inverseUpperMap = (f: number): number => -2 * inverseNormCdf(f);

/**
 * Normalised total volatility s = σ√T for an out-of-the-money normalised call price beta = price/√(FK)
 * at x = ln(F/K) <= 0. Returns 0 for beta <= 0 and ABOVE_MAXIMUM for beta >= e^{x/2}.
 */
export function normalisedImpliedVolOtmCall(beta: number, x: number): number {
  if (beta <= 0) return 0;
  const bMax = Math.exp(0.5 * x);
  if (beta >= bMax) return ABOVE_MAXIMUM;
  let iterations = 0;
  let directionReversals = 0;
  let f = -Number.MAX_VALUE;
  let s = -Number.MAX_VALUE;
  let ds = s;
  let dsPrevious = 0;
  let sLeft = DBL_MIN;
  let sRight = Number.MAX_VALUE;
  const sC = Math.sqrt(Math.abs(2 * x));
  // At s_c = √(2|x|) the first CDF argument x/s + s/2 is 0, so b_c = e^{x/2}/2 − Φ(−s_c)e^{−x/2}
  // = ½e^{x/2}(1 − erfcx(s_c/√2)) and the vega is e^{x/2}/√(2π): no new exponential. The cancellation
  // in 1 − erfcx costs at most ~2 digits for |x| ≥ 1e-4, and b_c only places the interpolation nodes.
  const bC = 0.5 * bMax * (1 - erfcx(ONE_OVER_SQRT_TWO * sC));
  const vC = ONE_OVER_SQRT_TWO_PI * bMax;

  if (beta < bC) {
    const sL = sC - bC / vC;
    normalisedBlackAndVega(x, sL);
    const bL = blackVega[0]!;
    const vL = blackVega[1]!;
    if (beta < bL) {
      computeLowerMap(x, sL);
      const rLL = convexControlToFitSecondDerivativeRight(
        0,
        bL,
        0,
        lowerMap.f,
        1,
        lowerMap.fp,
        lowerMap.fpp,
        true,
      );
      f = rationalCubicInterpolation(beta, 0, bL, 0, lowerMap.f, 1, lowerMap.fp, rLL);
      if (!(f > 0)) {
        // Round-off for extreme |x|: fall back to the quadratic through f(0)=0, f(b_l), f'(0)=1.
        const t = beta / bL;
        f = (lowerMap.f * t + bL * (1 - t)) * t;
      }
      s = inverseLowerMap(x, f);
      sRight = sL;
      // Lowest branch: objective g(s) = 1/ln b(s) − 1/ln beta, nearly linear where b is exponentially small.
      const lnBeta = Math.log(beta);
      for (; iterations < MAX_ITERATIONS && Math.abs(ds) > CONVERGED_STEP * s; iterations++) {
        if (ds * dsPrevious < 0) directionReversals++;
        if (iterations > 0 && (directionReversals === 3 || !(s > sLeft && s < sRight))) {
          s = 0.5 * (sLeft + sRight);
          if (sRight - sLeft <= DBL_EPSILON * s) break;
          directionReversals = 0;
          ds = 0;
        }
        dsPrevious = ds;
        normalisedBlackAndVega(x, s);
        const b = blackVega[0]!;
        const bp = blackVega[1]!;
        if (b > beta && s < sRight) sRight = s;
        else if (b < beta && s > sLeft) sLeft = s;
        if (b <= 0 || bp <= 0) {
          ds = 0.5 * (sLeft + sRight) - s;
        } else {
          const lnB = Math.log(b);
          const bpob = bp / b;
          const h = x / s;
          const bHalley = (h * h) / s - s / 4;
          const newton = (((lnBeta - lnB) * lnB) / lnBeta) * (1 / bpob);
          const halley = bHalley - bpob * (1 + 2 / lnB);
          const bHh3 = bHalley * bHalley - 3 * (h / s) * (h / s) - 0.25;
          const hh3 =
            bHh3 + 2 * bpob * bpob * (1 + (3 / lnB) * (1 + 1 / lnB)) - 3 * bHalley * bpob * (1 + 2 / lnB);
          ds = newton * householderFactor(newton, halley, hh3);
        }
        ds = Math.max(-0.5 * s, ds);
        s += ds;
      }
      return s;
    }
    const rLM = convexControlToFitSecondDerivativeRight(bL, bC, sL, sC, 1 / vL, 1 / vC, 0, false);
    s = rationalCubicInterpolation(beta, bL, bC, sL, sC, 1 / vL, 1 / vC, rLM);
    sLeft = sL;
    sRight = sC;
  } else {
    const sH = vC > DBL_MIN ? sC + (bMax - bC) / vC : sC;
    normalisedBlackAndVega(x, sH);
    const bH = blackVega[0]!;
    if (beta <= bH) {
      const vH = blackVega[1]!;
      const rHM = convexControlToFitSecondDerivativeLeft(bC, bH, sC, sH, 1 / vC, 1 / vH, 0, false);
      s = rationalCubicInterpolation(beta, bC, bH, sC, sH, 1 / vC, 1 / vH, rHM);
      sLeft = sC;
      sRight = sH;
    } else {
      computeUpperMap(x, sH);
      if (upperMap.fpp > -SQRT_DBL_MAX && upperMap.fpp < SQRT_DBL_MAX) {
        const rHH = convexControlToFitSecondDerivativeLeft(
          bH,
          bMax,
          upperMap.f,
          0,
          upperMap.fp,
          -0.5,
          upperMap.fpp,
          true,
        );
        f = rationalCubicInterpolation(beta, bH, bMax, upperMap.f, 0, upperMap.fp, -0.5, rHH);
      }
      if (f <= 0) {
        // Quadratic through f(b_h), f(b_max)=0 and f'(b_max)=−1/2.
        const h = bMax - bH;
        const t = (beta - bH) / h;
        f = (upperMap.f * (1 - t) + 0.5 * h * t) * (1 - t);
      }
      s = inverseUpperMap(f);
      sLeft = sH;
      if (beta > 0.5 * bMax) {
        // Highest branch: objective g(s) = ln(b_max − beta) − ln(b_max − b(s)).
        for (; iterations < MAX_ITERATIONS && Math.abs(ds) > CONVERGED_STEP * s; iterations++) {
          if (ds * dsPrevious < 0) directionReversals++;
          if (iterations > 0 && (directionReversals === 3 || !(s > sLeft && s < sRight))) {
            s = 0.5 * (sLeft + sRight);
            if (sRight - sLeft <= DBL_EPSILON * s) break;
            directionReversals = 0;
            ds = 0;
          }
          dsPrevious = ds;
          normalisedBlackAndVega(x, s);
          const b = blackVega[0]!;
          const bp = blackVega[1]!;
          if (b > beta && s < sRight) sRight = s;
          else if (b < beta && s > sLeft) sLeft = s;
          if (b >= bMax || bp <= DBL_MIN) {
            ds = 0.5 * (sLeft + sRight) - s;
          } else {
            const bMaxMinusB = bMax - b;
            const g = Math.log((bMax - beta) / bMaxMinusB);
            const gp = bp / bMaxMinusB;
            const bHalley = (x / s) * (x / s) * (1 / s) - s / 4;
            const bHh3 = bHalley * bHalley - 3 * (x / (s * s)) * (x / (s * s)) - 0.25;
            const newton = -g / gp;
            const halley = bHalley + gp;
            const hh3 = bHh3 + gp * (2 * gp + 3 * bHalley);
            ds = newton * householderFactor(newton, halley, hh3);
          }
          ds = Math.max(-0.5 * s, ds);
          s += ds;
        }
        return s;
      }
    }
  }
  // Middle branches: objective g(s) = b(s) − beta.
  for (; iterations < MAX_ITERATIONS && Math.abs(ds) > CONVERGED_STEP * s; iterations++) {
    if (ds * dsPrevious < 0) directionReversals++;
    if (iterations > 0 && (directionReversals === 3 || !(s > sLeft && s < sRight))) {
      s = 0.5 * (sLeft + sRight);
      if (sRight - sLeft <= DBL_EPSILON * s) break;
      directionReversals = 0;
      ds = 0;
    }
    dsPrevious = ds;
    normalisedBlackAndVega(x, s);
    const b = blackVega[0]!;
    const bp = blackVega[1]!;
    if (b > beta && s < sRight) sRight = s;
    else if (b < beta && s > sLeft) sLeft = s;
    const newton = (beta - b) / bp;
    const halley = (x / s) * (x / s) * (1 / s) - s / 4;
    const hh3 = halley * halley - 3 * (x / (s * s)) * (x / (s * s)) - 0.25;
    ds = Math.max(-0.5 * s, newton * householderFactor(newton, halley, hh3));
    s += ds;
  }
  return s;
}

export { normalisedIntrinsicCall };
