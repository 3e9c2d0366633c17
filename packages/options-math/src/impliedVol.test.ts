import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { americanGreeks, bsmAmericanPrice } from "./american.js";
import { allocateGreeksColumns, impliedVolBatch, STYLE_CODE } from "./batch.js";
import { bsmGreeksInto, bsmPrice, emptyGreeks } from "./european.js";
import { impliedVol } from "./impliedVol.js";
import { IV_STATUS_CODE } from "./types.js";

const EPS = 2.220446049250313e-16;
const base = {
  right: "call" as const,
  style: "european" as const,
  spot: 100,
  strike: 100,
  tYears: 1,
  rate: 0.03,
  divYield: 0.01,
};

describe("European implied volatility (Let's Be Rational)", () => {
  // Source: py_vollib implied_volatility docstring: price 12.111581435 for S=100 K=90 T=0.5 r=1% -> 0.2.
  it("py_vollib docstring value", () => {
    const r = impliedVol({ ...base, strike: 90, tYears: 0.5, rate: 0.01, divYield: 0, price: 12.111581435 });
    expect(r.status).toBe("ok");
    expect(r.iv!).toBeCloseTo(0.2, 9);
  });

  it("round trip within 1e-12 relative wherever one ulp of price moves sigma by < 1e-14", () => {
    const g = emptyGreeks();
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.double({ min: -3, max: 3, noNaN: true }),
        fc.double({ min: Math.log(1 / (365 * 24 * 60)), max: Math.log(10), noNaN: true }),
        fc.double({ min: 0.001, max: 5, noNaN: true }),
        fc.double({ min: -0.02, max: 0.1, noNaN: true }),
        (isCall, logMoneyness, logT, vol, rate) => {
          const sign = isCall ? 1 : -1;
          const strike = 100 * Math.exp(logMoneyness);
          const tYears = Math.exp(logT);
          bsmGreeksInto(sign, 100, strike, tYears, rate, 0.01, vol, g);
          const informative = g.price > 1e-300 && (EPS * g.price) / (g.vega * vol) < 1e-14;
          if (!informative) return true;
          const r = impliedVol({
            ...base,
            right: isCall ? "call" : "put",
            strike,
            tYears,
            rate,
            price: g.price,
          });
          return r.status === "ok" && Math.abs(r.iv! - vol) / vol < 1e-12;
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("recovers tiny prices down to 1e-300 (far OTM, short expiry)", () => {
    const vol = 0.05;
    const price = bsmPrice(1, 100, 200, 0.25, 0.03, 0, vol);
    expect(price).toBeLessThan(1e-150);
    const r = impliedVol({ ...base, strike: 200, tYears: 0.25, divYield: 0, price });
    expect(r.status).toBe("ok");
    expect(Math.abs(r.iv! - vol) / vol).toBeLessThan(1e-12);
  });

  it("forward a few ulps from the strike: a positive σ that reprices, never NaN or negative", () => {
    // r − q = 7e-17: ln(F/K) is ~1e-16, where the lower node s_c − b_c/v_c used to cancel to <= 0.
    for (const [rate, price] of [
      [6.963159280732726e-17, 1.4210854715202004e-14],
      [6.963159280732726e-17, 1e-10],
      [-5e-17, 3e-12],
      [1e-17, 5e-15],
    ] as const) {
      const r = impliedVol({ ...base, divYield: 0, rate, price });
      expect(r.status).toBe("ok");
      expect(r.iv!).toBeGreaterThan(0);
      expect(Math.abs(bsmPrice(1, 100, 100, 1, rate, 0, r.iv!) - price) / price).toBeLessThan(1e-10);
    }
  });

  it("typed outcomes, never NaN", () => {
    expect(impliedVol({ ...base, price: -1 }).status).toBe("below_intrinsic");
    expect(impliedVol({ ...base, strike: 50, price: 40 }).status).toBe("below_intrinsic");
    expect(impliedVol({ ...base, price: 100 }).status).toBe("above_max");
    expect(impliedVol({ ...base, tYears: 0, price: 1 })).toEqual({ status: "expired", iv: null });
    expect(impliedVol({ ...base, spot: 0, price: 1 }).status).toBe("invalid_input");
    expect(impliedVol({ ...base, price: Number.NaN }).status).toBe("invalid_input");
    expect(impliedVol({ ...base, rate: Number.POSITIVE_INFINITY, price: 1 }).status).toBe("invalid_input");
  });

  it("monotone: a higher price gives a higher implied vol", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.05, max: 1, noNaN: true }),
        fc.double({ min: 1.001, max: 1.5, noNaN: true }),
        (vol, k) => {
          const p = bsmPrice(1, 100, 110, 0.5, 0.03, 0.01, vol);
          const a = impliedVol({ ...base, strike: 110, tYears: 0.5, price: p });
          const b = impliedVol({ ...base, strike: 110, tYears: 0.5, price: p * k });
          return b.status !== "ok" || b.iv! > a.iv!;
        },
      ),
    );
  });
});

