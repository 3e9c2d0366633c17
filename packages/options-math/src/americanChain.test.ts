import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AMERICAN_SCHEMES, bsmAmericanGreeksInto, bsmAmericanPrice } from "./american.js";
import {
  bsmAmericanChainGreeksInto,
  bsmAmericanChainIvGreeks,
  chainGreeks,
  chainIvGreeks,
} from "./americanChain.js";
import { bsmAmericanImpliedVol } from "./americanImpliedVol.js";
import { allocateGreeksColumns, type ChainColumns, STYLE_CODE } from "./batch.js";
import { emptyGreeks } from "./european.js";
import { bsmImpliedVol, ivScratch } from "./europeanImpliedVol.js";
import { IV_STATUS_CODE, type OptionInputs } from "./types.js";

interface QlCase extends OptionInputs {
  price: number;
}
// QuantLib-Python 1.44 QdFp high precision (reference/quantlib_american.py), as in american.test.ts.
const fixture = JSON.parse(
  readFileSync(new URL("../fixtures/american_quantlib.json", import.meta.url), "utf8"),
) as { cases: QlCase[] };

function columns(cases: readonly QlCase[]): ChainColumns & { vol: Float64Array } {
  const n = cases.length;
  const c = {
    right: new Uint8Array(n),
    style: new Uint8Array(n).fill(STYLE_CODE.american),
    spot: new Float64Array(n),
    strike: new Float64Array(n),
    tYears: new Float64Array(n),
    rate: new Float64Array(n),
    divYield: new Float64Array(n),
    vol: new Float64Array(n),
  };
  cases.forEach((x, i) => {
    c.right[i] = x.right === "call" ? 0 : 1;
    c.spot[i] = x.spot;
    c.strike[i] = x.strike;
    c.tYears[i] = x.tYears;
    c.rate[i] = x.rate;
    c.divYield[i] = x.divYield;
    c.vol[i] = x.vol;
  });
  return c;
}

describe("chain kernel prices and Greeks", () => {
  it("prices every fixture contract within 1e-4 absolute of QuantLib QdFp high precision", () => {
    const c = columns(fixture.cases);
    const n = fixture.cases.length;
    const out = allocateGreeksColumns(n);
    const status = new Uint8Array(n);
    chainGreeks(c, c.vol, out, status);
    let worst = 0;
    fixture.cases.forEach((x, i) => {
      expect(status[i]).toBe(IV_STATUS_CODE.ok);
      const err = Math.abs(out.price[i]! - x.price);
      worst = Math.max(worst, err);
      expect(err, JSON.stringify(x)).toBeLessThan(1e-4);
    });
    expect(worst).toBeGreaterThan(0);
  });

  it("Greeks agree with the scalar accurate scheme (vega, rho there are finite differences)", () => {
    const g = emptyGreeks();
    const ref = emptyGreeks();
    // Tolerances per 100 of spot; gamma as the change of delta over a 1% spot move.
    const worst = { delta: 0, gamma: 0, vega: 0, theta: 0, rho: 0 };
    for (const x of fixture.cases) {
      if (x.tYears < 0.01) continue;
      const sign = x.right === "call" ? 1 : -1;
      bsmAmericanChainGreeksInto(sign, x.spot, x.strike, x.tYears, x.rate, x.divYield, x.vol, g);
      bsmAmericanGreeksInto(
        sign,
        x.spot,
        x.strike,
        x.tYears,
        x.rate,
        x.divYield,
        x.vol,
        ref,
        AMERICAN_SCHEMES.accurate,
      );
      const per100 = 100 / x.spot;
      worst.delta = Math.max(worst.delta, Math.abs(g.delta - ref.delta));
      worst.gamma = Math.max(worst.gamma, Math.abs(g.gamma - ref.gamma) * x.spot * 0.01);
      worst.vega = Math.max(worst.vega, Math.abs(g.vega - ref.vega) * per100);
      worst.theta = Math.max(worst.theta, Math.abs(g.theta - ref.theta) * per100);
      worst.rho = Math.max(worst.rho, Math.abs(g.rho - ref.rho) * per100);
    }
    expect(worst.delta).toBeLessThan(5e-5);
    expect(worst.gamma).toBeLessThan(1e-4);
    expect(worst.vega).toBeLessThan(5e-3);
    expect(worst.theta).toBeLessThan(2e-2);
    expect(worst.rho).toBeLessThan(5e-3);
  });

  it("falls back to the scalar engine outside the tables (σ above 4, double boundary)", () => {
    const g = emptyGreeks();
    const ref = emptyGreeks();
    for (const [r, q, vol] of [
      [0.05, 0.01, 4.5],
      [-0.01, -0.03, 0.3],
    ] as const) {
      bsmAmericanChainGreeksInto(-1, 100, 100, 1, r, q, vol, g);
      bsmAmericanGreeksInto(-1, 100, 100, 1, r, q, vol, ref);
      expect(g).toEqual(ref);
    }
  });
});

