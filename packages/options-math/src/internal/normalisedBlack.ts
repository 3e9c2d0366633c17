// biome-ignore-all lint/correctness/noPrecisionLoss: Cody's erfcx coefficients are quoted with the digits he published; float64 rounds them once.
/**
 * Normalised Black call b(x, s) = Φ(x/s + s/2)·e^{x/2} − Φ(x/s − s/2)·e^{−x/2}, with x = ln(F/K) and
 * s = σ√T, evaluated to float64 accuracy over the whole (x, s) plane following the four-region scheme of
 * P. Jäckel, "Let's Be Rational" (Wilmott 2015): an asymptotic expansion where both terms are tiny, a
 * small-s Taylor expansion, the plain CDF form where the first term dominates, and otherwise the erfcx
 * form, which needs a single exponential and so avoids the cancellation of two rounded exponentials.
 */
import { erfcx, normCdf } from "../normal.js";

export const DBL_EPSILON = 2.220446049250313e-16;
export const DBL_MIN = 2.2250738585072014e-308;
const SQRT_DBL_MIN = Math.sqrt(DBL_MIN);
const FOURTH_ROOT_DBL_EPSILON = Math.sqrt(Math.sqrt(DBL_EPSILON));
const ONE_OVER_SQRT_TWO_PI = 0.3989422804014327;

/**
 * Registers of the b(x, s) kernels: [0] b and [1] ∂b/∂s out, [2] x and [3] s in; [4] h = x/s, [5] t = s/2
 * and [6] the vega factor e^{−(h²+t²)/2}/√(2π) pass from blackAndVega to the region kernels. Values
 * cross these calls through a Float64Array because V8 boxes every double it passes to, or returns
 * from, a function it has not inlined (a heap allocation each), and the kernels are too large to be
 * inlined all into one caller. Hot kernels write their constants as literals: a module-level const is
 * read from the module context behind a TDZ check, and the larger bytecode blocks inlining.
 */
export const blackVega = new Float64Array(7);

/** Normalised intrinsic value of a call (x > 0) in the b-scale: e^{x/2} − e^{−x/2}, series for small x. */
export function normalisedIntrinsicCall(x: number): number {
  if (x <= 0) return 0;
  const x2 = x * x;
  // Series of 2·sinh(x/2): below this bound the exponentials would cancel digits away.
  if (x2 < 98 * FOURTH_ROOT_DBL_EPSILON) {
    return Math.max(x * (1 + x2 * (1 / 24 + x2 * (1 / 1920 + x2 * (1 / 322560 + (1 / 92897280) * x2)))), 0);
  }
  const bMax = Math.exp(0.5 * x);
  return Math.max(bMax - 1 / bMax, 0);
}

/**
 * Very negative h, modest t: the A(h,t)-based expansion (Abramowitz-Stegun 26.2.12 to 17th order) times
 * the vega factor, into blackVega[0].
 */
