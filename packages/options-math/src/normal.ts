// biome-ignore-all lint/correctness/noPrecisionLoss: coefficients are quoted with the digits Cody and Wichura published; float64 rounds them once.
/**
 * Normal distribution functions at float64 accuracy.
 *
 * erfc/erfcx follow W. J. Cody, "Rational Chebyshev approximations for the error function",
 * Math. Comp. 23 (1969) 631-638 (the CALERF packet): near-minimax rational functions on three
 * intervals, accurate to ~1e-16 relative. A 5-term Abramowitz-Stegun polynomial would cap implied
 * volatility accuracy near 1e-4, which is why the longer rational forms are used.
 * inverseNormCdf is Wichura's AS241 (PPND16), accurate to ~1e-16.
 */

const ONE_OVER_SQRT_TWO_PI = 0.3989422804014327;
const ONE_OVER_SQRT_TWO = Math.SQRT1_2;
const CODY_THRESHOLD = 0.46875;
const XBIG = 26.543; // erfc(x) underflows to 0 beyond this

// Cody's coefficients (A/B: erf on |x| <= 0.46875; C/D: erfcx on (0.46875, 4]; P/Q: erfcx beyond 4) are
// written as literals in the Horner forms below, in Cody's evaluation order. V8 reads a module-level
// const from the module context behind a TDZ hole check: that costs a load and a branch per
// coefficient and doubles the bytecode size, which decides whether TurboFan inlines these functions
// into the implied-volatility solver (a function it does not inline boxes every double it returns).

/** erf(y) for |y| <= 0.46875 (signed). */
function erfSmall(x: number): number {
  const y = Math.abs(x);
  const ysq = y > 1.11e-16 ? y * y : 0;
  const num =
    (((0.185777706184603153 * ysq + 3.1611237438705656) * ysq + 113.864154151050156) * ysq +
      377.485237685302021) *
    ysq;
  const den = (((ysq + 23.6012909523441209) * ysq + 244.024637934444173) * ysq + 1282.61652607737228) * ysq;
  return (x * (num + 3209.37758913846947)) / (den + 2844.23683343917062);
}

/** erfcx(y) = exp(y^2) erfc(y) for 0.46875 < y <= 4. */
function erfcxMid(y: number): number {
  // biome-ignore format: one Horner form per polynomial
  return ((((((((2.15311535474403846e-8 * y + 0.564188496988670089) * y + 8.88314979438837594) * y + 66.1191906371416295) * y + 298.635138197400131) * y + 881.95222124176909) * y + 1712.04761263407058) * y + 2051.07837782607147) * y + 1230.33935479799725) /
    ((((((((y + 15.7449261107098347) * y + 117.693950891312499) * y + 537.181101862009858) * y + 1621.38957456669019) * y + 3290.79923573345963) * y + 4362.61909014324716) * y + 3439.36767414372164) * y + 1230.33935480374942);
}

/** erfcx(y) for y > 4: no exponential needed, which keeps relative accuracy in the far tail. */
function erfcxLarge(y: number): number {
  if (y >= 6.71e7) return 0.56418958354775628695 / y;
  const ysq = 1 / (y * y);
  const num =
    ((((0.0163153871373020978 * ysq + 0.305326634961232344) * ysq + 0.360344899949804439) * ysq +
      0.125781726111229246) *
      ysq +
      0.0160837851487422766) *
    ysq;
  const den =
    ((((ysq + 2.56852019228982242) * ysq + 1.87295284992346047) * ysq + 0.527905102951428412) * ysq +
      0.0605183413124413191) *
    ysq;
  const r = (ysq * (num + 6.58749161529837803e-4)) / (den + 0.00233520497626869185);
  return (0.56418958354775628695 - r) / y;
}

/**
 * exp(-y^2) computed as exp(-ysq^2)·exp(-del) with ysq = y rounded down to 1/16: splitting the square
 * keeps the product exact enough that erfc keeps full relative accuracy for large y (Cody's trick).
 */
function expMinusSquare(y: number): number {
  const ysq = Math.trunc(y * 16) / 16;
  const del = (y - ysq) * (y + ysq);
  return Math.exp(-ysq * ysq) * Math.exp(-del);
}

export function erf(x: number): number {
  const y = Math.abs(x);
  if (y <= CODY_THRESHOLD) return erfSmall(x);
  const c = y >= XBIG ? 0 : expMinusSquare(y) * (y <= 4 ? erfcxMid(y) : erfcxLarge(y));
  const r = 0.5 - c + 0.5;
  return x < 0 ? -r : r;
}

/** Complementary error function, relative accuracy ~1e-16 over the whole range where it is normal. */
export function erfc(x: number): number {
  const y = Math.abs(x);
  if (y <= CODY_THRESHOLD) return 1 - erfSmall(x);
  let r: number;
  if (y >= XBIG) r = 0;
  else r = expMinusSquare(y) * (y <= 4 ? erfcxMid(y) : erfcxLarge(y));
  return x < 0 ? 2 - r : r;
}

