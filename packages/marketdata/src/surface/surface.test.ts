import { describe, expect, it } from "vitest";
import { calibrateSsvi, loadReferenceSurface } from "./calibrate.js";
import { durrlemanG, ssviParameterViolations, ssviTotalVariance } from "./ssvi.js";
import { atmTotalVariance, spotVarianceFor } from "./termStructure.js";

describe("SSVI calibrated to the Andreasen-Huge SX5E surface", () => {
  const surface = loadReferenceSurface();
  const fit = calibrateSsvi(surface);

  it("reads every quoted point of the reference surface", () => {
    expect(surface).toHaveLength(155);
  });

  it("fits the real surface within two vol points and keeps an equity-index skew", () => {
    expect(fit.rmse).toBeLessThan(0.02);
    expect(fit.params.rho).toBeLessThan(-0.3);
    expect(ssviParameterViolations(fit.params)).toEqual([]);
  });

  it("has a non-negative Durrleman density on every slice it would be used on", () => {
    for (const theta of [0.0001, 0.001, 0.01, 0.05, 0.2, 1]) {
      for (let k = -1.5; k <= 1.5; k += 0.05) {
        expect(durrlemanG((x) => ssviTotalVariance(fit.params, theta, x), k)).toBeGreaterThanOrEqual(-1e-6);
      }
    }
  });

  it("orders slices: total variance at fixed log-moneyness grows with the ATM variance", () => {
    const thetas = [0.0005, 0.002, 0.01, 0.04, 0.1, 0.3];
    for (let k = -1; k <= 1; k += 0.1) {
      const ws = thetas.map((t) => ssviTotalVariance(fit.params, t, k));
      for (let i = 1; i < ws.length; i++) expect(ws[i]!).toBeGreaterThan(ws[i - 1]!);
    }
  });
});

describe("ATM variance term structure", () => {
  const curve = {
    spotVariance: 0.04,
    longRunVariance: 0.0324,
    meanReversion: 3,
    events: [{ afterYears: 0.05, variance: 0.0025 }],
  };

  it("is non-decreasing in expiry, with the event lump after the event only", () => {
    let prev = 0;
    for (let t = 0.001; t < 2; t += 0.001) {
      const theta = atmTotalVariance(curve, t);
      expect(theta).toBeGreaterThanOrEqual(prev);
      prev = theta;
    }
    expect(atmTotalVariance(curve, 0.051) - atmTotalVariance(curve, 0.049)).toBeGreaterThan(0.0025);
  });

  it("backs out the spot variance that reproduces a 30-day level", () => {
    const t = 30 / 365;
    const v0 = spotVarianceFor(0.15 ** 2, t, 0.0324, 3);
    const theta = atmTotalVariance(
      { spotVariance: v0, longRunVariance: 0.0324, meanReversion: 3, events: [] },
      t,
    );
    expect(Math.sqrt(theta / t)).toBeCloseTo(0.15, 10);
  });
});
