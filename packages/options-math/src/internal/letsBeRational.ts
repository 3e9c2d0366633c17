/**
 * Normalised implied volatility after P. Jäckel, "Let's Be Rational" (2015): a rational initial guess
 * over four branches of the price curve, each followed by at most two third-order Householder steps on
 * a branch-specific objective (1/ln b in the lowest branch, ln(b_max − b) in the highest), which
 * reaches float64 precision. No bracketing search is needed; a bisection fallback only guards against
 * inputs with |x| in the hundreds.
 *
 * The stages (branch guesses, iterations, b(x, s) evaluations) hand values to each other through
 * Float64Array registers (lbr here, blackVega and cubicNodes in the helpers), not through arguments and
 * return values: V8 allocates a heap number for every double that crosses a call it has not inlined,
 * and the stages are too large to be inlined into one function. Register indices are literals for the
 * same reason the constants of the hot kernels are (a module-level const costs a context load and a
 * TDZ check).
 */
import { erfcx, inverseNormCdf, normCdf, normQuantileTail } from "../normal.js";
import {
  blackAndVega,
  blackOverVega,
  blackVega,
  DBL_EPSILON,
  DBL_MIN,
  normalisedIntrinsicCall,
} from "./normalisedBlack.js";
import { cubicNodes, interpolateFittedLeft, interpolateFittedRight } from "./rationalCubic.js";

/**
 * Registers of solveOtmCall: [0] beta and [1] x in, [2] s out (and the current iterate); [3] the
 * left bracket, [4] the right bracket, [5] b_max = e^{x/2} in; [6], [7] the branch node (s, b) handed to
 * the outer-branch guesses, [8] its vega factor e^{−(h²+t²)/2}/√(2π) (lowest branch).
 */
export const lbr = new Float64Array(9);

/**
 * Householder(3) converges with order four: a first step |Δs| ≤ 1e-4·s leaves an error of order
 * (1e-4)⁴·s = 1e-16·s, below an ulp, so the second step (another b(x, s) evaluation) is skipped. The
 * bench grids measure the same maximum error with this bound as with 1e-5; from 3e-4 it starts to grow.
 * MAX_ITERATIONS = 2 and CONVERGED_STEP = 1e-4 appear as literals in the iteration loops.
 */
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
const SQRT_TWO_PI = 2.5066282746310002;
const ONE_THIRD = 1 / 3;
const LN_SQRT_TWO_PI = 0.5 * Math.log(2 * Math.PI);
const THREE_LN_AS241_TAIL = 3 * Math.log(0.075);

/** Returned when the normalised price is at or above its supremum e^{x/2}. */
export const ABOVE_MAXIMUM = -2;

const householderFactor = (newton: number, halley: number, hh3: number): number =>
  (1 + 0.5 * halley * newton) / (1 + newton * (halley + hh3 * newton * 0.16666666666666666));

/** b(x, s) and ∂b/∂s into blackVega[0..1]. */
function evaluateBlack(x: number, s: number): void {
  blackVega[2] = x;
  blackVega[3] = s;
  blackAndVega();
}

/**
 * Normalised total volatility s = σ√T for an out-of-the-money normalised call price beta = price/√(FK)
 * at x = ln(F/K) <= 0. Returns 0 for beta <= 0 and ABOVE_MAXIMUM for beta >= e^{x/2}.
 */
export function normalisedImpliedVolOtmCall(beta: number, x: number): number {
  lbr[0] = beta;
  lbr[1] = x;
  lbr[5] = Math.exp(0.5 * x);
  solveOtmCall();
  return lbr[2]!;
}

/**
 * normalisedImpliedVolOtmCall on the registers: lbr[0] beta, lbr[1] x and lbr[5] b_max = e^{x/2} in
 * (callers often have e^{x/2} as a ratio of square roots, which is cheaper than the exponential);
 * lbr[2] s out.
 */
