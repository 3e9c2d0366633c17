import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bsmPrice } from "./european.js";
import { bsmImpliedVol, ivScratch, NEEDS_SOLVE } from "./europeanImpliedVol.js";
import { bsmGuessedImpliedVol, guessedImpliedVolAlone } from "./guessedImpliedVol.js";
import { IV_STATUS_CODE } from "./types.js";

/** Let's Be Rational, the reference: [status, iv]. */
const lbrIv = (sign: number, spot: number, k: number, t: number, r: number, q: number, price: number) => {
  const code = bsmImpliedVol(sign, spot, k, t, r, q, price);
  return [code, ivScratch.iv] as const;
};

const rel = (a: number, b: number) => (Object.is(a, b) ? 0 : Math.abs(a - b) / Math.abs(b));

describe("implied volatility from a closed-form start", () => {
  it("agrees with Let's Be Rational within 1e-12 and with its status, over a wide domain", () => {
    let guessed = 0;
    let solved = 0;
    let worst = 0;
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.double({ min: -3, max: 3, noNaN: true }),
        // One hour to three years.
        fc.double({ min: Math.log(1 / (365 * 24)), max: Math.log(3), noNaN: true }),
        fc.double({ min: 0.01, max: 3, noNaN: true }),
        fc.double({ min: -0.02, max: 0.1, noNaN: true }),
        fc.double({ min: 0, max: 0.05, noNaN: true }),
        // The price off the fair value by up to ±50% (a quote's mid is rarely the model's price).
        fc.double({ min: -0.5, max: 0.5, noNaN: true }),
        (isCall, logMoneyness, logT, vol, rate, divYield, offset) => {
          const sign = isCall ? 1 : -1;
          const strike = 100 * Math.exp(logMoneyness);
          const t = Math.exp(logT);
          const price = bsmPrice(sign, 100, strike, t, rate, divYield, vol) * (1 + offset);
          const [code, iv] = lbrIv(sign, 100, strike, t, rate, divYield, price);
          if (bsmGuessedImpliedVol(sign, 100, strike, t, rate, divYield, price) !== code) return false;
          if (code === IV_STATUS_CODE.ok && !(rel(ivScratch.iv, iv) <= 1e-12)) return false;
          const alone = guessedImpliedVolAlone(sign, 100, strike, t, rate, divYield, price);
          if (code === IV_STATUS_CODE.ok && iv > 0) solved++;
          if (alone === NEEDS_SOLVE) return true;
          if (alone !== code) return false;
          if (code === IV_STATUS_CODE.ok && iv > 0) {
            guessed++;
            worst = Math.max(worst, rel(ivScratch.iv, iv));
          }
          return true;
        },
      ),
      { numRuns: 20_000, seed: 20261122 },
    );
    // The comparison means something only if the guessed path did the solving for most prices.
    expect(guessed / solved).toBeGreaterThan(0.5);
    expect(worst).toBeLessThan(1e-12);
  });

  it("solves the mids of a SPY-like chain without Let's Be Rational, within 1e-12 of it", () => {
    let guessed = 0;
    for (let day = 0; day < 4; day++) {
      const spot = 280 * (1 + 0.01 * Math.sin(day * 1.7));
      const baseVol = 0.15 + 0.05 * Math.sin(day / 9);
      for (let e = 0; e < 15; e++) {
        const t = (3 + 7 * e) / 365;
        for (let k = 0; k < 100; k++) {
          const strike = Math.round(spot * (0.75 + (0.5 * k) / 100));
          const m = Math.log(strike / spot);
          const vol = baseVol * (1 - 0.8 * m + 2 * m * m);
          for (const sign of [1, -1]) {
            const fair = bsmPrice(sign, spot, strike, t, 0.03, 0.015, vol);
            const half = Math.max(0.01, 0.02 * fair);
            const mid = 0.5 * (Math.max(0, fair - half) + fair + half);
            const [code, iv] = lbrIv(sign, spot, strike, t, 0.03, 0.015, mid);
            if (code !== IV_STATUS_CODE.ok || !(iv > 0)) continue;
            expect(guessedImpliedVolAlone(sign, spot, strike, t, 0.03, 0.015, mid)).toBe(IV_STATUS_CODE.ok);
            expect(rel(ivScratch.iv, iv)).toBeLessThan(1e-12);
            guessed++;
          }
        }
      }
    }
    expect(guessed).toBeGreaterThan(10_000);
  });

  it("keeps LBR's statuses and bits at the edges", () => {
    const call = (price: number, t = 0.5) => {
      const code = bsmGuessedImpliedVol(1, 100, 90, t, 0.03, 0.01, price);
      return [code, ivScratch.iv] as const;
    };
    const intrinsic = 100 * Math.exp(-0.01 * 0.5) - 90 * Math.exp(-0.03 * 0.5);
    expect(call(intrinsic - 0.5)).toEqual([IV_STATUS_CODE.below_intrinsic, Number.NaN]);
    expect(call(100)).toEqual([IV_STATUS_CODE.above_max, Number.NaN]);
    expect(call(intrinsic)).toEqual([IV_STATUS_CODE.ok, 0]);
    expect(call(Number.NaN)[0]).toBe(IV_STATUS_CODE.invalid_input);
    expect(call(11, 0)[0]).toBe(IV_STATUS_CODE.expired);
    // Within a ppm of the supremum (σ of hundreds of percent over years) LBR answers, bit for bit.
    const nearMax = 100 * Math.exp(-0.01 * 0.5) * (1 - 1e-8);
    const [refCode, refIv] = lbrIv(1, 100, 90, 0.5, 0.03, 0.01, nearMax);
    expect(guessedImpliedVolAlone(1, 100, 90, 0.5, 0.03, 0.01, nearMax)).toBe(NEEDS_SOLVE);
    const [code, iv] = call(nearMax);
    expect(code).toBe(refCode);
    expect(Object.is(iv, refIv)).toBe(true);
  });

  it("is a pure function of its arguments: earlier contracts change no bit", () => {
    const args = [-1, 250, 240, 30 / 365, 0.03, 0.015] as const;
    const price = bsmPrice(...args, 0.2);
    bsmGuessedImpliedVol(...args, price);
    const first = ivScratch.iv;
    // Other contracts and expiries in between refill every memo.
    bsmGuessedImpliedVol(1, 251, 300, 2, 0.01, 0, 3);
    bsmImpliedVol(1, 99, 100, 0.1, 0.05, 0.02, 1);
    bsmGuessedImpliedVol(...args, price);
    expect(Object.is(ivScratch.iv, first)).toBe(true);
    expect(rel(bsmPrice(...args, first), price)).toBeLessThan(1e-13);
  });
});