function asymptoticRegion(): void {
  const h = blackVega[4]!;
  const t = blackVega[5]!;
  const e = (t / h) * (t / h);
  const r = (h + t) * (h - t);
  const q = (h / r) * (h / r);
  // biome-ignore format: coefficient tower kept as one expression
  const sum = (2.0+q*(-6.0E0-2.0*e+3.0*q*(1.0E1+e*(2.0E1+2.0*e)+5.0*q*(-1.4E1+e*(-7.0E1+e*(-4.2E1-2.0*e))+7.0*q*(1.8E1+e*(1.68E2+e*(2.52E2+e*(7.2E1+2.0*e)))+9.0*q*(-2.2E1+e*(-3.3E2+e*(-9.24E2+e*(-6.6E2+e*(-1.1E2-2.0*e))))+1.1E1*q*(2.6E1+e*(5.72E2+e*(2.574E3+e*(3.432E3+e*(1.43E3+e*(1.56E2+2.0*e)))))+1.3E1*q*(-3.0E1+e*(-9.1E2+e*(-6.006E3+e*(-1.287E4+e*(-1.001E4+e*(-2.73E3+e*(-2.1E2-2.0*e))))))+1.5E1*q*(3.4E1+e*(1.36E3+e*(1.2376E4+e*(3.8896E4+e*(4.862E4+e*(2.4752E4+e*(4.76E3+e*(2.72E2+2.0*e)))))))+1.7E1*q*(-3.8E1+e*(-1.938E3+e*(-2.3256E4+e*(-1.00776E5+e*(-1.84756E5+e*(-1.51164E5+e*(-5.4264E4+e*(-7.752E3+e*(-3.42E2-2.0*e))))))))+1.9E1*q*(4.2E1+e*(2.66E3+e*(4.0698E4+e*(2.3256E5+e*(5.8786E5+e*(7.05432E5+e*(4.0698E5+e*(1.08528E5+e*(1.197E4+e*(4.2E2+2.0*e)))))))))+2.1E1*q*(-4.6E1+e*(-3.542E3+e*(-6.7298E4+e*(-4.90314E5+e*(-1.63438E6+e*(-2.704156E6+e*(-2.288132E6+e*(-9.80628E5+e*(-2.01894E5+e*(-1.771E4+e*(-5.06E2-2.0*e))))))))))+2.3E1*q*(5.0E1+e*(4.6E3+e*(1.0626E5+e*(9.614E5+e*(4.08595E6+e*(8.9148E6+e*(1.04006E7+e*(6.53752E6+e*(2.16315E6+e*(3.542E5+e*(2.53E4+e*(6.0E2+2.0*e)))))))))))+2.5E1*q*(-5.4E1+e*(-5.85E3+e*(-1.6146E5+e*(-1.77606E6+e*(-9.37365E6+e*(-2.607579E7+e*(-4.01166E7+e*(-3.476772E7+e*(-1.687257E7+e*(-4.44015E6+e*(-5.9202E5+e*(-3.51E4+e*(-7.02E2-2.0*e))))))))))))+2.7E1*q*(5.8E1+e*(7.308E3+e*(2.3751E5+e*(3.12156E6+e*(2.003001E7+e*(6.919458E7+e*(1.3572783E8+e*(1.5511752E8+e*(1.0379187E8+e*(4.006002E7+e*(8.58429E6+e*(9.5004E5+e*(4.7502E4+e*(8.12E2+2.0*e)))))))))))))+2.9E1*q*(-6.2E1+e*(-8.99E3+e*(-3.39822E5+e*(-5.25915E6+e*(-4.032015E7+e*(-1.6934463E8+e*(-4.1250615E8+e*(-6.0108039E8+e*(-5.3036505E8+e*(-2.8224105E8+e*(-8.870433E7+e*(-1.577745E7+e*(-1.472562E6+e*(-6.293E4+e*(-9.3E2-2.0*e))))))))))))))+3.1E1*q*(6.6E1+e*(1.0912E4+e*(4.74672E5+e*(8.544096E6+e*(7.71342E7+e*(3.8707344E8+e*(1.14633288E9+e*(2.07431664E9+e*(2.33360622E9+e*(1.6376184E9+e*(7.0963464E8+e*(1.8512208E8+e*(2.7768312E7+e*(2.215136E6+e*(8.184E4+e*(1.056E3+2.0*e)))))))))))))))+3.3E1*(-7.0E1+e*(-1.309E4+e*(-6.49264E5+e*(-1.344904E7+e*(-1.4121492E8+e*(-8.344518E8+e*(-2.9526756E9+e*(-6.49588632E9+e*(-9.0751353E9+e*(-8.1198579E9+e*(-4.6399188E9+e*(-1.6689036E9+e*(-3.67158792E8+e*(-4.707164E7+e*(-3.24632E6+e*(-1.0472E5+e*(-1.19E3-2.0*e)))))))))))))))))*q)))))))))))))))));
  blackVega[0] = blackVega[6]! * ((t / r) * sum);
}

/**
 * Small t: Y(h+t) − Y(h−t), Y = Φ/φ, expanded to 12th order in t (exact to float64 for h <= 0,
 * t < 0.21), times the vega factor, into blackVega[0].
 */