export function solveOtmCall(): void {
  const beta = lbr[0]!;
  const x = lbr[1]!;
  if (beta <= 0) {
    lbr[2] = 0;
    return;
  }
  const bMax = lbr[5]!;
  if (beta >= bMax) {
    lbr[2] = ABOVE_MAXIMUM;
    return;
  }
  const sC = Math.sqrt(Math.abs(2 * x));
  // At s_c = √(2|x|) the first CDF argument x/s + s/2 is 0, so b_c = e^{x/2}/2 − Φ(−s_c)e^{−x/2}
  // = ½e^{x/2}(1 − erfcx(s_c/√2)) and the vega is e^{x/2}/√(2π): no new exponential. The cancellation
  // in 1 − erfcx costs at most ~2 digits for |x| ≥ 1e-4, and b_c only places the interpolation nodes.
  const bC = 0.5 * bMax * (1 - erfcx(ONE_OVER_SQRT_TWO * sC));
  const vC = ONE_OVER_SQRT_TWO_PI * bMax;
  if (beta < bC) {
    let sL = sC - bC / vC;
    // For |x| within a few ulps of 0 the difference cancels to nothing or below (and b at s <= 0 is
    // meaningless); its series' leading term, s_c − b_c/v_c = √(π/2)·|x| + O(|x|^{3/2}), does not.
    if (!(sL > 0)) sL = 1.2533141373155001 * -x;
    evaluateBlack(x, sL);
    const bL = blackVega[0]!;
    if (beta < bL) {
      lbr[6] = sL;
      lbr[7] = bL;
      lbr[8] = blackVega[6]!;
      lowestBranch();
      return;
    }
    cubicNodes[0] = bL;
    cubicNodes[1] = bC;
    cubicNodes[2] = sL;
    cubicNodes[3] = sC;
    cubicNodes[4] = 1 / blackVega[1]!;
    cubicNodes[5] = 1 / vC;
    cubicNodes[6] = 0;
    cubicNodes[7] = beta;
    interpolateFittedRight(false);
    lbr[3] = sL;
    lbr[4] = sC;
  } else {
    const sH = vC > DBL_MIN ? sC + (bMax - bC) / vC : sC;
    evaluateBlack(x, sH);
    const bH = blackVega[0]!;
    if (beta > bH) {
      lbr[6] = sH;
      lbr[7] = bH;
      highestBranch();
      return;
    }
    cubicNodes[0] = bC;
    cubicNodes[1] = bH;
    cubicNodes[2] = sC;
    cubicNodes[3] = sH;
    cubicNodes[4] = 1 / vC;
    cubicNodes[5] = 1 / blackVega[1]!;
    cubicNodes[6] = 0;
    cubicNodes[7] = beta;
    interpolateFittedLeft(false);
    lbr[3] = sC;
    lbr[4] = sH;
  }
  lbr[2] = cubicNodes[7]!;
  middleIterations();
}

/**
 * Lowest branch (beta below b at s_l = lbr[6], b_l = lbr[7]): guess from the rational cubic in
 * f_lower(s) = 2π/√27·|x|·Φ(−z)^3, z = |x|/(√3 s), then Householder steps on 1/ln b(s) − 1/ln beta,
 * which is nearly linear where b is exponentially small.
 */
