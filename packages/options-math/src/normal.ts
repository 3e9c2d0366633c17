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

const SQRT_PI_INV = 0.56418958354775628695; // 1/sqrt(pi)
const ONE_OVER_SQRT_TWO_PI = 0.3989422804014327;
const ONE_OVER_SQRT_TWO = Math.SQRT1_2;
const CODY_THRESHOLD = 0.46875;
const XSMALL = 1.11e-16;
const XBIG = 26.543; // erfc(x) underflows to 0 beyond this
const XNEG = -26.628; // erfcx overflows below this
const XHUGE = 6.71e7;
const XMAX = 2.53e307;

const A0 = 3.1611237438705656;
const A1 = 113.864154151050156;
const A2 = 377.485237685302021;
const A3 = 3209.37758913846947;
const A4 = 0.185777706184603153;
const B0 = 23.6012909523441209;
const B1 = 244.024637934444173;
const B2 = 1282.61652607737228;
const B3 = 2844.23683343917062;

const C0 = 0.564188496988670089;
const C1 = 8.88314979438837594;
const C2 = 66.1191906371416295;
const C3 = 298.635138197400131;
const C4 = 881.95222124176909;
const C5 = 1712.04761263407058;
const C6 = 2051.07837782607147;
const C7 = 1230.33935479799725;
const C8 = 2.15311535474403846e-8;
const D0 = 15.7449261107098347;
const D1 = 117.693950891312499;
const D2 = 537.181101862009858;
const D3 = 1621.38957456669019;
const D4 = 3290.79923573345963;
const D5 = 4362.61909014324716;
const D6 = 3439.36767414372164;
const D7 = 1230.33935480374942;

const P0 = 0.305326634961232344;
const P1 = 0.360344899949804439;
const P2 = 0.125781726111229246;
const P3 = 0.0160837851487422766;
const P4 = 6.58749161529837803e-4;
const P5 = 0.0163153871373020978;
const Q0 = 2.56852019228982242;
const Q1 = 1.87295284992346047;
const Q2 = 0.527905102951428412;
const Q3 = 0.0605183413124413191;
const Q4 = 0.00233520497626869185;

/** erf(y) for |y| <= 0.46875 (signed). */
function erfSmall(x: number): number {
  const y = Math.abs(x);
  const ysq = y > XSMALL ? y * y : 0;
  let num = A4 * ysq;
  let den = ysq;
  num = (num + A0) * ysq;
  den = (den + B0) * ysq;
  num = (num + A1) * ysq;
  den = (den + B1) * ysq;
  num = (num + A2) * ysq;
  den = (den + B2) * ysq;
  return (x * (num + A3)) / (den + B3);
}

/** erfcx(y) = exp(y^2) erfc(y) for 0.46875 < y <= 4. */
function erfcxMid(y: number): number {
  let num = C8 * y;
  let den = y;
  num = (num + C0) * y;
  den = (den + D0) * y;
  num = (num + C1) * y;
  den = (den + D1) * y;
  num = (num + C2) * y;
  den = (den + D2) * y;
  num = (num + C3) * y;
  den = (den + D3) * y;
  num = (num + C4) * y;
  den = (den + D4) * y;
  num = (num + C5) * y;
  den = (den + D5) * y;
  num = (num + C6) * y;
  den = (den + D6) * y;
  return (num + C7) / (den + D7);
}

/** erfcx(y) for y > 4: no exponential needed, which keeps relative accuracy in the far tail. */
function erfcxLarge(y: number): number {
  if (y >= XHUGE) return SQRT_PI_INV / y;
  const ysq = 1 / (y * y);
  let num = P5 * ysq;
  let den = ysq;
  num = (num + P0) * ysq;
  den = (den + Q0) * ysq;
  num = (num + P1) * ysq;
  den = (den + Q1) * ysq;
  num = (num + P2) * ysq;
  den = (den + Q2) * ysq;
  num = (num + P3) * ysq;
  den = (den + Q3) * ysq;
  const r = (ysq * (num + P4)) / (den + Q4);
  return (SQRT_PI_INV - r) / y;
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
  let r: number;
  if (y <= CODY_THRESHOLD) r = Math.exp(y * y) * (1 - erfSmall(x));
  else if (y >= XMAX) r = 0;
  else r = y <= 4 ? erfcxMid(y) : erfcxLarge(y);
  if (x >= 0 || y <= CODY_THRESHOLD) return r;
  if (x < XNEG) return Number.POSITIVE_INFINITY;
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
const SPLIT2 = 5.0;
const CONST1 = 0.180625;
const CONST2 = 1.6;

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
  let r = q < 0 ? u : 1 - u;
  r = Math.sqrt(-Math.log(r));
  let ret: number;
  if (r < SPLIT2) {
    r -= CONST2;
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
    r -= SPLIT2;
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