const contract = fc.record({
  sign: fc.constantFrom(1, -1),
  spot: fc.double({ min: 70, max: 130, noNaN: true }),
  tYears: fc.double({ min: 0.02, max: 2, noNaN: true }),
  rate: fc.double({ min: 0.005, max: 0.08, noNaN: true }),
  divYield: fc.double({ min: 0.005, max: 0.06, noNaN: true }),
  vol: fc.double({ min: 0.08, max: 0.8, noNaN: true }),
});

describe("chain kernel implied volatility", () => {
  it("round trip: recovers σ from the kernel's own price wherever the price moves with σ", () => {
    const g = emptyGreeks();
    const atIv = emptyGreeks();
    fc.assert(
      fc.property(contract, (c) => {
        bsmAmericanChainGreeksInto(c.sign, c.spot, 100, c.tYears, c.rate, c.divYield, c.vol, g);
        const price = g.price;
        // Exercise region (flat in σ), or below the scalar solver's floor slack of a few ulps of K
        // (American IV 0 there by definition): σ is not identifiable.
        if (g.vega * c.vol < 1e-6 * price || price < 1e-10) return true;
        const code = bsmAmericanChainIvGreeks(c.sign, c.spot, 100, c.tYears, c.rate, c.divYield, price, atIv);
        const iv = ivScratch.iv;
        return (
          code === IV_STATUS_CODE.ok &&
          Math.abs(iv - c.vol) <= 1e-7 * c.vol &&
          Math.abs(atIv.delta - g.delta) < 1e-6 &&
          Math.abs(atIv.vega - g.vega) < 1e-5 * Math.max(1, g.vega)
        );
      }),
      { numRuns: 150 },
    );
  });

  it("matches the scalar American IV of accurate-scheme prices within 1e-4 relative", () => {
    const g = emptyGreeks();
    fc.assert(
      fc.property(contract, (c) => {
        const price = bsmAmericanPrice(
          c.sign,
          c.spot,
          100,
          c.tYears,
          c.rate,
          c.divYield,
          c.vol,
          AMERICAN_SCHEMES.accurate,
        );
        bsmAmericanChainGreeksInto(c.sign, c.spot, 100, c.tYears, c.rate, c.divYield, c.vol, g);
        // The two pricers differ by up to ~1e-6: IV is only comparable where that moves σ by < 1e-4.
        if (g.vega * c.vol < 1e-2) return true;
        // At the exercise boundary the premium over intrinsic is of the pricers' own difference.
        if (price - Math.max(c.sign * (c.spot - 100), 0) < 1e-4) return true;
        const code = bsmAmericanChainIvGreeks(c.sign, c.spot, 100, c.tYears, c.rate, c.divYield, price, g);
        return code === IV_STATUS_CODE.ok && Math.abs(ivScratch.iv - c.vol) <= 1e-4 * c.vol;
      }),
      { numRuns: 60 },
    );
  });

  it("statuses match bsmAmericanImpliedVol at and beyond the no-arbitrage bounds", () => {
    const g = emptyGreeks();
    const cases: [number, number, number, number, number][] = [
      [-1, 80, 100, 1, 19.5], // below immediate exercise
      [-1, 80, 100, 1, 100], // at the strike
      [1, 100, 100, 1, 100.5], // above the spot
      [1, 100, 100, 0, 5], // expired
      [1, -1, 100, 1, 5], // invalid
    ];
    for (const [sign, S, K, T, price] of cases) {
      const code = bsmAmericanChainIvGreeks(sign, S, K, T, 0.05, 0.02, price, g);
      expect(code).toBe(bsmAmericanImpliedVol(sign, S, K, T, 0.05, 0.02, price));
      expect(code).not.toBe(IV_STATUS_CODE.ok);
    }
  });

  it("a put priced at immediate exercise has iv 0 and the exercise-region Greeks", () => {
    const g = emptyGreeks();
    expect(bsmAmericanChainIvGreeks(-1, 60, 100, 0.5, 0.05, 0.01, 40, g)).toBe(IV_STATUS_CODE.ok);
    expect(ivScratch.iv).toBe(0);
    expect(g.price).toBe(40);
    expect(g.delta).toBe(-1);
    expect(g.gamma).toBe(0);
  });

  it("results survive the slice cache's eviction: the same quotes after 1100 other expiries", () => {
    const g = emptyGreeks();
    const solve = (sign: number, K: number, T: number): number[] => {
      const code = bsmAmericanChainIvGreeks(
        sign,
        250,
        K,
        T,
        0.03,
        0.019,
        Math.max(sign * (250 - K), 0) + 2,
        g,
      );
      expect(code).toBe(IV_STATUS_CODE.ok);
      return [ivScratch.iv, g.price, g.delta, g.gamma, g.vega, g.theta, g.rho];
    };
    // Whole seconds (event-time µs over a 365-day year): each T is its own slice anchor.
    const yearUs = 365 * 86_400 * 1e6;
    const quotes = [3, 17, 45].flatMap((days) =>
      [240, 250, 260].flatMap((K) => [1, -1].map((sign) => ({ sign, K, T: (days * 86_400e6) / yearUs }))),
    );
    const first = quotes.map((c) => solve(c.sign, c.K, c.T));
    for (let i = 0; i < 1100; i++) solve(-1, 250, ((60 * 86_400 + 3600 * i) * 1e6) / yearUs);
    expect(quotes.map((c) => solve(c.sign, c.K, c.T))).toEqual(first);
  });

  it("chainIvGreeks fills a mixed chain: European rows equal the closed forms, NaN unless ok", () => {
    const cases: QlCase[] = [
      { right: "put", spot: 100, strike: 105, tYears: 0.5, rate: 0.04, divYield: 0.01, vol: 0.25, price: 0 },
      { right: "call", spot: 100, strike: 95, tYears: 0.25, rate: 0.04, divYield: 0.03, vol: 0.3, price: 0 },
      { right: "call", spot: 100, strike: 95, tYears: 0.25, rate: 0.04, divYield: 0.03, vol: 0.3, price: 0 },
    ];
    const c = columns(cases);
    c.style[2] = STYLE_CODE.european;
    const price = new Float64Array([
      bsmAmericanPrice(-1, 100, 105, 0.5, 0.04, 0.01, 0.25),
      bsmAmericanPrice(1, 100, 95, 0.25, 0.04, 0.03, 0.3),
      200, // above the spot: no European IV
    ]);
    const iv = new Float64Array(3);
    const out = allocateGreeksColumns(3);
    const status = new Uint8Array(3);
    chainIvGreeks(c, price, iv, out, status);
    expect(Array.from(status)).toEqual([IV_STATUS_CODE.ok, IV_STATUS_CODE.ok, IV_STATUS_CODE.above_max]);
    expect(iv[0]).toBeCloseTo(0.25, 4);
    expect(iv[1]).toBeCloseTo(0.3, 4);
    expect(iv[2]).toBeNaN();
    expect(out.delta[2]).toBeNaN();
    expect(bsmImpliedVol(1, 100, 95, 0.25, 0.04, 0.03, 200)).toBe(IV_STATUS_CODE.above_max);
    expect(out.delta[0]).toBeLessThan(0);
    expect(out.gamma[1]).toBeGreaterThan(0);
  });
});