describe("American implied volatility", () => {
  it("round trip through the American pricer within 1e-8 relative", () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.double({ min: 0.7, max: 1.3, noNaN: true }),
        fc.double({ min: 7 / 365, max: 2, noNaN: true }),
        fc.double({ min: 0.08, max: 0.8, noNaN: true }),
        (isCall, moneyness, tYears, vol) => {
          const price = bsmAmericanPrice(isCall ? 1 : -1, 100, 100 * moneyness, tYears, 0.05, 0.02, vol);
          // Below ~1e-6 the engine's own 1e-12 price noise outweighs the vol information.
          // Likewise when the price is (almost) the σ = 0 value, e.g. in the exercise region.
          const floor = bsmAmericanPrice(isCall ? 1 : -1, 100, 100 * moneyness, tYears, 0.05, 0.02, 0);
          if (price - floor < 1e-6) return true;
          const r = impliedVol({
            ...base,
            right: isCall ? "call" : "put",
            style: "american",
            strike: 100 * moneyness,
            tYears,
            rate: 0.05,
            divYield: 0.02,
            price,
          });
          if (r.status !== "ok") return false;
          if (Math.abs(r.iv! - vol) / vol < 1e-8) return true;
          // Where vega is small (deep in the money, days to expiry) the engine's own price precision
          // (~1e-9..1e-8 relative there) bounds what the price says about σ: accept an IV whose
          // error, in price terms, stays within it.
          const vega = americanGreeks({
            right: isCall ? "call" : "put",
            spot: 100,
            strike: 100 * moneyness,
            tYears,
            rate: 0.05,
            divYield: 0.02,
            vol,
          }).vega;
          return Math.abs(r.iv! - vol) * vega <= 1e-8 * price;
        },
      ),
      { numRuns: 60 },
    );
  });
  it("an American put below immediate exercise value is below_intrinsic", () => {
    const q = {
      ...base,
      right: "put" as const,
      style: "american" as const,
      strike: 120,
      rate: 0.05,
      divYield: 0,
    };
    expect(impliedVol({ ...q, price: 19.9 }).status).toBe("below_intrinsic");
    expect(impliedVol({ ...q, price: 120 }).status).toBe("above_max");
  });
});

describe("impliedVolBatch", () => {
  it("fills ivs and status codes per contract, matching the scalar function", () => {
    const n = 4;
    const chain = {
      right: Uint8Array.from([0, 1, 0, 1]),
      style: Uint8Array.from([
        STYLE_CODE.european,
        STYLE_CODE.european,
        STYLE_CODE.american,
        STYLE_CODE.european,
      ]),
      spot: Float64Array.from([100, 100, 100, -5]),
      strike: Float64Array.from([110, 90, 100, 100]),
      tYears: Float64Array.from([0.5, 0.5, 1, 1]),
      rate: new Float64Array(n).fill(0.03),
      divYield: new Float64Array(n).fill(0.01),
    };
    const price = Float64Array.from([
      bsmPrice(1, 100, 110, 0.5, 0.03, 0.01, 0.25),
      bsmPrice(-1, 100, 90, 0.5, 0.03, 0.01, 0.35),
      bsmAmericanPrice(1, 100, 100, 1, 0.03, 0.01, 0.2),
      1,
    ]);
    const iv = new Float64Array(n);
    const status = new Uint8Array(n);
    impliedVolBatch(chain, price, iv, status);
    expect(Array.from(status)).toEqual([0, 0, 0, IV_STATUS_CODE.invalid_input]);
    expect(iv[0]).toBeCloseTo(0.25, 12);
    expect(iv[1]).toBeCloseTo(0.35, 12);
    expect(iv[2]).toBeCloseTo(0.2, 9);
    expect(iv[3]).toBeNaN();
    expect(allocateGreeksColumns(3).price.length).toBe(3);
  });
});
