/**
 * Implied volatility of a bid or an ask, seeded by the mid's solution. The side sits a small step from
 * the mid, so a third-order Householder step from s_mid = σ_mid·√T — built from the mid's vega and the
 * closed-form derivative ratios of the normalised Black price b(x, s), no Black evaluation — lands
 * within ~(Δs/L)⁴ of the root, and Householder(3) steps with one b/∂b evaluation each finish it (one
 * for a quoted spread of a few percent). Let's Be Rational spends a branch selection, a rational-cubic
 * guess and two to three evaluations on the same price.
 *
 * Whenever the seed is not clearly safe — no usable mid (status not ok, σ = 0), a start step that is
 * large against the curve's own length scales, a price near the supremum e^{x/2} or where the price
 * barely moves with s, or an iteration that has not met the step criterion within four evaluations —
 * the side is solved as a mid is (bsmGuessedImpliedVol, bit for bit: a closed-form start and the same
 * iteration) unless its normalised time value is below 1e-8, and where that declines too, by the full
 * Let's Be Rational solve, so results and statuses are LBR's there. Inputs are checked and reduced
 * exactly as bsmImpliedVol does, so the statuses for invalid, expired, below-intrinsic and above-maximum
 * prices are the same, and a price at the intrinsic gives σ = 0. Where the seed or the closed-form start
 * finishes, σ agrees with LBR's to a few ulps (both are converged roots of the same b(x, s) = beta), not
 * bit for bit.
 *
 * Pure: the result depends only on the arguments (the memo below caches a pure function of its key).
 */
import {
  finishOtmCall,
  ivInputs,
  loadIvInputs,
  NEEDS_SOLVE,
  otmScale,
  prepareOtmCall,
} from "./europeanImpliedVol.js";
import { guessedIterations } from "./guessedImpliedVol.js";
import { lbr, solveOtmCall } from "./internal/letsBeRational.js";
import { householderOnLogPrice } from "./internal/logPriceHouseholder.js";

/** Mid price, mid volatility and (NaN when not given) the mid's vega ∂V/∂σ of the call in progress. */
const midInputs = new Float64Array(3);

/**
 * ∂b/∂s at the mid of the last (x, s_mid): the bid and the ask of one quote share it, which saves an
 * exponential per quote. [0] x, [1] s_mid, [2] vega.
 */
const midVegaMemo = new Float64Array(3).fill(Number.NaN);

/*
 * Criteria of the start, in units of the local length scale L of the objective (the iteration's own,
 * ACCEPTED_STEP, MAX_EVALUATIONS and MIN_ELASTICITY at every iterate, are in logPriceHouseholder.ts),
 * written as literals in the kernel (a module-level const costs a context load and a TDZ check):
 * - MAX_START_STEP = 6·L: larger seed steps come from asks several times the mid (a one-tick ask over
 *   a zero bid); the closed-form start (or LBR's) is the better one for those. Up to 6·L the seed
 *   converges within MAX_EVALUATIONS on the test domain; on a SPY-like chain only deep-ITM asks far from
 *   a mid that is nearly all intrinsic decline.
 * - MIN_ELASTICITY at the mid: s·b'/b ≥ 1e-2, checked before any evaluation.
 * - NEAR_MAX: prices within a ppm of b_max go to LBR, whose above-maximum test there uses its own
 *   rounding of e^{x/2}.
 */
/**
 * σ of a European bid or ask `price`, given the mid price and the mid's implied volatility `midIv`
 * (from bsmImpliedVol on the same contract). Writes ivScratch.iv and returns an IV_STATUS_CODE, the
 * same as bsmImpliedVol(sign, spot, strike, tYears, rate, divYield, price) would. `midVega`, the
 * mid's vega ∂V/∂σ (bsmGreeksInto's), saves an exponential when given; it only shapes the start.
 */
export function bsmSideImpliedVol(
  sign: number,
  spot: number,
  strike: number,
  tYears: number,
  rate: number,
  divYield: number,
  price: number,
  midPrice: number,
  midIv: number,
  midVega = Number.NaN,
): number {
  loadSide(spot, strike, tYears, rate, divYield, price, midPrice, midIv, midVega);
  return solveSide(sign, true);
}

/**
 * The seeded path alone, for tests and diagnostics: bsmSideImpliedVol, except that where the seed
 * declines it returns NEEDS_SOLVE (−1) instead of running Let's Be Rational.
 */
export function seededSideImpliedVol(
  sign: number,
  spot: number,
  strike: number,
  tYears: number,
  rate: number,
  divYield: number,
  price: number,
  midPrice: number,
  midIv: number,
  midVega = Number.NaN,
): number {
  loadSide(spot, strike, tYears, rate, divYield, price, midPrice, midIv, midVega);
  return solveSide(sign, false);
}

