import { civilFromDays } from "../calendar/nyTime.js";
import * as adx from "../indicators/adx.js";
import * as bollinger from "../indicators/bollinger.js";
import * as ema from "../indicators/ema.js";
import * as macd from "../indicators/macd.js";
import * as ring from "../indicators/ring.js";
import * as extremes from "../indicators/rollingExtremes.js";
import * as shape from "../indicators/rollingShape.js";
import * as rsi from "../indicators/rsi.js";
import * as sma from "../indicators/sma.js";
import * as stochastic from "../indicators/stochastic.js";

/** A daily bar; open/high/low fall back to the close when the source has only closes. */
export interface DailyBar {
  readonly day: number;
  readonly close: number;
  readonly open?: number | undefined;
  readonly high?: number | undefined;
  readonly low?: number | undefined;
  readonly volume?: number | undefined;
}

/** Every price/momentum/volume indicator of one underlying, each an incremental state machine. */
export interface PriceIndicators {
  readonly closes: ring.Ring;
  readonly highs: ring.Ring;
  readonly lows: ring.Ring;
  readonly rsi14: rsi.Rsi;
  readonly rsi28: rsi.Rsi;
  readonly macd: macd.Macd;
  readonly stochastic: stochastic.Stochastic;
  readonly adx: adx.Adx;
  readonly sma20: sma.Sma;
  readonly sma50: sma.Sma;
  readonly sma200: sma.Sma;
  readonly ema12: ema.Ema;
  readonly ema26: ema.Ema;
  readonly bollinger: bollinger.Bollinger;
  readonly range52w: extremes.RollingExtremes;
  readonly range20: extremes.RollingExtremes;
  readonly volumeSma20: sma.Sma;
  readonly returnShape60: shape.RollingShape;
  /** Last close of the previous calendar year (base of the year-to-date return). */
  readonly yearBase: number | null;
  readonly year: number | null;
  readonly lastVolume: number | null;
}

export const init = (): PriceIndicators => ({
  closes: ring.init(70),
  highs: ring.init(3),
  lows: ring.init(3),
  rsi14: rsi.init(14),
  rsi28: rsi.init(28),
  macd: macd.init(12, 26, 9),
  stochastic: stochastic.init(14, 3),
  adx: adx.init(14),
  sma20: sma.init(20),
  sma50: sma.init(50),
  sma200: sma.init(200),
  ema12: ema.init(12),
  ema26: ema.init(26),
  bollinger: bollinger.init(20, 2),
  range52w: extremes.init(252),
  range20: extremes.init(20),
  volumeSma20: sma.init(20),
  returnShape60: shape.init(60),
  yearBase: null,
  year: null,
  lastVolume: null,
});

export const update = (s: PriceIndicators, bar: DailyBar): PriceIndicators => {
  const c = bar.close;
  const h = bar.high ?? c;
  const l = bar.low ?? c;
  const prev = ring.back(s.closes, 0);
  const year = civilFromDays(bar.day).year;
  const newYear = s.year !== null && year !== s.year;
  return {
    closes: ring.push(s.closes, c),
    highs: ring.push(s.highs, h),
    lows: ring.push(s.lows, l),
    rsi14: rsi.update(s.rsi14, c),
    rsi28: rsi.update(s.rsi28, c),
    macd: macd.update(s.macd, c),
    stochastic: stochastic.update(s.stochastic, h, l, c),
    adx: adx.update(s.adx, h, l, c),
    sma20: sma.update(s.sma20, c),
    sma50: sma.update(s.sma50, c),
    sma200: sma.update(s.sma200, c),
    ema12: ema.update(s.ema12, c),
    ema26: ema.update(s.ema26, c),
    bollinger: bollinger.update(s.bollinger, c),
    range52w: extremes.update(s.range52w, h, l),
    range20: extremes.update(s.range20, h, l),
    volumeSma20: bar.volume === undefined ? s.volumeSma20 : sma.update(s.volumeSma20, bar.volume),
    returnShape60: Number.isNaN(prev) ? s.returnShape60 : shape.update(s.returnShape60, c / prev - 1),
    yearBase: newYear ? prev : s.yearBase,
    year,
    lastVolume: bar.volume ?? null,
  };
};