/** Scaled complementary error function exp(x^2)·erfc(x), finite for large positive x. */
export function erfcx(x: number): number {
  const y = Math.abs(x);
  // Literal thresholds (0.46875 = Cody's split, 2.53e307 = XMAX, -26.628 = XNEG): see the note above.
  let r: number;
  if (y <= 0.46875) return Math.exp(y * y) * (1 - erfSmall(x));
  if (y >= 2.53e307) r = 0;
  else r = y <= 4 ? erfcxMid(y) : erfcxLarge(y);
  if (x >= 0) return r;
  if (x < -26.628) return Number.POSITIVE_INFINITY;
  const ysq = Math.trunc(x * 16) / 16;
  const del = (x - ysq) * (x + ysq);
  const e = Math.exp(ysq * ysq) * Math.exp(del);
  return e + e - r;
}

export function normPdf(x: number): number {
  return ONE_OVER_SQRT_TWO_PI * Math.exp(-0.5 * x * x);
}

/** Standard normal CDF via erfc so the lower tail keeps relative (not absolute) accuracy. */
export function normCdf(x: number): number {
  return 0.5 * erfc(-x * ONE_OVER_SQRT_TWO);
}

const SPLIT1 = 0.425;
const CONST1 = 0.180625;

/** Inverse normal CDF, Wichura AS241 (Applied Statistics 37(3), 1988). */
export function inverseNormCdf(u: number): number {
  if (u <= 0) return Number.NEGATIVE_INFINITY;
  if (u >= 1) return Number.POSITIVE_INFINITY;
  const q = u - 0.5;
  if (Math.abs(q) <= SPLIT1) {
    const r = CONST1 - q * q;
    return (
      (q *
        (((((((2.5090809287301226727e3 * r + 3.3430575583588128105e4) * r + 6.7265770927008700853e4) * r +
          4.5921953931549871457e4) *
          r +
          1.3731693765509461125e4) *
          r +
          1.9715909503065514427e3) *
          r +
          1.3314166789178437745e2) *
          r +
          3.387132872796366608)) /
      (((((((5.226495278852854561e3 * r + 2.8729085735721942674e4) * r + 3.930789580009271061e4) * r +
        2.1213794301586595867e4) *
        r +
        5.3941960214247511077e3) *
        r +
        6.871870074920579083e2) *
        r +
        4.2313330701600911252e1) *
        r +
        1)
    );
  }
  const ret = normQuantileTail(Math.sqrt(-Math.log(q < 0 ? u : 1 - u)));
  return q < 0 ? -ret : ret;
}

/**
 * Normal CDF with a single exponential: relative error grows like x²·1e-16 in the tail (1e-14 at
 * x = 8), which is far below what the American engine needs and halves its cost.
 */
export function normCdfFast(x: number): number {
  const y = Math.abs(x) * ONE_OVER_SQRT_TWO;
  if (y <= CODY_THRESHOLD) return 0.5 - 0.5 * erfSmall(-x * ONE_OVER_SQRT_TWO);
  const c = y >= XBIG ? 0 : Math.exp(-y * y) * (y <= 4 ? erfcxMid(y) : erfcxLarge(y));
  return x < 0 ? 0.5 * c : 1 - 0.5 * c;
}

/**
 * Φ(x) given e = exp(−x²/2), which the caller already has (e.g. for the density): no exponential at
 * all. Same accuracy as normCdfFast when e is the correctly rounded exp(−x²/2).
 */
export function normCdfGivenDensity(x: number, e: number): number {
  const y = Math.abs(x) * ONE_OVER_SQRT_TWO;
  if (y <= CODY_THRESHOLD) return 0.5 - 0.5 * erfSmall(-x * ONE_OVER_SQRT_TWO);
  const c = y >= XBIG ? 0 : e * (y <= 4 ? erfcxMid(y) : erfcxLarge(y));
  return x < 0 ? 0.5 * c : 1 - 0.5 * c;
}

/**
 * AS241's tail: |Φ⁻¹(p)| for a tail probability p < 0.075 given r = √(−ln p). Callers that have ln p
 * without p (the implied-volatility guess has it as a logarithm of a cube) skip a cube root this way.
 */
export function normQuantileTail(root: number): number {
  let r = root;
  let ret: number;
  if (r < 5.0) {
    r -= 1.6;
    ret =
      (((((((7.7454501427834140764e-4 * r + 2.27238449892691845833e-2) * r + 2.4178072517745061177e-1) * r +
        1.27045825245236838258) *
        r +
        3.64784832476320460504) *
        r +
        5.7694972214606914055) *
        r +
        4.6303378461565452959) *
        r +
        1.42343711074968357734) /
      (((((((1.05075007164441684324e-9 * r + 5.475938084995344946e-4) * r + 1.51986665636164571966e-2) * r +
        1.4810397642748007459e-1) *
        r +
        6.8976733498510000455e-1) *
        r +
        1.6763848301838038494) *
        r +
        2.05319162663775882187) *
        r +
        1);
  } else {
    r -= 5.0;
    ret =
      (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r + 1.2426609473880784386e-3) * r +
        2.6532189526576123093e-2) *
        r +
        2.9656057182850489123e-1) *
        r +
        1.7848265399172913358) *
        r +
        5.4637849111641143699) *
        r +
        6.6579046435011037772) /
      (((((((2.04426310338993978564e-15 * r + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r +
        7.868691311456132591e-4) *
        r +
        1.4875361290850614852e-2) *
        r +
        1.3692988092273580531e-1) *
        r +
        5.9983220655588793769e-1) *
        r +
        1);
  }
  return ret;
}