/** Small enough to inline: the doubles reach the solver through Float64Arrays, not boxed arguments. */
function loadSide(
  spot: number,
  strike: number,
  tYears: number,
  rate: number,
  divYield: number,
  price: number,
  midPrice: number,
  midIv: number,
  midVega: number,
): void {
  loadIvInputs(spot, strike, tYears, rate, divYield, price);
  midInputs[0] = midPrice;
  midInputs[1] = midIv;
  midInputs[2] = midVega;
}

function solveSide(sign: number, fallBack: boolean): number {
  const code = prepareOtmCall(sign);
  if (code !== NEEDS_SOLVE) return code;
  if (!seededIterations()) {
    if (!fallBack) return NEEDS_SOLVE;
    // No usable mid, or a side far from it (a 2%-of-premium ask on a contract whose mid is nearly all
    // intrinsic): the mid's own solver, from its closed-form start, before Let's Be Rational. Below a
    // normalised time value of 1e-8 (a sub-tick side) LBR answers as before: at |ln(F/K)| ~ 1e-16 its
    // lower node cancels there and its σ need not price back, so the two roots could differ widely.
    if (!(lbr[0]! >= 1e-8 && guessedIterations())) solveOtmCall();
  }
  return finishOtmCall();
}

/**
 * The seeded solve on the registers prepareOtmCall filled (lbr[0] beta, lbr[1] x, lbr[5] b_max).
 * Writes lbr[2] = s and returns true, or returns false when the seed is not safe.
 *
 * The start is a Householder(3) step on g(s) = ln b(s) − ln beta from the mid, with no Black
 * evaluation (a cheap contract whose ask is twice its bid is a small step for g and a large one for b);
 * householderOnLogPrice finishes it.
 */
function seededIterations(): boolean {
  const beta = lbr[0]!;
  const x = lbr[1]!;
  const sMid = midInputs[1]! * otmScale[1]!;
  if (!(sMid > 0 && sMid < 1e300) || beta > 0.999999 * lbr[5]!) return false;
  // The mid's normalised price from the price difference: no second reduction, no cancellation.
  const dBeta = (ivInputs[5]! - midInputs[0]!) * otmScale[0]!;
  const invBetaMid = 1 / (beta - dBeta);
  const invS = 1 / sMid;
  const h = x * invS;
  let vega: number;
  // The caller's vega, normalised: V = e^{−rT}·√(FK)·b and s = σ√T, so ∂b/∂s = ∂V/∂σ·e^{rT}/(√(FK)·√T).
  // It only shapes the seed; the root is b's own.
  if (midInputs[2]! > 0) vega = (midInputs[2]! * otmScale[0]!) / otmScale[1]!;
  else if (x === midVegaMemo[0] && sMid === midVegaMemo[1]) vega = midVegaMemo[2]!;
  else {
    vega = 0.3989422804014327 * Math.exp(-0.5 * (h * h + 0.25 * sMid * sMid));
    midVegaMemo[0] = x;
    midVegaMemo[1] = sMid;
    midVegaMemo[2] = vega;
  }
  const nu = vega * invBetaMid;
  // MIN_ELASTICITY: s·b'/b ≥ 1e-2 (and b' > 0, b_mid > 0).
  if (!(nu * sMid >= 1e-2 && nu < 1e300)) return false;
  // ln(beta/beta_mid) = 2·atanh(z), z = (beta − beta_mid)/(beta + beta_mid). The seed only has to land
  // near the root, so for |z| < 0.2 the series to z⁹ does (relative error ≤ z¹⁰/11 = 1e-8).
  const z0 = dBeta / (2 * beta - dBeta);
  const w0 = z0 * z0;
  const newton =
    (z0 > -0.2 && z0 < 0.2
      ? 2 *
        z0 *
        (1 + w0 * (0.3333333333333333 + w0 * (0.2 + w0 * (0.14285714285714285 + w0 * 0.1111111111111111))))
      : Math.log(beta * invBetaMid)) / nu;
  // b''/b' = h²/s − s/4 and b'''/b' = (b''/b')² − 3h²/s² − 1/4 (b' = e^{−(h²+s²/4)/2}/√(2π)).
  const hOverS = h * invS;
  const halleyB = h * hOverS - 0.25 * sMid;
  const halley = halleyB - nu;
  const hh3 = halleyB * halleyB - 3 * hOverS * hOverS - 0.25 - nu * (3 * halleyB - 2 * nu);
  // Householder(3) step (LBR's factor form), written out: a helper V8 does not inline would box it.
  const ds =
    (newton * (1 + 0.5 * halley * newton)) / (1 + newton * (halley + hh3 * newton * 0.16666666666666666));
  const invScale = Math.max(invS * invS, halley * halley, Math.abs(hh3));
  // MAX_START_STEP, squared.
  if (!(ds * ds * invScale <= 36)) return false;
  lbr[2] = sMid + ds;
  return householderOnLogPrice(false);
}
