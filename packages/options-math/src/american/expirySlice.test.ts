import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bsmAmericanChainGreeksInto, bsmAmericanChainIvGreeks } from "../americanChain.js";
import { emptyGreeks } from "../european.js";
import { ivScratch } from "../europeanImpliedVol.js";
import { chebyshevEvaluate } from "../internal/chebyshev.js";
import { IV_STATUS_CODE, type OptionInputs } from "../types.js";
import {
  boundaryAt,
  boundarySlope,
  boundarySlopeAt,
  boundaryValue,
  derivativeCoefficients,
} from "./boundaryEval.js";
import {
  BoundaryPanel,
  BoundarySurface,
  boundarySurface,
  COEFFS,
  PARAM_BUMP,
  VARIANTS,
  VOL_NODES,
} from "./boundarySurface.js";
import { ExpirySlice, type PremiumResult } from "./expirySlice.js";
import { MAX_ANCHOR_SHIFT, sliceAnchor } from "./sliceAnchor.js";

const SECONDS_PER_YEAR = 365 * 86_400;
const MICROS_PER_YEAR = SECONDS_PER_YEAR * 1e6;
const result = (): PremiumResult => ({
  premium: 0,
  dSpot: 0,
  dSpot2: 0,
  dVol: 0,
  dRate: 0,
  dDiv: 0,
  exercised: false,
});

describe("slice anchors", () => {
  it("a whole number of seconds (as event-time µs / 365-day year) is its own anchor, bit for bit", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 * SECONDS_PER_YEAR }), (seconds) => {
        const T = (seconds * 1_000_000) / MICROS_PER_YEAR;
        expect(sliceAnchor(T)).toBe(T);
      }),
    );
    for (const days of [1, 7, 30, 365, 730]) expect(sliceAnchor(days / 365)).toBe(days / 365);
  });

  it("is within 2⁻¹⁵·T of T, and anchors are fixed points", () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-9, max: 5, noNaN: true }), (T) => {
        const a = sliceAnchor(T);
        expect(Math.abs(a - T)).toBeLessThanOrEqual(MAX_ANCHOR_SHIFT * T * (1 + 1e-12));
        expect(sliceAnchor(a)).toBe(a);
      }),
    );
  });

  it("quotes a few ms apart share an anchor", () => {
    const expiryUs = 1_547_586_000_000_000;
    const anchors = new Set<number>();
    for (let k = 0; k < 100; k++)
      anchors.add(sliceAnchor((expiryUs - (1_547_500_000_000_000 + 3_000 * k)) / MICROS_PER_YEAR));
    expect(anchors.size).toBeLessThanOrEqual(2);
  });
});

describe("boundary evaluation", () => {
  const surface = boundarySurface(0.03, 0.019, 0.1);
  const panel = surface.panel(BoundarySurface.panelIndex(0.25));

  it("matches Clenshaw on each variant separately, bit for bit", () => {
    const coef = new Float64Array(COEFFS);
    for (let m = 0; m < VOL_NODES; m++) {
      for (const w of [-1, -0.9999, -0.5, 0, 0.3, 0.999, 1]) {
        boundaryAt(panel, m, w);
        const lnB = (v: number): number => {
          coef.set(panel.coef.subarray((m * VARIANTS + v) * COEFFS, (m * VARIANTS + v + 1) * COEFFS));
          const H = chebyshevEvaluate(COEFFS - 1, coef, w);
          return panel.lnCap[m * VARIANTS + v]! - (H > 0 ? Math.sqrt(H) : 0);
        };
        expect(boundaryValue.lnB).toBe(lnB(0));
        expect(boundaryValue.dR).toBe((lnB(1) - lnB(2)) * (1 / (2 * PARAM_BUMP)));
        expect(boundaryValue.dQ).toBe((lnB(3) - lnB(4)) * (1 / (2 * PARAM_BUMP)));
      }
    }
  });

  it("slopes in η agree with finite differences of the boundary along the stretch", () => {
    const { d1, d2 } = derivativeCoefficients(panel.coef);
    const at = (m: number, w0: number, eta: number): number => {
      boundaryAt(panel, m, (w0 + 1) * (1 + eta) - 1);
      return boundaryValue.lnB;
    };
    const h = 1e-4;
    for (let m = 0; m < VOL_NODES; m++) {
      for (const w0 of [-0.95, -0.6, -0.1, 0.4, 0.9]) {
        boundarySlopeAt(panel, d1, d2, m, w0);
        const fd1 = (at(m, w0, h) - at(m, w0, -h)) / (2 * h);
        const fd2 = (at(m, w0, h) - 2 * at(m, w0, 0) + at(m, w0, -h)) / (h * h);
        expect(Math.abs(boundarySlope.dEta - fd1)).toBeLessThan(1e-7 * Math.max(1, Math.abs(fd1)));
        expect(Math.abs(boundarySlope.dEta2 - fd2)).toBeLessThan(1e-4 * Math.max(1, Math.abs(fd2)));
      }
    }
  });
});

