/**
 * Householder(3) iteration on g(s) = ln b(x, s) − ln beta from a start close to the root, shared by the
 * solvers that bring their own start (a bid or ask seeded by the mid, a mid from a closed-form guess).
 *
 * Out of the money b falls like e^{−x²/(2s²)}, so b − beta bends on a scale of s/h² (h = x/s) while
 * ln b stays smooth on the scale of s: a start that is a large step for b is a small one for g. With
 * ν = b'/b and the closed forms of b''/b' and b'''/b', g''/g' = b''/b' − ν and
 * g'''/g' = b'''/b' − 3ν·b''/b' + 2ν².
 *
 * Criteria, in units of the local length scale L = min(s, |g'/g''|, |g'/g'''|^{1/2}), written as
 * literals (a module-level const costs a context load and a TDZ check):
 * - ACCEPTED_STEP = 1e-4·L: a Householder(3) step that small leaves an error of order (1e-4)⁴·L =
 *   1e-16·L (fourth-order convergence), below an ulp of s — Let's Be Rational's bound, measured against
 *   L rather than s because deep out of the money the curve bends on a scale shorter than s.
 * - MAX_EVALUATIONS = 4 Black evaluations.
 * - MIN_ELASTICITY: s·b'/b ≥ 1e-2 at every iterate. Below it a relative rounding of b moves s by 100x
 *   as much, and LBR's ln(b_max − b) objective resolves the root better.
 */
import { lbr } from "./letsBeRational.js";
import { blackVega, householderBlackOverVega } from "./normalisedBlack.js";

/**
 * Iterates from s = lbr[2] on lbr[0] beta, lbr[1] x. Writes the root to lbr[2] and returns true, or
 * returns false (lbr[2] undefined) when the iteration leaves s > 0, loses elasticity or has not met
 * the step criterion within four evaluations: the caller then runs Let's Be Rational.
 *
 * `logFormFirst`, for a start that is rarely within the step criterion (a closed-form guess): the first
 * evaluation takes g from ln(b/vega) − (h²+t²)/2, which needs a logarithm but no exponential (the
 * vega's), where the b form needs both far from the root. Near the root that sum of terms of size h²/2
 * rounds to ~ε·(1 + h²) absolute, about an ulp of s once divided by s·ν ≈ 1 + h²; still, that step is
 * never accepted, so a b-form evaluation ends every solve as before. (Log-form evaluations throughout,
 * which would need no exponential at all, measured slower: a logarithm costs more than the vega's
 * exponential plus the atanh series near the root.)
 */
export function householderOnLogPrice(logFormFirst: boolean): boolean {
  const beta = lbr[0]!;
  const x = lbr[1]!;
  let s = lbr[2]!;
  const invBeta = 1 / beta;
  for (let evaluations = 0; evaluations < 4; evaluations++) {
    if (!(s > 0)) return false;
    blackVega[2] = x;
    blackVega[3] = s;
    const logForm = logFormFirst && evaluations === 0;
    // The vega's exponential first (h = x/s and t = s/2 as householderBlackOverVega forms them), so b/vega's
    // longer chain of arithmetic does not wait on it.
    const h0 = x / s;
    const t0 = 0.5 * s;
    const vega = logForm ? 0 : 0.3989422804014327 * Math.exp(-0.5 * (h0 * h0 + t0 * t0));
    // b/vega: with it ν = b'/b = 1/(b/vega) and the Newton step −ln(b/beta)/ν need no division by b.
    householderBlackOverVega();
    const bOverVega = blackVega[0]!;
    const nu = 1 / bOverVega;
    // blackAndVega's underflow guard on the vega (√DBL_MIN), then MIN_ELASTICITY: s·b'/b ≥ 1e-2.
    if (!(x === 0 || s > -x * 1.4916681462400413e-154)) return false;
    if (!(nu * s >= 1e-2 && nu < 1e300)) return false;
    let newton: number;
    if (logForm) {
      // ln(b/beta) = ln(b/vega) + ln vega − ln beta, ln vega = −(h²+t²)/2 − ln√(2π) (1/√(2π) below).
      newton = -(Math.log(bOverVega * 0.3989422804014327 * invBeta) - 0.5 * (h0 * h0 + t0 * t0)) * bOverVega;
      if (!(newton > -1e300 && newton < 1e300)) return false;
    } else {
      const b = vega * bOverVega;
      // ln(b/beta) = 2·atanh(z), z = (b − beta)/(b + beta): near the root (|z| < 0.03) the series to z⁹
      // is exact to an ulp (z¹⁰/11 ≤ 6e-17 relative) and cheaper than the logarithm.
      const z = (b - beta) / (b + beta);
      const w = z * z;
      newton =
        -(z > -0.03 && z < 0.03
          ? 2 *
            z *
            (1 + w * (0.3333333333333333 + w * (0.2 + w * (0.14285714285714285 + w * 0.1111111111111111))))
          : Math.log(b * invBeta)) * bOverVega;
    }
    const invS = 1 / s;
    const h = x * invS;
    const hOverS = h * invS;
    // b''/b' = h²/s − s/4 and b'''/b' = (b''/b')² − 3h²/s² − 1/4 (b' = e^{−(h²+s²/4)/2}/√(2π)).
    const halleyB = h * hOverS - 0.25 * s;
    const halley = halleyB - nu;
    const hh3 = halleyB * halleyB - 3 * hOverS * hOverS - 0.25 - nu * (3 * halleyB - 2 * nu);
    // Householder(3) step (LBR's factor form), written out: a helper V8 does not inline would box it.
    const ds =
      (newton * (1 + 0.5 * halley * newton)) / (1 + newton * (halley + hh3 * newton * 0.16666666666666666));
    const invScale = Math.max(invS * invS, halley * halley, Math.abs(hh3));
    s += ds;
    // ACCEPTED_STEP, squared: (1e-4)² = 1e-8.
    if (!logForm && ds * ds * invScale <= 1e-8) {
      if (!(s > 0)) return false;
      lbr[2] = s;
      return true;
    }
  }
  return false;
}
