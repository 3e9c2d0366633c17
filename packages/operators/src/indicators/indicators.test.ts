import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import fc from "fast-check";
import { ADX, BollingerBands, EMA, MACD, RSI, SMA, Stochastic } from "technicalindicators";
import { describe, expect, it } from "vitest";
import * as adx from "./adx.js";
import * as bollinger from "./bollinger.js";
import * as ema from "./ema.js";
import * as macd from "./macd.js";
import * as realizedVol from "./realizedVol.js";
import * as ring from "./ring.js";
import * as extremes from "./rollingExtremes.js";
import * as moments from "./rollingMoments.js";
import * as rank from "./rollingRank.js";
import * as shape from "./rollingShape.js";
import * as rsi from "./rsi.js";
import * as sma from "./sma.js";
import * as stochastic from "./stochastic.js";

// Real S&P 500 daily OHLCV, 2000-01-03 .. 2020-04-17 (npm vega-datasets 3.2.1, data/sp500-2000.csv).
const require = createRequire(import.meta.url);
const csv = readFileSync(join(dirname(require.resolve("vega-datasets")), "../data/sp500-2000.csv"), "utf8");
const bars = csv
  .trim()
  .split("\n")
  .slice(1)
  .map((line) => {
    const [date, open, high, low, close, , volume] = line.split(",");
    return {
      date: date!,
      open: Number(open),
      high: Number(high),
      low: Number(low),
      close: Number(close),
      volume: Number(volume),
    };
  });
const closes = bars.map((b) => b.close);

/** Feeds a series through an incremental indicator and collects its value after every update. */
const stream = <S, V>(
  init: S,
  update: (s: S, x: number, i: number) => S,
  value: (s: S) => V,
  xs: readonly number[],
) => {
  let s = init;
  return xs.map((x, i) => {
    s = update(s, x, i);
    return value(s);
  });
};

/** The non-null tail of an incremental series, aligned with a library's output (which drops warm-up). */
const ready = <V>(xs: readonly (V | null)[]) => xs.filter((x): x is V => x !== null);

const expectClose = (ours: readonly number[], theirs: readonly number[], tol: number) => {
  expect(ours.length).toBe(theirs.length);
  let worst = 0;
  for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i]! - theirs[i]!));
  expect(worst).toBeLessThanOrEqual(tol);
};

describe("indicators on real S&P 500 data against technicalindicators 3.1.0", () => {
  it("has the full 2000-2020 series", () => {
    expect(bars.length).toBe(5105);
    expect(bars[0]!.date).toBe("2000-01-03");
  });

  it("RSI 14 and 28 (Wilder)", () => {
    for (const period of [14, 28]) {
      const ours = ready(stream(rsi.init(period), rsi.update, rsi.value, closes));
      // The library rounds RSI to 2 decimals.
      expectClose(ours, RSI.calculate({ period, values: closes }), 0.005 + 1e-9);
    }
  });

  it("MACD 12/26/9 with exponential oscillator and signal", () => {
    const ours = stream(macd.init(12, 26, 9), macd.update, macd.value, closes);
    const theirs = MACD.calculate({
      values: closes,
      fastPeriod: 12,
      slowPeriod: 26,
      signalPeriod: 9,
      SimpleMAOscillator: false,
      SimpleMASignal: false,
    });
    const macdLine = ready(ours.map((v) => v.macd));
    expectClose(
      macdLine,
      theirs.map((t) => t.MACD!),
      1e-9,
    );
    const signal = ready(ours.map((v) => v.signal));
    expectClose(
      signal,
      theirs.filter((t) => t.signal !== undefined).map((t) => t.signal!),
      1e-9,
    );
    const hist = ready(ours.map((v) => v.histogram));
    expectClose(
      hist,
      theirs.filter((t) => t.histogram !== undefined).map((t) => t.histogram!),
      1e-9,
    );
  });

  it("Bollinger bands 20, 2σ", () => {
    const ours = ready(stream(bollinger.init(20, 2), bollinger.update, bollinger.value, closes));
    const theirs = BollingerBands.calculate({ period: 20, stdDev: 2, values: closes });
    expectClose(
      ours.map((b) => b.upper),
      theirs.map((t) => t.upper),
      1e-8,
    );
    expectClose(
      ours.map((b) => b.middle),
      theirs.map((t) => t.middle),
      1e-8,
    );
    expectClose(
      ours.map((b) => b.lower),
      theirs.map((t) => t.lower),
      1e-8,
    );
    expectClose(
      ours.map((b) => b.percentB ?? Number.NaN),
      theirs.map((t) => t.pb),
      1e-8,
    );
  });

  it("SMA and EMA", () => {
    for (const period of [20, 50, 200]) {
      expectClose(
        ready(stream(sma.init(period), sma.update, sma.value, closes)),
        SMA.calculate({ period, values: closes }),
        1e-8,
      );
    }
    for (const period of [12, 26]) {
      expectClose(
        ready(stream(ema.init(period), ema.update, ema.value, closes)),
        EMA.calculate({ period, values: closes }),
        1e-8,
      );
    }
  });

  it("ADX 14 and stochastic 14/3", () => {
    let a = adx.init(14);
    let st = stochastic.init(14, 3);
    const adxOurs: number[] = [];
    const kOurs: number[] = [];
    const dOurs: number[] = [];
    for (const b of bars) {
      a = adx.update(a, b.high, b.low, b.close);
      st = stochastic.update(st, b.high, b.low, b.close);
      const av = adx.value(a).adx;
      if (av !== null) adxOurs.push(av);
      const sv = stochastic.value(st);
      if (sv.k !== null) kOurs.push(sv.k);
      if (sv.d !== null) dOurs.push(sv.d);
    }
    const high = bars.map((b) => b.high);
    const low = bars.map((b) => b.low);
    const theirsAdx = ADX.calculate({ period: 14, high, low, close: closes });
    // The library starts ADX one bar later and rounds to 2 decimals; align on the common tail.
    const n = Math.min(adxOurs.length, theirsAdx.length);
    expectClose(
      adxOurs.slice(-n),
      theirsAdx.slice(-n).map((t) => t.adx),
      0.006,
    );
    const theirsSt = Stochastic.calculate({ period: 14, signalPeriod: 3, high, low, close: closes });
    expectClose(
      kOurs,
      theirsSt.map((t) => t.k),
      1e-8,
    );
    expectClose(
      dOurs,
      theirsSt.filter((t) => t.d !== undefined).map((t) => t.d!),
      1e-8,
    );
  });
});

