import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { erfcx } from "../normal.js";
import { blackOverVega, blackVega, householderBlackOverVega } from "./normalisedBlack.js";

/**
 * M_n(h) = ∫₀^∞ u^n·e^{hu − u²/2} du = Y^(n)(h), Y = Φ/φ, by Simpson's rule: for h <= 0 the integrand
 * is smooth and negligible beyond u = 16, and 16,000 panels resolve it to ~1e-13 relative.
 */
const moment = (n: number, h: number): number => {
  const panels = 16_000;
  const step = 16 / panels;
  const f = (u: number) => u ** n * Math.exp(h * u - 0.5 * u * u);
  let sum = f(0) + f(16);
  for (let i = 1; i < panels; i++) sum += (i % 2 === 1 ? 4 : 2) * f(i * step);
  return (sum * step) / 3;
};

const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));

describe("normalised Black, small-t series truncated by t", () => {
  it("rests on Y^(2k+1)(h)/Y'(h) <= 2^k·k! for h <= 0, with equality at h = 0", () => {
    for (const h of [0, -0.05, -0.3, -1, -2.5, -6, -15]) {
      const first = moment(1, h);
      // Y'(h) is the series' leading coefficient a = 1 + h·Y(h), which the kernel takes from erfcx.
      // (Simpson's error grows like h⁴ at the steep end: 1e-9 at h = −15.)
      expect(Math.abs(first / (1 + h * 1.2533141373155001 * erfcx(-Math.SQRT1_2 * h)) - 1)).toBeLessThan(
        1e-8,
      );
      for (let k = 1; k <= 7; k++) {
        const ratio = moment(2 * k + 1, h) / first / (2 ** k * factorial(k));
        if (h === 0) expect(Math.abs(ratio - 1)).toBeLessThan(1e-10);
        else expect(ratio).toBeLessThan(1);
      }
    }
  });

  it("drops only terms whose sum stays below half an ulp at each order's t bound", () => {
    const tail = (order: number, t: number) => {
      let sum = 0;
      for (let k = order + 1; k < order + 30; k++)
        sum += ((2 ** k * factorial(k)) / factorial(2 * k + 1)) * t ** (2 * k);
      return sum;
    };
    expect(tail(3, 0.02187)).toBeLessThan(2 ** -54);
    expect(tail(4, 0.05971)).toBeLessThan(2 ** -54);
    expect(tail(5, 0.11827)).toBeLessThan(2 ** -54);
    // The bounds are tight: a little above each, the next order is needed.
    expect(tail(3, 0.0225)).toBeGreaterThan(2 ** -54);
    expect(tail(4, 0.061)).toBeGreaterThan(2 ** -54);
    expect(tail(5, 0.12)).toBeGreaterThan(2 ** -54);
  });

  it("agrees with the full 13th-order series (blackOverVega) within its rounding across the small-t region", () => {
    let worst = 0;
    let differing = 0;
    fc.assert(
      fc.property(
        // t = s/2 across the four truncation orders up to SMALL_T_THRESHOLD (0.2102).
        fc.double({ min: 1e-4, max: 0.42, noNaN: true }),
        // h = x/s from the money to the asymptotic region's edge (x >= -10·s there).
        fc.double({ min: -9.5, max: 0, noNaN: true }),
        (s, h) => {
          blackVega[2] = h * s;
          blackVega[3] = s;
          blackOverVega();
          const full = blackVega[0]!;
          householderBlackOverVega();
          const truncated = blackVega[0]!;
          // a = 1 + h·Y(h) cancels out of the money (a ≈ 1/h²), so an ulp of erfcx, in either form, is
          // ~h² ulps of a and of b/vega; the iteration's s moves by that over s·ν ≈ 1 + h²: an ulp.
          const rel = Math.abs(truncated - full) / full / (1 + h * h);
          worst = Math.max(worst, rel);
          if (rel > 0) differing++;
          return rel <= 8 * 2.220446049250313e-16;
        },
      ),
      { numRuns: 50_000, seed: 20261122 },
    );
    // Not the same function bit for bit (else this test would compare nothing).
    expect(differing).toBeGreaterThan(0);
    expect(worst).toBeGreaterThan(0);
  });
});
