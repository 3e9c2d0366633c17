import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { AMERICAN_SCHEMES, bsmAmericanPrice } from "./american.js";
import { bsmAmericanChainPrice, chainPrices } from "./americanPrices.js";
import { STYLE_CODE } from "./batch.js";
import { bsmPrice } from "./european.js";
import { IV_STATUS_CODE, type OptionInputs } from "./types.js";

interface QlCase extends OptionInputs {
  price: number;
}
// QuantLib-Python 1.44 QdFp high precision (reference/quantlib_american.py).
const fixture = JSON.parse(
  readFileSync(new URL("../fixtures/american_quantlib.json", import.meta.url), "utf8"),
) as { cases: QlCase[] };

function columns(cases: readonly QlCase[], style: number) {
  const n = cases.length;
  const c = {
    right: new Uint8Array(n),
    style: new Uint8Array(n).fill(style),
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

describe("chainPrices", () => {
  it("prices every fixture contract within 1e-4 absolute of QuantLib QdFp high precision", () => {
    // Reversed so the kernel has to reorder by expiry.
    const cases = [...fixture.cases].reverse();
    const c = columns(cases, STYLE_CODE.american);
    const out = new Float64Array(cases.length);
    const status = new Uint8Array(cases.length);
    chainPrices(c, c.vol, out, status);
    let worst = 0;
    cases.forEach((x, i) => {
      expect(status[i]).toBe(IV_STATUS_CODE.ok);
      const err = Math.abs(out[i]! - x.price);
      worst = Math.max(worst, err);
      expect(err, JSON.stringify(x)).toBeLessThan(1e-4);
    });
    expect(worst).toBeGreaterThan(0);
  });

  it("gives the same price per contract as the scalar form, in any order", () => {
    const cases = fixture.cases.filter((_, i) => i % 7 === 0);
    const c = columns(cases, STYLE_CODE.american);
    const out = new Float64Array(cases.length);
    chainPrices(c, c.vol, out, new Uint8Array(cases.length));
    cases.forEach((x, i) => {
      const sign = x.right === "call" ? 1 : -1;
      const single = bsmAmericanChainPrice(sign, x.spot, x.strike, x.tYears, x.rate, x.divYield, x.vol);
      expect(out[i]).toBeCloseTo(single, 12);
    });
  });

  it("prices European rows by Black-Scholes and falls back to the scalar engine off the tables", () => {
    const cases = fixture.cases.slice(0, 40);
    const c = columns(cases, STYLE_CODE.european);
    const out = new Float64Array(cases.length);
    chainPrices(c, c.vol, out, new Uint8Array(cases.length));
    cases.forEach((x, i) => {
      expect(out[i]).toBe(
        bsmPrice(x.right === "call" ? 1 : -1, x.spot, x.strike, x.tYears, x.rate, x.divYield, x.vol),
      );
    });
    // σ above the tables' range and a put rate below the bump both go to the scalar standard scheme.
    for (const [r, vol] of [
      [0.03, 5],
      [0.0002, 0.3],
    ] as const) {
      expect(bsmAmericanChainPrice(-1, 100, 110, 0.5, r, 0.01, vol)).toBe(
        bsmAmericanPrice(-1, 100, 110, 0.5, r, 0.01, vol, AMERICAN_SCHEMES.standard),
      );
    }
  });

  it("writes intrinsic for expired, payoff in the exercise region, NaN for invalid input", () => {
    const c = {
      right: Uint8Array.of(1, 1, 0, 1),
      style: new Uint8Array(4).fill(STYLE_CODE.american),
      spot: Float64Array.of(100, 40, 100, -1),
      strike: Float64Array.of(110, 100, 90, 100),
      tYears: Float64Array.of(0, 0.5, 0.5, 0.5),
      rate: new Float64Array(4).fill(0.05),
      divYield: new Float64Array(4).fill(0.01),
      vol: new Float64Array(4).fill(0.2),
    };
    const out = new Float64Array(4);
    const status = new Uint8Array(4);
    chainPrices(c, c.vol, out, status);
    expect([...status]).toEqual([
      IV_STATUS_CODE.expired,
      IV_STATUS_CODE.ok,
      IV_STATUS_CODE.ok,
      IV_STATUS_CODE.invalid_input,
    ]);
    expect(out[0]).toBe(10);
    expect(out[1]).toBe(60);
    // A call with q < r is worth its European price (no early exercise).
    expect(out[2]).toBe(bsmPrice(1, 100, 90, 0.5, 0.05, 0.01, 0.2));
    expect(out[3]).toBeNaN();
  });
});
