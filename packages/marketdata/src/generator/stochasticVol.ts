import type { Rng } from "../random/prng.js";

/**
 * Heston-type variance with Merton jumps, stepped with full-truncation Euler in trading time
 * (a trading day is 1/252 year). Returns log-returns; the caller turns them into prices.
 */
export interface StochasticVolParams {
  /** Mean-reversion speed of variance, per year. */
  readonly kappa: number;
  /** Long-run (realised) variance. */
  readonly longRunVariance: number;
  /** Volatility of variance. */
  readonly volOfVol: number;
  /** Correlation of the price and variance shocks (negative: the leverage effect). */
  readonly correlation: number;
  /** Expected jumps per year and the jump log-size distribution. */
  readonly jumpIntensity: number;
  readonly jumpMean: number;
  readonly jumpStdDev: number;
  /** Real-world drift of the price, per year. */
  readonly drift: number;
}

export const marketFactorParams: StochasticVolParams = {
  kappa: 4,
  longRunVariance: 0.13 ** 2,
  volOfVol: 0.6,
  correlation: -0.7,
  jumpIntensity: 2,
  jumpMean: -0.02,
  jumpStdDev: 0.025,
  drift: 0.06,
};

/** Idiosyncratic part of a single stock on top of its beta to the market factor. */
export const idiosyncraticParams = (longRunVariance: number): StochasticVolParams => ({
  kappa: 3,
  longRunVariance,
  volOfVol: 0.5,
  correlation: -0.3,
  jumpIntensity: 1.5,
  jumpMean: 0,
  jumpStdDev: 0.03,
  drift: 0.02,
});

export interface VolState {
  variance: number;
}

/** One step of `dtYears`; mutates the variance and returns the step's log-return. */
export const stepLogReturn = (p: StochasticVolParams, state: VolState, dtYears: number, rng: Rng): number => {
  const v = Math.max(state.variance, 0);
  const z1 = rng.normal();
  const z2 = p.correlation * z1 + Math.sqrt(1 - p.correlation * p.correlation) * rng.normal();
  const sqrtDt = Math.sqrt(dtYears);
  // Jump compensator keeps the expected price growth at the drift.
  const compensator = p.jumpIntensity * (Math.exp(p.jumpMean + 0.5 * p.jumpStdDev ** 2) - 1);
  let r = (p.drift - compensator - 0.5 * v) * dtYears + Math.sqrt(v) * sqrtDt * z1;
  const jumps = rng.poisson(p.jumpIntensity * dtYears);
  for (let j = 0; j < jumps; j++) r += p.jumpMean + p.jumpStdDev * rng.normal();
  // Full truncation: the variance may go negative in the scheme but is floored when used.
  state.variance = v + p.kappa * (p.longRunVariance - v) * dtYears + p.volOfVol * Math.sqrt(v) * sqrtDt * z2;
  if (state.variance < 1e-6) state.variance = 1e-6;
  return r;
};

export const TRADING_DAYS_PER_YEAR = 252;
/** Share of a day's variance realised overnight (close to next open). */
export const OVERNIGHT_SHARE = 0.2;