function lowestBranch(): void {
  const beta = lbr[0]!;
  const x = lbr[1]!;
  const sL = lbr[6]!;
  const bL = lbr[7]!;
  // f_lower and its first two derivatives w.r.t. b at s_l. Φ(−z) = ½·erfcx(z/√2)·e^{−z²/2} and
  // Φ(−z)/φ(z) = √(π/2)·erfcx(z/√2): the exponentials of the textbook form cancel, leaving e^{s²/8}
  // and e^{−3z²/2}, and the latter follows from the node's vega.
  const ax = Math.abs(x);
  const z = (SQRT_ONE_OVER_THREE * ax) / sL;
  const y = z * z;
  const s2 = sL * sL;
  const ex = erfcx(ONE_OVER_SQRT_TWO * z);
  const eS = Math.exp(0.125 * s2);
  // e^{−3y/2} = e^{−x²/(2s²)} = √(2π)·vega(s_l)·e^{s²/8}: the node's vega factor (lbr[8]) saves an
  // exponential. The map only places the initial guess, so its last few ulps cost nothing.
  const eY = SQRT_TWO_PI * lbr[8]! * eS;
  const fpp =
    ((PI_OVER_SIX * y) / (s2 * sL)) *
    (0.5 * ex) *
    (8 * SQRT_THREE * sL * ax + (3 * s2 * (s2 - 8) - 8 * x * x) * SQRT_PI_OVER_TWO * ex) *
    ((eS * eS) / eY);
  const fp = HALF_PI * y * ex * ex * eS;
  const halfEx = 0.5 * ex;
  const fL = TWO_PI_OVER_SQRT_TWENTY_SEVEN * ax * (halfEx * halfEx * halfEx) * eY;
  cubicNodes[0] = 0;
  cubicNodes[1] = bL;
  cubicNodes[2] = 0;
  cubicNodes[3] = fL;
  cubicNodes[4] = 1;
  cubicNodes[5] = fp;
  cubicNodes[6] = fpp;
  cubicNodes[7] = beta;
  interpolateFittedRight(true);
  let f = cubicNodes[7]!;
  if (!(f > 0)) {
    // Round-off for extreme |x|: fall back to the quadratic through f(0)=0, f(b_l), f'(0)=1.
    const t = beta / bL;
    f = (fL * t + bL * (1 - t)) * t;
  }
  // Invert f = 2π/√27·|x|·Φ(−z)^3 for z; with ln Φ(−z) below ln 0.075 (AS241's tail) straight from
  // the logarithm, without the cube root.
  const fRatio = f / (TWO_PI_OVER_SQRT_TWENTY_SEVEN * ax);
  const lnCube = Math.log(fRatio);
  let s: number;
  if (f === 0) s = 0;
  else if (lnCube < THREE_LN_AS241_TAIL)
    s = ax / (SQRT_THREE * normQuantileTail(Math.sqrt(lnCube * -ONE_THIRD)));
  else s = Math.abs(x / (SQRT_THREE * inverseNormCdf(Math.cbrt(fRatio))));
  let sLeft = DBL_MIN;
  let sRight = sL;
  let directionReversals = 0;
  let ds = -Number.MAX_VALUE;
  let dsPrevious = 0;
  const lnBeta = Math.log(beta);
  const invLnBeta = 1 / lnBeta;
  for (let iterations = 0; iterations < 2 && Math.abs(ds) > 1e-4 * s; iterations++) {
    if (ds * dsPrevious < 0) directionReversals++;
    if (iterations > 0 && (directionReversals === 3 || !(s > sLeft && s < sRight))) {
      s = 0.5 * (sLeft + sRight);
      if (sRight - sLeft <= DBL_EPSILON * s) break;
      directionReversals = 0;
      ds = 0;
    }
    dsPrevious = ds;
    // ln b = ln(b/vega) + ln vega, ln vega = −(h²+t²)/2 − ln√(2π): no exponential, and ∂b/∂s / b is
    // 1/(b/vega). (Also no underflow: b itself may be below DBL_MIN where ln b is not.)
    blackVega[2] = x;
    blackVega[3] = s;
    blackOverVega();
    const factor = blackVega[0]!;
    const hs = blackVega[4]!;
    const ts = blackVega[5]!;
    const lnB = Math.log(factor) - 0.5 * (hs * hs + ts * ts) - LN_SQRT_TWO_PI;
    if (lnB > lnBeta && s < sRight) sRight = s;
    else if (lnB < lnBeta && s > sLeft) sLeft = s;
    if (!(factor > 0) || !Number.isFinite(lnB)) {
      ds = 0.5 * (sLeft + sRight) - s;
    } else {
      const invLnB = 1 / lnB;
      const bpob = 1 / factor;
      const invS = 1 / s;
      const h = x * invS;
      const hOverS = h * invS;
      const bHalley = h * hOverS - 0.25 * s;
      const newton = (lnBeta - lnB) * lnB * invLnBeta * factor;
      const halley = bHalley - bpob * (1 + 2 * invLnB);
      const bHh3 = bHalley * bHalley - 3 * hOverS * hOverS - 0.25;
      const hh3 =
        bHh3 + 2 * bpob * bpob * (1 + 3 * invLnB * (1 + invLnB)) - 3 * bHalley * bpob * (1 + 2 * invLnB);
      ds = newton * householderFactor(newton, halley, hh3);
    }
    ds = Math.max(-0.5 * s, ds);
    s += ds;
  }
  lbr[2] = s;
}

/**
 * Highest branch (beta above b at s_h = lbr[6], b_h = lbr[7]): guess from the rational cubic in
 * f_upper(s) = Φ(−s/2), then Householder steps on ln(b_max − beta) − ln(b_max − b(s)) when beta is
 * above b_max/2, else the middle iteration.
 */