describe("slices moved off their anchor", () => {
  // Worst case: T at the far edge of its anchor's reach. Reference: a slice built at T itself on the
  // same surface, so the comparison isolates the move.
  const cases: [number, number][] = [
    [0.03, 0.019],
    [0.019, 0.03],
    [0.05, 0],
    [0.1, 0.02],
  ];
  const seconds = [1, 30, 600, 3600, 86_400, 30 * 86_400, 720 * 86_400];

  it("price the same as a slice built at T (premium, ∂x, ∂²x, ∂σ to ~1e-12 relative; r/q to 1e-7)", () => {
    let compared = 0;
    for (const [r, q] of cases) {
      for (const s of seconds) {
        for (const side of [1, -1]) {
          const T0 = sliceAnchor((1.1 * s) / SECONDS_PER_YEAR);
          const T = T0 * (1 + side * 0.999 * MAX_ANCHOR_SHIFT);
          const surface = boundarySurface(r, q, T0);
          const anchored = new ExpirySlice(surface, T0);
          const exact = new ExpirySlice(surface, T);
          for (const vol of [0.02, 0.15, 0.4, 1.5, 3.5]) {
            for (let x = 0.5; x < 1.6; x += 0.02) {
              const a = result();
              const b = result();
              anchored.premium(x, vol, T, a);
              exact.premium(x, vol, T, b);
              expect(a.exercised).toBe(b.exercised);
              const close = (u: number, v: number, rel: number, abs: number): void => {
                expect(Math.abs(u - v), `${r} ${q} ${s}s σ=${vol} x=${x}`).toBeLessThanOrEqual(
                  rel * Math.abs(v) + abs,
                );
              };
              close(a.premium, b.premium, 1e-13, 1e-18);
              close(a.dSpot, b.dSpot, 1e-13, 1e-17);
              close(a.dSpot2, b.dSpot2, 1e-12, 1e-13);
              close(a.dVol, b.dVol, 1e-11, 1e-17);
              close(a.dRate, b.dRate, 1e-7, 1e-12);
              close(a.dDiv, b.dDiv, 1e-7, 1e-12);
              compared++;
            }
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(10_000);
  });

  it("chain IV and Greeks do not depend on which slices are cached (pure in the quote's inputs)", () => {
    // One chain, each quote a few ms after the previous one, solved forwards then backwards.
    const expiryUs = 1_547_758_800_000_000;
    const quotes = Array.from({ length: 60 }, (_, k) => ({
      sign: k % 2 === 0 ? -1 : 1,
      K: 230 + (k >> 1),
      T: (expiryUs - (1_547_500_000_000_000 + 2_731 * k)) / MICROS_PER_YEAR,
    }));
    const g = emptyGreeks();
    const solve = (i: number): number[] => {
      const c = quotes[i]!;
      const intrinsic = Math.max(c.sign * (245 - c.K), 0);
      const code = bsmAmericanChainIvGreeks(c.sign, 245, c.K, c.T, 0.03, 0.019, intrinsic + 1.5, g);
      expect(code).toBe(IV_STATUS_CODE.ok);
      return [ivScratch.iv, g.price, g.delta, g.gamma, g.vega, g.theta, g.rho];
    };
    const forwards = quotes.map((_, i) => solve(i));
    const backwards = quotes.map((_, i) => solve(quotes.length - 1 - i)).reverse();
    expect(backwards).toEqual(forwards);
  });

  it("keep the QuantLib accuracy: every fixture case priced 1e-9·T off its (whole-day) T", () => {
    // The fixture's T are days/365, i.e. anchors; 1e-9·T later the true price moves by < 1e-7, and
    // the slice is one moved from another anchor.
    const fixture = JSON.parse(
      readFileSync(new URL("../../fixtures/american_quantlib.json", import.meta.url), "utf8"),
    ) as { cases: (OptionInputs & { price: number })[] };
    const g = emptyGreeks();
    let worst = 0;
    let moved = 0;
    for (const c of fixture.cases) {
      const T = c.tYears * (1 + 1e-9);
      if (sliceAnchor(T) !== T) moved++;
      const sign = c.right === "call" ? 1 : -1;
      bsmAmericanChainGreeksInto(sign, c.spot, c.strike, T, c.rate, c.divYield, c.vol, g);
      worst = Math.max(worst, Math.abs(g.price - c.price));
    }
    expect(moved).toBe(fixture.cases.length);
    expect(worst).toBeLessThan(1e-4);
  });
});

describe("bit-identity with the session-3 build (speed-ups that must not move a value)", () => {
  it("boundary tables: a sweep's boundary values computed up front, interleaved, give the same coefficients", () => {
    const h = createHash("sha256");
    for (const [r, q] of [
      [0.03, 0.019],
      [0.019, 0.03],
      [0.05, 0],
    ] as const) {
      for (const index of [2, 5, 8]) {
        for (const horizon of [1 / 64, 0.5]) {
          h.update(new Uint8Array(new BoundaryPanel(index, r, q, horizon).coef.buffer));
        }
      }
    }
    // FP-A and FP-B panels (σ 0.02-0.38), two horizons; hash of the session-3 (6b5a3ba) build.
    expect(h.digest("hex")).toBe("ca138d588d2bc27fff39231b43f1a0cfbec66ceb9fba72f03530fe4887f3aaeb");
  });
});