function smallTRegion(): void {
  const h = blackVega[4]!;
  const t = blackVega[5]!;
  // 1.2533141373155001 = √(2π)/2
  const a = 1 + h * 1.2533141373155001 * erfcx(-Math.SQRT1_2 * h);
  const w = t * t;
  const h2 = h * h;
  // biome-ignore format: coefficient tower kept as one expression
  const expansion = 2*t*(a+w*((-1+3*a+a*h2)*0.16666666666666666+w*((-7+15*a+h2*(-1+10*a+a*h2))*0.008333333333333333+w*((-57+105*a+h2*(-18+105*a+h2*(-1+21*a+a*h2)))*0.0001984126984126984+w*((-561+945*a+h2*(-285+1260*a+h2*(-33+378*a+h2*(-1+36*a+a*h2))))*0.0000027557319223985893+w*((-6555+10395*a+h2*(-4680+17325*a+h2*(-840+6930*a+h2*(-52+990*a+h2*(-1+55*a+a*h2)))))*2.505210838544172e-8+((-89055+135135*a+h2*(-82845+270270*a+h2*(-20370+135135*a+h2*(-1926+25740*a+h2*(-75+2145*a+h2*(-1+78*a+a*h2))))))*w)*1.6059043836821613e-10))))));
  blackVega[0] = blackVega[6]! * expansion;
}

/**
 * smallTRegion for the quote solvers' iteration (householderBlackOverVega), b/vega into blackVega[0]
 * (the vega factor is 1 there): the same series, its terms
 * kept up to an order chosen from t (TRUNCATION, below), and Cody's erfcx in Estrin's form. Within
 * ~(1 + h²) ulps of smallTRegion (a = 1 + h·Y(h) cancels to ~1/h², amplifying either form's erfcx
 * rounding alike; the iteration's s moves by that over s·ν ≈ 1 + h², about an ulp), and cheaper where
 * most listed equity options iterate (t = 0.02-0.06); smallTRegion itself stays as it was, so prices,
 * Let's Be Rational and the American engines keep their bits.
 *
 * TRUNCATION. For h <= 0, Y^(n)(h) = ∫₀^∞ u^n·e^{hu − u²/2} du > 0 (Mills' ratio), so every term is
 * positive and dropping terms k > K errs by less than their sum, relative to the first term 2t·Y'(h).
 * Y^(2k+1)(h)/Y'(h) is the mean of u^(2k) under the measure ∝ u·e^{hu − u²/2}; raising h tilts that
 * measure towards larger u (d/dh of the mean is its covariance with u, ≥ 0 for an increasing u^(2k)),
 * so for h <= 0 the ratio is at most its value at h = 0, Y^(2k+1)(0)/Y'(0) = 2^k·k! (Y^(n)(0) =
 * (n−1)·Y^(n−2)(0)). The relative truncation error after order 2K+1 is therefore at most
 * R_K(t) = Σ_{k>K} 2^k·k!·t^(2k)/(2k+1)!, whatever h, and R_K(t) <= 2⁻⁵⁴ (half an ulp) for
 * t < 0.02187 (K = 3), 0.05971 (K = 4), 0.11827 (K = 5); K = 6 serves up to SMALL_T_THRESHOLD,
 * where R_6 = 1.6e-16 (Jäckel's choice). Most listed equity options iterate at t = 0.02-0.06.
 */