// Independent batch computations: the definition applied to each full window from scratch.
const windowOf = <T>(xs: readonly T[], end: number, n: number) => xs.slice(end - n + 1, end + 1);
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sampleVar = (xs: readonly number[]) => {
  const m = mean(xs);
  return xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1);
};

describe("rolling estimators against batch recomputation on S&P 500 bars", () => {
  it("realised vol: close-to-close, Parkinson, Garman-Klass, Yang-Zhang over 20 and 60 days", () => {
    for (const n of [20, 60]) {
      const ours = stream(
        realizedVol.init(n),
        (s, _x, i) => realizedVol.update(s, bars[i]!),
        realizedVol.value,
        closes,
      );
      let worst = 0;
      for (let t = n + 1; t < bars.length; t += 7) {
        const w = windowOf(bars, t, n);
        const prev = windowOf(bars, t - 1, n);
        const r = w.map((b, j) => Math.log(b.close / prev[j]!.close));
        const cc = Math.sqrt(sampleVar(r) * 252);
        const park = Math.sqrt((mean(w.map((b) => Math.log(b.high / b.low) ** 2)) / (4 * Math.log(2))) * 252);
        const gk = Math.sqrt(
          mean(
            w.map(
              (b) =>
                0.5 * Math.log(b.high / b.low) ** 2 - (2 * Math.log(2) - 1) * Math.log(b.close / b.open) ** 2,
            ),
          ) * 252,
        );
        const k = 0.34 / (1.34 + (n + 1) / (n - 1));
        const so = sampleVar(w.map((b, j) => Math.log(b.open / prev[j]!.close)));
        const sc = sampleVar(w.map((b) => Math.log(b.close / b.open)));
        const rs = mean(
          w.map(
            (b) =>
              Math.log(b.high / b.close) * Math.log(b.high / b.open) +
              Math.log(b.low / b.close) * Math.log(b.low / b.open),
          ),
        );
        const yz = Math.sqrt((so + k * sc + (1 - k) * rs) * 252);
        const v = ours[t]!;
        for (const [a, b] of [
          [v.closeToClose!, cc],
          [v.parkinson!, park],
          [v.garmanKlass!, gk],
          [v.yangZhang!, yz],
        ] as const)
          worst = Math.max(worst, Math.abs(a - b) / b);
      }
      expect(worst).toBeLessThan(1e-9);
    }
  });

  it("a bar without OHLC resets the range estimators but not close-to-close", () => {
    let s = realizedVol.init(5);
    for (const b of bars.slice(0, 10)) s = realizedVol.update(s, b);
    expect(realizedVol.value(s).parkinson).not.toBeNull();
    s = realizedVol.update(s, { close: bars[10]!.close });
    expect(realizedVol.value(s).parkinson).toBeNull();
    expect(realizedVol.value(s).closeToClose).not.toBeNull();
  });

  it("IV-rank style rank and scipy percentileofscore(kind='rank') over 252 days", () => {
    const n = 252;
    const ours = stream(rank.init(n), rank.update, rank.value, closes);
    for (let t = n - 1; t < closes.length; t += 11) {
      const w = windowOf(closes, t, n);
      const x = closes[t]!;
      const lo = Math.min(...w);
      const hi = Math.max(...w);
      const left = w.filter((v) => v < x).length;
      const right = w.filter((v) => v <= x).length;
      expect(ours[t]!.rank).toBeCloseTo((x - lo) / (hi - lo), 12);
      expect(ours[t]!.percentile).toBeCloseTo((right + left + (right > left ? 1 : 0)) / (2 * n), 12);
    }
    expect(ours[n - 2]).toBeNull();
  });

  it("rolling max/min, moments and return skew/kurtosis", () => {
    const returns = closes.slice(1).map((c, i) => c / closes[i]! - 1);
    const ex = stream(
      extremes.init(252),
      (s, x) => extremes.update(s, x),
      (s) => [extremes.max(s), extremes.min(s)],
      closes,
    );
    const mo = stream(
      moments.init(20),
      moments.update,
      (s) => [moments.mean(s), moments.sampleVariance(s)],
      closes,
    );
    const sh = stream(shape.init(60), shape.update, (s) => [shape.skew(s), shape.kurtosis(s)], returns);
    for (let t = 300; t < closes.length; t += 13) {
      const w = windowOf(closes, t, 252);
      expect(ex[t]).toEqual([Math.max(...w), Math.min(...w)]);
      const w20 = windowOf(closes, t, 20);
      expect(mo[t]![0]!).toBeCloseTo(mean(w20), 9);
      expect(mo[t]![1]! / sampleVar(w20)).toBeCloseTo(1, 9);
      const r = windowOf(returns, t - 1, 60);
      const m = mean(r);
      const m2 = mean(r.map((x) => (x - m) ** 2));
      const m3 = mean(r.map((x) => (x - m) ** 3));
      const m4 = mean(r.map((x) => (x - m) ** 4));
      const skew = ((Math.sqrt(60 * 59) / 58) * m3) / m2 ** 1.5;
      const kurt = (59 / (58 * 57)) * (61 * (m4 / m2 ** 2 - 3) + 6);
      expect(sh[t - 1]![0]!).toBeCloseTo(skew, 6);
      expect(sh[t - 1]![1]!).toBeCloseTo(kurt, 6);
    }
  });
});

