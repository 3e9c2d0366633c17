/**
 * At-the-money total variance θ(T) of a mean-reverting forward variance curve,
 *   θ(T) = v∞·T + (v0 − v∞)(1 − e^{−κT})/κ,
 * plus the lump of variance each scheduled event (earnings) adds to every expiry after it. The
 * integrand v∞ + (v0 − v∞)e^{−κt} is positive and event lumps are non-negative, so θ is
 * non-decreasing in T: the calendar condition of SSVI holds by construction.
 */
export interface VarianceCurve {
  /** Instantaneous at-the-money variance today (annualised). */
  readonly spotVariance: number;
  /** Long-run at-the-money variance the curve reverts to. */
  readonly longRunVariance: number;
  /** Mean-reversion speed per year. */
  readonly meanReversion: number;
  /** Scheduled event variances: `afterYears` is the time to the event's reaction session. */
  readonly events: ReadonlyArray<{ readonly afterYears: number; readonly variance: number }>;
}

export const atmTotalVariance = (c: VarianceCurve, tYears: number): number => {
  if (tYears <= 0) return 0;
  const k = c.meanReversion;
  const decay = k * tYears < 1e-8 ? tYears : (1 - Math.exp(-k * tYears)) / k;
  let theta = c.longRunVariance * tYears + (c.spotVariance - c.longRunVariance) * decay;
  for (const e of c.events) if (e.afterYears > 0 && e.afterYears <= tYears) theta += e.variance;
  return theta;
};

/**
 * The spot variance that makes the curve's average variance to `tYears` equal `targetVariance`
 * (e.g. backing out today's level from a 30-day VIX reading). Floored at 10% of the target so a
 * very low reading under a high long-run level still gives a positive curve.
 */
export const spotVarianceFor = (
  targetVariance: number,
  tYears: number,
  longRunVariance: number,
  meanReversion: number,
): number => {
  const decay = (1 - Math.exp(-meanReversion * tYears)) / meanReversion;
  const v0 = longRunVariance + ((targetVariance - longRunVariance) * tYears) / decay;
  return Math.max(v0, 0.1 * targetVariance);
};