function smallTRegionTruncated(): void {
  const h = blackVega[4]!;
  const t = blackVega[5]!;
  const y = -Math.SQRT1_2 * h;
  let erfcxY: number;
  if (y > 0.46875 && y <= 4) {
    // Cody's erfcx on (0.46875, 4] (normal.ts erfcxMid), its polynomials in Estrin's form: the
    // iteration waits on this value, and the powers of y cut Horner's chain of eight dependent
    // multiply-adds to four. Every coefficient and y are positive, so no term cancels: against a
    // 40-digit erfcx (mpmath, 20,000 points) worst 2.6 ulp, mean 0.52 (Horner's 3.4 and 0.64).
    const y2 = y * y;
    const y4 = y2 * y2;
    // biome-ignore format: one Estrin form per polynomial
    const num = (1230.33935479799725 + 2051.07837782607147 * y) + y2 * (1712.04761263407058 + 881.95222124176909 * y) + y4 * ((298.635138197400131 + 66.1191906371416295 * y) + y2 * (8.88314979438837594 + 0.564188496988670089 * y)) + y4 * y4 * 2.15311535474403846e-8;
    // biome-ignore format: one Estrin form per polynomial
    const den = (1230.33935480374942 + 3439.36767414372164 * y) + y2 * (4362.61909014324716 + 3290.79923573345963 * y) + y4 * ((1621.38957456669019 + 537.181101862009858 * y) + y2 * (117.693950891312499 + 15.7449261107098347 * y)) + y4 * y4;
    erfcxY = num / den;
  } else erfcxY = erfcx(y);
  // 1.2533141373155001 = √(2π)/2
  const a = 1 + h * 1.2533141373155001 * erfcxY;
  const w = t * t;
  const h2 = h * h;
  // Orders 7, 9, 11 and 13 of the series (each divided by (2k+1)!), from the highest kept one down.
  const order7 = (-57 + 105 * a + h2 * (-18 + 105 * a + h2 * (-1 + 21 * a + a * h2))) * 0.0001984126984126984;
  let tail: number;
  if (t < 0.02187) tail = order7;
  else {
    const order9 =
      (-561 + 945 * a + h2 * (-285 + 1260 * a + h2 * (-33 + 378 * a + h2 * (-1 + 36 * a + a * h2)))) *
      0.0000027557319223985893;
    if (t < 0.05971) tail = order7 + w * order9;
    else {
      // biome-ignore format: coefficient tower kept as one expression
      const order11 = (-6555+10395*a+h2*(-4680+17325*a+h2*(-840+6930*a+h2*(-52+990*a+h2*(-1+55*a+a*h2)))))*2.505210838544172e-8;
      if (t < 0.11827) tail = order7 + w * (order9 + w * order11);
      else {
        // The order-13 term rounds as (P·w)/13!, as in smallTRegion.
        // biome-ignore format: coefficient tower kept as one expression
        const order13W = (-89055+135135*a+h2*(-82845+270270*a+h2*(-20370+135135*a+h2*(-1926+25740*a+h2*(-75+2145*a+h2*(-1+78*a+a*h2))))))*w*1.6059043836821613e-10;
        tail = order7 + w * (order9 + w * (order11 + order13W));
      }
    }
  }
  // biome-ignore format: coefficient tower kept as one expression
  blackVega[0] = 2*t*(a+w*((-1+3*a+a*h2)*0.16666666666666666+w*((-7+15*a+h2*(-1+10*a+a*h2))*0.008333333333333333+w*tail)));
}

/** Where the first term dominates (above ~85% of e^{x/2}) the plain CDF form loses no digits. */
function normCdfRegion(): void {
  const h = blackVega[4]!;
  const t = blackVega[5]!;
  const bMax = Math.exp(0.5 * blackVega[2]!);
  blackVega[0] = normCdf(h + t) * bMax - normCdf(h - t) / bMax;
}

/** Elsewhere the erfcx form: a single exponential (the vega factor), no cancellation of two. */
function erfcxRegion(): void {
  const h = blackVega[4]!;
  const t = blackVega[5]!;
  // 1.2533141373155001 = √(2π)/2
  blackVega[0] =
    1.2533141373155001 * blackVega[6]! * (erfcx(-Math.SQRT1_2 * (h + t)) - erfcx(-Math.SQRT1_2 * (h - t)));
}

/**
 * b(x, s) and ∂b/∂s for an out-of-the-money call (x <= 0, s > 0), from blackVega[2..3] into
 * blackVega[0..1]. Three of the four regions carry the vega as a factor, so one exponential serves
 * both values; the implied-volatility iteration needs both at every step.
 */
