import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  bsmGreeksInto,
  bsmSensitivitiesInto,
  emptyGreeks,
  europeanGreeks,
  europeanPrice,
} from "./european.js";
import { erfc, normCdf } from "./normal.js";
import type { OptionInputs } from "./types.js";

interface MpCase extends OptionInputs {
  [greek: string]: unknown;
}
const fixture = JSON.parse(
  readFileSync(new URL("../fixtures/european_mpmath.json", import.meta.url), "utf8"),
) as {
  cases: MpCase[];
  special: { x: number; erfc: string; normCdf: string }[];
};

const relErr = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

describe("normal distribution (Cody erfc) against mpmath 50 digits", () => {
  it("erfc and normCdf are within 1e-14 relative wherever the value is a normal float", () => {
    for (const s of fixture.special) {
      const e = Number(s.erfc);
      if (e > 1e-300) expect(relErr(erfc(s.x), e)).toBeLessThan(1e-14);
      const n = Number(s.normCdf);
      // Far in the tail the rounding of x/√2 itself is amplified by x²: 2ε·x²/2 ≈ 1.3e-13 at x = −24.
      if (n > 1e-300)
        expect(relErr(normCdf(4 * s.x), n)).toBeLessThan(Math.max(5e-14, 4 * 2.2e-16 * 16 * s.x * s.x));
    }
  });
});

describe("published textbook values", () => {
  // Source: E. G. Haug, The Complete Guide to Option Pricing Formulas, 2nd ed., p. 3 (BS example).
  it("Haug 1.1.1: S=60 K=65 T=0.25 r=8% sigma=30% call = 2.1334", () => {
    const v = europeanPrice({
      right: "call",
      spot: 60,
      strike: 65,
      tYears: 0.25,
      rate: 0.08,
      divYield: 0,
      vol: 0.3,
    });
    expect(v).toBeCloseTo(2.1334, 4);
  });
  // Source: Haug, p. 4 (Merton 1973 example); also the doctest value in py_vollib black_scholes_merton.
  it("Haug Merton73: S=100 K=95 T=0.5 r=10% q=5% sigma=20% put = 2.4648", () => {
    const v = europeanPrice({
      right: "put",
      spot: 100,
      strike: 95,
      tYears: 0.5,
      rate: 0.1,
      divYield: 0.05,
      vol: 0.2,
    });
    expect(v).toBeCloseTo(2.4648, 4);
  });
  // Source: J. Hull, Options, Futures, and Other Derivatives, Example 15.6 (S=42 K=40 r=10% sigma=20% T=0.5).
  it("Hull: call 4.76, put 0.81", () => {
    const base = { spot: 42, strike: 40, tYears: 0.5, rate: 0.1, divYield: 0, vol: 0.2 } as const;
    expect(europeanPrice({ ...base, right: "call" })).toBeCloseTo(4.76, 2);
    expect(europeanPrice({ ...base, right: "put" })).toBeCloseTo(0.81, 2);
  });
  // Source: py_vollib black_scholes docstring, black_scholes('c', 100, 90, .5, .01, .2) = 12.111581435.
  it("py_vollib: call S=100 K=90 T=0.5 r=1% sigma=20% = 12.111581435", () => {
    const v = europeanPrice({
      right: "call",
      spot: 100,
      strike: 90,
      tYears: 0.5,
      rate: 0.01,
      divYield: 0,
      vol: 0.2,
    });
    expect(v).toBeCloseTo(12.111581435, 9);
  });
});

describe("price and Greeks against mpmath (fixtures/european_mpmath.json)", () => {
  const greeks = ["price", "delta", "gamma", "vega", "rho", "divRho", "vanna", "volga"] as const;
  it("every Greek within 1e-12 relative (theta: 1e-12 of its largest term)", () => {
    let checked = 0;
    for (const c of fixture.cases) {
      const g = europeanGreeks(c);
      for (const name of greeks) {
        const ref = Number(c[name]);
        const got = g[name]!;
        if (Math.abs(ref) < 1e-290) {
          expect(Math.abs(got)).toBeLessThan(1e-280);
          continue;
        }
        checked++;
        // vanna/volga pass through d2 = d1 − σ√T, which cancels near d2 = 0: scale by the d-terms.
        const scale =
          name === "vanna" || name === "volga"
            ? Math.max(Math.abs(ref), 1e-12 * Math.abs(Number(c.vega)))
            : Math.abs(ref);
        expect(Math.abs(got - ref) / scale, `${name} ${JSON.stringify(c)}`).toBeLessThan(1e-12);
      }
      const theta = Number(c.theta);
      const termScale =
        (Math.abs(Number(c.vega)) * c.vol) / (2 * c.tYears) +
        Math.abs((c.rate * Number(c.rho)) / c.tYears) +
        Math.abs((c.divYield * Number(c.divRho)) / c.tYears);
      if (termScale > 1e-290) expect(Math.abs(g.theta - theta) / termScale).toBeLessThan(1e-12);
    }
    expect(checked).toBeGreaterThan(2000);
  });
});