const ret = (closes: ring.Ring, from: number, to: number): number | null => {
  const a = ring.back(closes, from);
  const b = ring.back(closes, to);
  return Number.isNaN(a) || Number.isNaN(b) ? null : a / b - 1;
};

const logOf = (r: number | null) => (r === null ? null : Math.log1p(r));

const rel = (x: number, base: number | null) => (base === null || base === 0 ? null : x / base - 1);

const rising = (r: ring.Ring) => {
  if (r.size < 3) return null;
  return ring.back(r, 0) > ring.back(r, 1) && ring.back(r, 1) > ring.back(r, 2) ? 1 : 0;
};

export const values = (s: PriceIndicators): Record<string, number | null> => {
  const c = ring.back(s.closes, 0);
  const m = macd.value(s.macd);
  const st = stochastic.value(s.stochastic);
  const a = adx.value(s.adx);
  const bb = bollinger.value(s.bollinger);
  const s20 = sma.value(s.sma20);
  const s50 = sma.value(s.sma50);
  const s200 = sma.value(s.sma200);
  const hi52 = extremes.maxSoFar(s.range52w);
  const lo52 = extremes.minSoFar(s.range52w);
  const vSma = sma.value(s.volumeSma20);
  const v = s.lastVolume;
  const out: Record<string, number | null> = {
    close: c,
    returns_1d: ret(s.closes, 0, 1),
    returns_5d: ret(s.closes, 0, 5),
    returns_20d: ret(s.closes, 0, 20),
    returns_60d: ret(s.closes, 0, 60),
    cumulative_returns_ytd: rel(c, s.yearBase),
    returns_lag1: ret(s.closes, 1, 2),
    returns_lag5: ret(s.closes, 5, 6),
    rsi_14: rsi.value(s.rsi14),
    rsi_28: rsi.value(s.rsi28),
    macd: m.macd,
    macd_signal: m.signal,
    macd_histogram: m.histogram,
    stochastic_k: st.k,
    stochastic_d: st.d,
    adx: a.adx,
    plus_di: a.plusDi,
    minus_di: a.minusDi,
    atr_14: a.adx === null && a.plusDi === null ? null : s.adx.tr / s.adx.period,
    sma_20: s20,
    sma_50: s50,
    sma_200: s200,
    ema_12: ema.value(s.ema12),
    ema_26: ema.value(s.ema26),
    price_vs_sma20: rel(c, s20),
    price_vs_sma50: rel(c, s50),
    price_vs_sma200: rel(c, s200),
    sma_crossover: s20 === null || s50 === null ? null : s20 > s50 ? 1 : 0,
    bb_upper: bb?.upper ?? null,
    bb_middle: bb?.middle ?? null,
    bb_lower: bb?.lower ?? null,
    bb_percent_b: bb?.percentB ?? null,
    bb_width: bb?.width ?? null,
    high_52w: hi52,
    low_52w: lo52,
    distance_to_52w_high: rel(c, hi52),
    distance_to_52w_low: rel(c, lo52),
    support_level: extremes.min(s.range20),
    resistance_level: extremes.max(s.range20),
    higher_highs: rising(s.highs),
    higher_lows: rising(s.lows),
    volume: v,
    volume_sma20: vSma,
    volume_ratio: v === null || vSma === null || vSma === 0 ? null : v / vSma,
    log_volume: v === null ? null : Math.log1p(v),
    returns_skew_60: shape.skew(s.returnShape60),
    returns_kurtosis_60: shape.kurtosis(s.returnShape60),
  };
  out.log_returns_1d = logOf(out.returns_1d!);
  out.log_returns_5d = logOf(out.returns_5d!);
  out.log_returns_20d = logOf(out.returns_20d!);
  out.log_returns_60d = logOf(out.returns_60d!);
  out.volume_surge = out.volume_ratio === null ? null : out.volume_ratio! > 2 ? 1 : 0;
  return out;
};
