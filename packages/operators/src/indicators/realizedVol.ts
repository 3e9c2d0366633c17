import * as moments from "./rollingMoments.js";
import * as sma from "./sma.js";

/**
 * Annualised realised volatility of daily bars over one window, by four estimators:
 * - closeToClose: sample σ of ln(Cₜ/Cₜ₋₁) (the seeds' rv_n, pandas' rolling std);
 * - parkinson: √(mean(ln(H/L)²) / (4 ln 2));
 * - garmanKlass: √mean(½ ln(H/L)² − (2 ln 2 − 1) ln(C/O)²);
 * - yangZhang: √(σ²_overnight + k σ²_open→close + (1 − k) σ²_RS), k = 0.34 / (1.34 + (n+1)/(n−1)),
 *   σ²_RS the mean Rogers–Satchell term ln(H/C)ln(H/O) + ln(L/C)ln(L/O).
 * Each is multiplied by √annualization (252 trading days by default).
 *
 * The range estimators need every bar of the window to carry open/high/low: a bar without them resets
 * those three (they come back after `period` complete bars) while close-to-close keeps going.
 */
export interface RealizedVol {
  readonly period: number;
  readonly annualization: number;
  readonly prevClose: number;
  readonly cc: moments.RollingMoments;
  readonly park: sma.Sma;
  readonly gk: sma.Sma;
  readonly overnight: moments.RollingMoments;
  readonly openClose: moments.RollingMoments;
  readonly rs: sma.Sma;
}

export interface Bar {
  readonly close: number;
  readonly open?: number | undefined;
  readonly high?: number | undefined;
  readonly low?: number | undefined;
}

export interface RealizedVolValue {
  readonly closeToClose: number | null;
  readonly parkinson: number | null;
  readonly garmanKlass: number | null;
  readonly yangZhang: number | null;
}

const LN2 = Math.log(2);
const GK_CLOSE_WEIGHT = 2 * LN2 - 1;

const freshRange = (period: number) => ({
  park: sma.init(period),
  gk: sma.init(period),
  overnight: moments.init(period),
  openClose: moments.init(period),
  rs: sma.init(period),
});

export const init = (period: number, annualization = 252): RealizedVol => ({
  period,
  annualization,
  prevClose: Number.NaN,
  cc: moments.init(period),
  ...freshRange(period),
});

export const update = (s: RealizedVol, bar: Bar): RealizedVol => {
  const { close, open, high, low } = bar;
  const hasPrev = !Number.isNaN(s.prevClose);
  const cc = hasPrev ? moments.update(s.cc, Math.log(close / s.prevClose)) : s.cc;
  if (open === undefined || high === undefined || low === undefined || !hasPrev) {
    const range = open === undefined || high === undefined || low === undefined ? freshRange(s.period) : s;
    return { period: s.period, annualization: s.annualization, prevClose: close, cc, ...pickRange(range) };
  }
  const hl = Math.log(high / low);
  const co = Math.log(close / open);
  const rsTerm =
    Math.log(high / close) * Math.log(high / open) + Math.log(low / close) * Math.log(low / open);
  return {
    period: s.period,
    annualization: s.annualization,
    prevClose: close,
    cc,
    park: sma.update(s.park, hl * hl),
    gk: sma.update(s.gk, 0.5 * hl * hl - GK_CLOSE_WEIGHT * co * co),
    overnight: moments.update(s.overnight, Math.log(open / s.prevClose)),
    openClose: moments.update(s.openClose, co),
    rs: sma.update(s.rs, rsTerm),
  };
};

const pickRange = (r: Pick<RealizedVol, "park" | "gk" | "overnight" | "openClose" | "rs">) => ({
  park: r.park,
  gk: r.gk,
  overnight: r.overnight,
  openClose: r.openClose,
  rs: r.rs,
});

const annualize = (variance: number | null, a: number): number | null =>
  variance === null ? null : Math.sqrt(Math.max(variance, 0) * a);

export const value = (s: RealizedVol): RealizedVolValue => {
  const a = s.annualization;
  const park = sma.value(s.park);
  const n = s.period;
  const k = n > 1 ? 0.34 / (1.34 + (n + 1) / (n - 1)) : 0.34 / 1.34;
  const so = moments.sampleVariance(s.overnight);
  const sc = moments.sampleVariance(s.openClose);
  const srs = sma.value(s.rs);
  return {
    closeToClose: annualize(moments.sampleVariance(s.cc), a),
    parkinson: annualize(park === null ? null : park / (4 * LN2), a),
    garmanKlass: annualize(sma.value(s.gk), a),
    yangZhang: annualize(so === null || sc === null || srs === null ? null : so + k * sc + (1 - k) * srs, a),
  };
};
