/**
 * A start for householderOnLogPrice without any Black evaluation: Let's Be Rational spends one on a
 * branch node, a complementary error function and a rational cubic before its own two iterations.
 *
 * - Where Corrado–Miller's quadratic has a real root (near the money; in normalised units with
 *   a = e^{x/2}, k = e^{−x/2}: s ≈ √(2π)/(a+k)·(c + √(c² − (a−k)²/π)), c = beta − (a−k)/2), it is the
 *   start.
 * - Elsewhere (deep out of the money) the leading term of LBR's lowest-branch map, b ≈ 2π/√27·|x|·Φ(−z)³
 *   with z = |x|/(√3·s), inverted for s.
 * On the SPY-like bench chain this leaves 85% of mids two evaluations from the root and 15% three; the
 * guess only shapes the start (the root is b's own), and where it is poor the iteration declines.
 */
import { inverseNormCdf, normQuantileTail } from "../normal.js";
import { lbr } from "./letsBeRational.js";

/** From lbr[0] beta, lbr[1] x <= 0 and lbr[5] e^{x/2}, writes a start s to lbr[2] (0 when it has none). */
export function closedFormGuess(): void {
  const beta = lbr[0]!;
  const x = lbr[1]!;
  const a = lbr[5]!;
  const k = 1 / a;
  const d = a - k;
  const c = beta - 0.5 * d;
  // (a − k)²/π
  const discriminant = c * c - d * d * 0.3183098861837907;
  if (discriminant > 0) {
    // √(2π)
    lbr[2] = (2.5066282746310002 / (a + k)) * (c + Math.sqrt(discriminant));
    return;
  }
  // Φ(−z)³ = beta/(2π/√27·|x|); 2π/√27 = 1.2091995761561452. Then s = |x|/(√3·z), √3 = 1.7320508075688772.
  const cube = beta / (1.2091995761561452 * -x);
  // Below 0.075³ AS241 takes its tail branch, which needs only √(−ln Φ(−z)) = √(−ln(cube)/3): one
  // logarithm instead of a cube root and then the logarithm of Φ(−z) inside inverseNormCdf.
  if (cube < 4.21875e-4) {
    lbr[2] = x / (1.7320508075688772 * -normQuantileTail(Math.sqrt(Math.log(cube) * -0.3333333333333333)));
    return;
  }
  const tail = Math.cbrt(cube);
  lbr[2] = tail < 0.5 ? x / (1.7320508075688772 * inverseNormCdf(tail)) : 0;
}