function highestBranch(): void {
  const beta = lbr[0]!;
  const x = lbr[1]!;
  // The same rounding of e^{x/2} as inside b(x, s): this branch works with b_max − b(s), where a
  // different last bit of b_max would be a relative error of the whole difference.
  const bMax = Math.exp(0.5 * x);
  if (beta >= bMax) {
    lbr[2] = ABOVE_MAXIMUM;
    return;
  }
  const sH = lbr[6]!;
  const bH = lbr[7]!;
  // f_upper and its first two derivatives w.r.t. b at s_h.
  const fH = normCdf(-0.5 * sH);
  let fp = -0.5;
  let fpp = 0;
  if (x !== 0) {
    const w = (x / sH) * (x / sH);
    fp = -0.5 * Math.exp(0.5 * w);
    fpp = (SQRT_PI_OVER_TWO * Math.exp(w + 0.125 * sH * sH) * w) / sH;
  }
  let f = -Number.MAX_VALUE;
  if (fpp > -SQRT_DBL_MAX && fpp < SQRT_DBL_MAX) {
    cubicNodes[0] = bH;
    cubicNodes[1] = bMax;
    cubicNodes[2] = fH;
    cubicNodes[3] = 0;
    cubicNodes[4] = fp;
    cubicNodes[5] = -0.5;
    cubicNodes[6] = fpp;
    cubicNodes[7] = beta;
    interpolateFittedLeft(true);
    f = cubicNodes[7]!;
  }
  if (f <= 0) {
    // Quadratic through f(b_h), f(b_max)=0 and f'(b_max)=−1/2.
    const h = bMax - bH;
    const t = (beta - bH) / h;
    f = (fH * (1 - t) + 0.5 * h * t) * (1 - t);
  }
  let s = -2 * inverseNormCdf(f);
  let sLeft = sH;
  if (!(beta > 0.5 * bMax)) {
    lbr[2] = s;
    lbr[3] = sLeft;
    lbr[4] = Number.MAX_VALUE;
    middleIterations();
    return;
  }
  let sRight = Number.MAX_VALUE;
  let directionReversals = 0;
  let ds = -Number.MAX_VALUE;
  let dsPrevious = 0;
  for (let iterations = 0; iterations < 2 && Math.abs(ds) > 1e-4 * s; iterations++) {
    if (ds * dsPrevious < 0) directionReversals++;
    if (iterations > 0 && (directionReversals === 3 || !(s > sLeft && s < sRight))) {
      s = 0.5 * (sLeft + sRight);
      if (sRight - sLeft <= DBL_EPSILON * s) break;
      directionReversals = 0;
      ds = 0;
    }
    dsPrevious = ds;
    evaluateBlack(x, s);
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
      const invS = 1 / s;
      const h = x * invS;
      const hOverS = h * invS;
      const bHalley = h * hOverS - 0.25 * s;
      const bHh3 = bHalley * bHalley - 3 * hOverS * hOverS - 0.25;
      const newton = -g / gp;
      const halley = bHalley + gp;
      const hh3 = bHh3 + gp * (2 * gp + 3 * bHalley);
      ds = newton * householderFactor(newton, halley, hh3);
    }
    ds = Math.max(-0.5 * s, ds);
    s += ds;
  }
  lbr[2] = s;
}

/** Middle branches: Householder steps on b(s) − beta from lbr[2] within the bracket lbr[3..4]. */
function middleIterations(): void {
  const beta = lbr[0]!;
  const x = lbr[1]!;
  let s = lbr[2]!;
  let sLeft = lbr[3]!;
  let sRight = lbr[4]!;
  let directionReversals = 0;
  let ds = -Number.MAX_VALUE;
  let dsPrevious = 0;
  for (let iterations = 0; iterations < 2 && Math.abs(ds) > 1e-4 * s; iterations++) {
    if (ds * dsPrevious < 0) directionReversals++;
    if (iterations > 0 && (directionReversals === 3 || !(s > sLeft && s < sRight))) {
      s = 0.5 * (sLeft + sRight);
      if (sRight - sLeft <= DBL_EPSILON * s) break;
      directionReversals = 0;
      ds = 0;
    }
    dsPrevious = ds;
    evaluateBlack(x, s);
    const b = blackVega[0]!;
    const bp = blackVega[1]!;
    if (b > beta && s < sRight) sRight = s;
    else if (b < beta && s > sLeft) sLeft = s;
    const newton = (beta - b) / bp;
    const invS = 1 / s;
    const h = x * invS;
    const hOverS = h * invS;
    const halley = h * hOverS - 0.25 * s;
    const hh3 = halley * halley - 3 * hOverS * hOverS - 0.25;
    ds = Math.max(-0.5 * s, newton * householderFactor(newton, halley, hh3));
    s += ds;
  }
  lbr[2] = s;
}

export { normalisedIntrinsicCall };
