import type { IsoDate } from "../calendar/isoDate.js";
import type { Rng } from "../random/prng.js";
import {
  idiosyncraticParams,
  marketFactorParams,
  OVERNIGHT_SHARE,
  stepLogReturn,
  TRADING_DAYS_PER_YEAR,
  type VolState,
} from "./stochasticVol.js";

/** A real daily bar of the market index (the S&P 500), in index points. */
export interface DailyBar {
  readonly date: IsoDate;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** Real market history that drives a run instead of the simulated market factor. */
export interface MarketHistory {
  readonly bars: ReadonlyMap<IsoDate, DailyBar>;
  /** VIX closes by date; days without one fall back to a realised-vol estimate (counted in the stats). */
  readonly vix: ReadonlyMap<IsoDate, number>;
}

/** One step of a day: step 0 is the overnight gap (close to open), then the intraday steps. */
export interface MarketStep {
  readonly logReturn: number;
  readonly dtYears: number;
  /** Annualised market variance after the step (drives VIX and the surfaces). */
  readonly variance: number;
}

export const stepsPerSession = (closeMinute: number): number => (closeMinute - 570) / 5;

/** The simulated market factor: the overnight step and 5-minute steps to the close. */
export const simulateMarketDay = (state: VolState, closeMinute: number, rng: Rng): MarketStep[] => {
  const n = stepsPerSession(closeMinute);
  const day = 1 / TRADING_DAYS_PER_YEAR;
  const steps: MarketStep[] = [];
  const overnight = OVERNIGHT_SHARE * day;
  steps.push({
    logReturn: stepLogReturn(marketFactorParams, state, overnight, rng),
    dtYears: overnight,
    variance: state.variance,
  });
  // An early-close session carries proportionally less of the day's variance.
  const intraday = ((1 - OVERNIGHT_SHARE) * day) / 78;
  for (let i = 0; i < n; i++) {
    steps.push({
      logReturn: stepLogReturn(marketFactorParams, state, intraday, rng),
      dtYears: intraday,
      variance: state.variance,
    });
  }
  return steps;
};

/**
 * The market day from a real bar: overnight gap ln(open/prevClose), then ln(close/open). The variance
 * comes from the real VIX (converted to realised terms) or, without one, from an EWMA of returns.
 */
export const realMarketDay = (bar: DailyBar, prevClose: number, variance: number): MarketStep[] => {
  const day = 1 / TRADING_DAYS_PER_YEAR;
  return [
    { logReturn: Math.log(bar.open / prevClose), dtYears: OVERNIGHT_SHARE * day, variance },
    { logReturn: Math.log(bar.close / bar.open), dtYears: (1 - OVERNIGHT_SHARE) * day, variance },
  ];
};

/** A name's steps: beta times the market step plus its own stochastic-vol noise. */
export const stockSteps = (
  market: ReadonlyArray<MarketStep>,
  beta: number,
  idiosyncraticLongRun: number,
  state: VolState,
  rng: Rng,
): Array<{ logReturn: number; idiosyncraticVariance: number }> => {
  const params = idiosyncraticParams(idiosyncraticLongRun);
  return market.map((m) => {
    const own = stepLogReturn(params, state, m.dtYears, rng);
    return { logReturn: beta * m.logReturn + own, idiosyncraticVariance: state.variance };
  });
};