describe("limits", () => {
  const base: OptionInputs = {
    right: "call",
    spot: 100,
    strike: 90,
    tYears: 1,
    rate: 0.05,
    divYield: 0.02,
    vol: 0.2,
  };
  it("T = 0 gives intrinsic and unit delta", () => {
    const g = europeanGreeks({ ...base, tYears: 0 });
    expect(g.price).toBe(10);
    expect(g.delta).toBe(1);
    expect(g.gamma).toBe(0);
  });
  it("sigma = 0 gives the discounted forward intrinsic and matches sigma -> 0", () => {
    const g = europeanGreeks({ ...base, vol: 0 });
    const fwd = 100 * Math.exp(0.03) - 90;
    expect(relErr(g.price, Math.exp(-0.05) * fwd)).toBeLessThan(1e-14);
    const tiny = europeanGreeks({ ...base, vol: 1e-6 });
    expect(relErr(tiny.price, g.price)).toBeLessThan(1e-12);
    expect(relErr(tiny.delta, g.delta)).toBeLessThan(1e-12);
    expect(relErr(tiny.theta, g.theta)).toBeLessThan(1e-9);
  });
  it("invalid inputs give NaN, not an exception", () => {
    expect(europeanPrice({ ...base, spot: -1 })).toBeNaN();
    expect(europeanPrice({ ...base, vol: Number.NaN })).toBeNaN();
  });
});

const contract = fc.record({
  right: fc.constantFrom<"call" | "put">("call", "put"),
  spot: fc.double({ min: 10, max: 1000, noNaN: true }),
  strike: fc.double({ min: 10, max: 1000, noNaN: true }),
  tYears: fc.double({ min: 1 / 365, max: 5, noNaN: true }),
  rate: fc.double({ min: -0.02, max: 0.1, noNaN: true }),
  divYield: fc.double({ min: 0, max: 0.08, noNaN: true }),
  vol: fc.double({ min: 0.03, max: 2, noNaN: true }),
});

describe("properties", () => {
  it("put-call parity: C − P = S e^{−qT} − K e^{−rT}", () => {
    fc.assert(
      fc.property(contract, (c) => {
        const call = europeanPrice({ ...c, right: "call" });
        const put = europeanPrice({ ...c, right: "put" });
        const fwd = c.spot * Math.exp(-c.divYield * c.tYears) - c.strike * Math.exp(-c.rate * c.tYears);
        return Math.abs(call - put - fwd) <= 1e-12 * (c.spot + c.strike);
      }),
    );
  });
  it("Greeks equal central finite differences of the price", () => {
    fc.assert(
      fc.property(contract, (c) => {
        const g = europeanGreeks(c);
        const p = (d: Partial<OptionInputs>): number => europeanPrice({ ...c, ...d });
        const hS = 1e-3 * c.spot * c.vol * Math.sqrt(c.tYears);
        const hv = 1e-4 * c.vol;
        const hr = 1e-6;
        const ht = 1e-5 * c.tYears;
        // Central differences carry O(h²) truncation (1e-5 of the Greek) and O(ε·V/h^k) rounding.
        const v = c.spot + c.strike;
        const close = (fd: number, exact: number, hk: number): boolean =>
          Math.abs(fd - exact) <= 1e-5 * Math.abs(exact) + (100 * 2.2e-16 * v) / hk;
        return (
          close((p({ spot: c.spot + hS }) - p({ spot: c.spot - hS })) / (2 * hS), g.delta, hS) &&
          close(
            (p({ spot: c.spot + hS }) - 2 * g.price + p({ spot: c.spot - hS })) / (hS * hS),
            g.gamma,
            hS * hS,
          ) &&
          close((p({ vol: c.vol + hv }) - p({ vol: c.vol - hv })) / (2 * hv), g.vega, hv) &&
          close((p({ rate: c.rate + hr }) - p({ rate: c.rate - hr })) / (2 * hr), g.rho, hr) &&
          close(-(p({ tYears: c.tYears + ht }) - p({ tYears: c.tYears - ht })) / (2 * ht), g.theta, ht)
        );
      }),
    );
  });
  it("monotone: price rises with vol and maturity-scaled variance; call falls with strike, put rises", () => {
    fc.assert(
      fc.property(contract, fc.double({ min: 1.01, max: 2, noNaN: true }), (c, k) => {
        const higherVol = europeanPrice({ ...c, vol: c.vol * k });
        const higherStrike = europeanPrice({ ...c, strike: c.strike * k });
        const p = europeanPrice(c);
        const strikeOk = c.right === "call" ? higherStrike <= p : higherStrike >= p;
        return higherVol >= p && strikeOk;
      }),
    );
  });
  it("sensitivities without the price are bit for bit the Greeks, in any call order", () => {
    const fields = ["delta", "gamma", "vega", "theta", "rho", "divRho", "vanna", "volga", "charm"] as const;
    const greeksOf = (c: OptionInputs, withPrice: boolean) => {
      const out = emptyGreeks();
      const args = [
        c.right === "call" ? 1 : -1,
        c.spot,
        c.strike,
        c.tYears,
        c.rate,
        c.divYield,
        c.vol,
      ] as const;
      if (withPrice) bsmGreeksInto(...args, out);
      else bsmSensitivitiesInto(...args, out);
      return out;
    };
    fc.assert(
      fc.property(fc.array(contract, { minLength: 2, maxLength: 8 }), (cs) => {
        // Shared expiries and strikes, as in a chain, so the cached factors are hit as well as missed.
        const chain = cs.flatMap((c) => [
          c,
          { ...c, right: c.right === "call" ? "put" : "call" } as OptionInputs,
        ]);
        const forward = chain.map((c) => greeksOf(c, true));
        const backward = chain
          .toReversed()
          .map((c) => greeksOf(c, false))
          .reverse();
        return forward.every(
          (g, i) => Number.isNaN(backward[i]!.price) && fields.every((f) => Object.is(g[f], backward[i]![f])),
        );
      }),
    );
  });
});
