/**
 * Shape-preserving rational cubic interpolation (Delbourgo & Gregory 1985), used by the implied
 * volatility initial guess of Jaeckel's "Let's Be Rational".
 */

const DBL_EPSILON = 2.220446049250313e-16;
const DBL_MIN = 2.2250738585072014e-308;
const DBL_MAX = Number.MAX_VALUE;
const MIN_CONTROL = -(1 - Math.sqrt(DBL_EPSILON));
const MAX_CONTROL = 2 / (DBL_EPSILON * DBL_EPSILON);

const isZero = (x: number): boolean => Math.abs(x) < DBL_MIN;

export function rationalCubicInterpolation(
  x: number,
  xL: number,
  xR: number,
  yL: number,
  yR: number,
  dL: number,
  dR: number,
  r: number,
): number {
  const h = xR - xL;
  if (Math.abs(h) <= 0) return 0.5 * (yL + yR);
  const t = (x - xL) / h;
  if (!(r >= MAX_CONTROL)) {
    const omt = 1 - t;
    const t2 = t * t;
    const omt2 = omt * omt;
    return (
      (yR * t2 * t + (r * yR - h * dR) * t2 * omt + (r * yL + h * dL) * t * omt2 + yL * omt2 * omt) /
      (1 + (r - 3) * t * omt)
    );
  }
  // The control parameter is so large that the curve is the straight line; avoid overflow.
  return yR * t + yL * (1 - t);
}

function minimumControlParameter(dL: number, dR: number, s: number, preferShape: boolean): number {
  const monotonic = dL * s >= 0 && dR * s >= 0;
  const convex = dL <= s && s <= dR;
  const concave = dL >= s && s >= dR;
  if (!monotonic && !convex && !concave) return MIN_CONTROL;
  const dRmdL = dR - dL;
  const dRms = dR - s;
  const smdL = s - dL;
  let r1 = -DBL_MAX;
  let r2 = r1;
  if (monotonic) {
    if (!isZero(s)) r1 = (dR + dL) / s;
    else if (preferShape) r1 = MAX_CONTROL;
  }
  if (convex || concave) {
    if (!(isZero(smdL) || isZero(dRms))) r2 = Math.max(Math.abs(dRmdL / dRms), Math.abs(dRmdL / smdL));
    else if (preferShape) r2 = MAX_CONTROL;
  } else if (monotonic && preferShape) {
    r2 = MAX_CONTROL;
  }
  return Math.max(MIN_CONTROL, r1, r2);
}

export function convexControlToFitSecondDerivativeLeft(
  xL: number,
  xR: number,
  yL: number,
  yR: number,
  dL: number,
  dR: number,
  secondDerivativeL: number,
  preferShape: boolean,
): number {
  const h = xR - xL;
  const numerator = 0.5 * h * secondDerivativeL + (dR - dL);
  let r: number;
  if (isZero(numerator)) r = 0;
  else {
    const denominator = (yR - yL) / h - dL;
    if (isZero(denominator)) r = numerator > 0 ? MAX_CONTROL : MIN_CONTROL;
    else r = numerator / denominator;
  }
  return Math.max(r, minimumControlParameter(dL, dR, (yR - yL) / h, preferShape));
}

export function convexControlToFitSecondDerivativeRight(
  xL: number,
  xR: number,
  yL: number,
  yR: number,
  dL: number,
  dR: number,
  secondDerivativeR: number,
  preferShape: boolean,
): number {
  const h = xR - xL;
  const numerator = 0.5 * h * secondDerivativeR + (dR - dL);
  let r: number;
  if (isZero(numerator)) r = 0;
  else {
    const denominator = dR - (yR - yL) / h;
    if (isZero(denominator)) r = numerator > 0 ? MAX_CONTROL : MIN_CONTROL;
    else r = numerator / denominator;
  }
  return Math.max(r, minimumControlParameter(dL, dR, (yR - yL) / h, preferShape));
}

/**
 * Nodes of one interpolation for interpolateFitted: [0] xL, [1] xR, [2] yL, [3] yR, [4] dL, [5] dR,
 * [6] the second derivative to fit at the chosen end, [7] the abscissa in and the interpolated value
 * out. The solver passes them through this Float64Array rather than as eight arguments because V8
 * boxes each double argument of a call it does not inline.
 */
export const cubicNodes = new Float64Array(8);

/**
 * Rational cubic through cubicNodes with its control parameter fitted to the second derivative at the
 * left end, evaluated at cubicNodes[7] into cubicNodes[7]. (Left and right are separate functions so
 * each fits TurboFan's inlining budget with its two helpers.)
 */
export function interpolateFittedLeft(preferShape: boolean): void {
  const xL = cubicNodes[0]!;
  const xR = cubicNodes[1]!;
  const yL = cubicNodes[2]!;
  const yR = cubicNodes[3]!;
  const dL = cubicNodes[4]!;
  const dR = cubicNodes[5]!;
  const r = convexControlToFitSecondDerivativeLeft(xL, xR, yL, yR, dL, dR, cubicNodes[6]!, preferShape);
  cubicNodes[7] = rationalCubicInterpolation(cubicNodes[7]!, xL, xR, yL, yR, dL, dR, r);
}

/** As interpolateFittedLeft, with the second derivative fitted at the right end. */
export function interpolateFittedRight(preferShape: boolean): void {
  const xL = cubicNodes[0]!;
  const xR = cubicNodes[1]!;
  const yL = cubicNodes[2]!;
  const yR = cubicNodes[3]!;
  const dL = cubicNodes[4]!;
  const dR = cubicNodes[5]!;
  const r = convexControlToFitSecondDerivativeRight(xL, xR, yL, yR, dL, dR, cubicNodes[6]!, preferShape);
  cubicNodes[7] = rationalCubicInterpolation(cubicNodes[7]!, xL, xR, yL, yR, dL, dR, r);
}