export function blackAndVega(): void {
  const x = blackVega[2]!;
  const s = blackVega[3]!;
  const h = x / s;
  const t = 0.5 * s;
  const vega = 0.3989422804014327 * Math.exp(-0.5 * (h * h + t * t));
  // 1.4916681462400413e-154 = √DBL_MIN: below it the vega underflows to nothing meaningful.
  blackVega[1] = x === 0 || s > -x * 1.4916681462400413e-154 ? vega : 0;
  blackVega[4] = h;
  blackVega[5] = t;
  blackVega[6] = vega;
  // Region bounds: ASYMPTOTIC_THRESHOLD = −10, SMALL_T_THRESHOLD = 2·DBL_EPSILON^{1/16} = 0.2102….
  if (x < s * -10 && 0.5 * s * s + x < s * -9.78977589618657) asymptoticRegion();
  else if (t < 0.21022410381342865) smallTRegion();
  else if (x + 0.5 * s * s > s * 0.85) normCdfRegion();
  else erfcxRegion();
  blackVega[0] = Math.abs(Math.max(blackVega[0]!, 0));
}

/**
 * b(x, s)/vega(x, s) (x <= 0, s > 0) from blackVega[2..3] into blackVega[0], with h and t in
 * blackVega[4..5]: for callers that work with ln b = ln factor − (h²+t²)/2 − ln√(2π), which needs no
 * exponential (the lowest branch of the implied-volatility iteration). Where the plain CDF form applies
 * the factor is b divided by the vega.
 */
export function blackOverVega(): void {
  const x = blackVega[2]!;
  const s = blackVega[3]!;
  const h = x / s;
  const t = 0.5 * s;
  blackVega[4] = h;
  blackVega[5] = t;
  blackVega[6] = 1;
  if (x < s * -10 && 0.5 * s * s + x < s * -9.78977589618657) asymptoticRegion();
  else if (t < 0.21022410381342865) smallTRegion();
  else if (x + 0.5 * s * s > s * 0.85) {
    normCdfRegion();
    blackVega[0] = blackVega[0]! / (0.3989422804014327 * Math.exp(-0.5 * (h * h + t * t)));
  } else erfcxRegion();
  blackVega[0] = Math.abs(Math.max(blackVega[0]!, 0));
}

/**
 * blackOverVega with smallTRegionTruncated: b/vega for the quote solvers' Householder iteration
 * (logPriceHouseholder.ts), whose accepted root is a root of this b to within its own ulp or two.
 */
export function householderBlackOverVega(): void {
  const x = blackVega[2]!;
  const s = blackVega[3]!;
  const h = x / s;
  const t = 0.5 * s;
  blackVega[4] = h;
  blackVega[5] = t;
  blackVega[6] = 1;
  if (x < s * -10 && 0.5 * s * s + x < s * -9.78977589618657) asymptoticRegion();
  else if (t < 0.21022410381342865) smallTRegionTruncated();
  else if (x + 0.5 * s * s > s * 0.85) {
    normCdfRegion();
    blackVega[0] = blackVega[0]! / (0.3989422804014327 * Math.exp(-0.5 * (h * h + t * t)));
  } else erfcxRegion();
  blackVega[0] = Math.abs(Math.max(blackVega[0]!, 0));
}

/** b(x, s) and ∂b/∂s into blackVega[0..1]; see blackAndVega. */
export function normalisedBlackAndVega(x: number, s: number): void {
  blackVega[2] = x;
  blackVega[3] = s;
  blackAndVega();
}

/** b(x, s) for a call; a put is b(−x, s) (reciprocal-strike symmetry). */
export function normalisedBlackCall(x: number, s: number): number {
  if (x > 0) return normalisedIntrinsicCall(x) + normalisedBlackCall(-x, s);
  if (s <= 0) return 0;
  normalisedBlackAndVega(x, s);
  return blackVega[0]!;
}

/** ∂b/∂s. */
export function normalisedVega(x: number, s: number): number {
  const ax = Math.abs(x);
  if (ax <= 0) return ONE_OVER_SQRT_TWO_PI * Math.exp(-0.125 * s * s);
  if (s <= 0 || s <= ax * SQRT_DBL_MIN) return 0;
  const h = x / s;
  const t = 0.5 * s;
  return ONE_OVER_SQRT_TWO_PI * Math.exp(-0.5 * (h * h + t * t));
}