describe("indicator states are immutable", () => {
  it("update never changes the state it is given (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 1, max: 1000, noNaN: true }), { minLength: 1, maxLength: 60 }),
        (xs) => {
          let r = rank.init(10);
          let m = moments.init(10);
          let e = extremes.init(10);
          let s = rsi.init(5);
          let g = ring.init(7);
          for (const x of xs) {
            // Rings share an append-only log with their successors, so what must not change is the
            // window each state sees, not the log's high-water mark.
            const before = JSON.stringify([
              ring.toArray(r.window),
              Array.from(r.sorted),
              [ring.toArray(m.window), m.mean, m.m2],
              e,
              s,
              ring.toArray(g),
            ]);
            const next = [
              rank.update(r, x),
              moments.update(m, x),
              extremes.update(e, x),
              rsi.update(s, x),
              ring.push(g, x),
            ] as const;
            expect(
              JSON.stringify([
                ring.toArray(r.window),
                Array.from(r.sorted),
                [ring.toArray(m.window), m.mean, m.m2],
                e,
                s,
                ring.toArray(g),
              ]),
            ).toBe(before);
            [r, m, e, s, g] = next;
          }
        },
      ),
    );
  });
});

describe("rolling rank's sorted window", () => {
  it("is always the window sorted, ties and evictions included (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.integer({ min: -3, max: 3 }), { maxLength: 80 }),
        (period, xs) => {
          let r = rank.init(period, 1);
          for (const x of xs) {
            r = rank.update(r, x);
            const expected = ring.toArray(r.window).sort((a, b) => a - b);
            expect(Array.from(r.sorted)).toEqual(expected);
          }
        },
      ),
    );
  });
});
