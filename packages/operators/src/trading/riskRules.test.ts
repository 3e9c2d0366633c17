import { Schema } from "effect";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Exposure,
  evaluateTrade,
  maxUnitsWithin,
  RiskParams,
  type TradeCandidate,
  tradingStateOf,
} from "./riskRules.js";

const limits = Schema.decodeUnknownSync(Schema.Struct(RiskParams))({});

const regimes = ["low_vol", "high_vol", "iv_expansion", "iv_contraction", "neutral"] as const;

const exposureArb: fc.Arbitrary<Exposure> = fc
  .record({
    equity: fc.integer({ min: 1_000_000, max: 50_000_000 }),
    peakExtra: fc.integer({ min: 0, max: 20_000_000 }),
    dayMove: fc.integer({ min: -2_000_000, max: 2_000_000 }),
    openPositions: fc.integer({ min: 0, max: 7 }),
    riskShare: fc.double({ min: 0, max: 0.3, noNaN: true }),
    delta: fc.double({ min: -300, max: 300, noNaN: true }),
    gamma: fc.double({ min: -80, max: 80, noNaN: true }),
    vega: fc.double({ min: -800, max: 800, noNaN: true }),
    sameName: fc.integer({ min: 0, max: 2 }),
    groupShare: fc.double({ min: 0, max: 0.2, noNaN: true }),
    halted: fc.boolean(),
  })
  .map((x) => ({
    equityCents: x.equity,
    peakEquityCents: x.equity + x.peakExtra,
    dayStartEquityCents: x.equity + x.dayMove,
    halted: x.halted && x.peakExtra > 0,
    openPositions: x.openPositions,
    openRiskCents: Math.round(x.equity * x.riskShare),
    greeks: { delta: x.delta, gamma: x.gamma, vega: x.vega },
    positionsByUnderlying: new Map([["SPY", x.sameName]]),
    riskByGroupCents: new Map([["broad_market", Math.round(x.equity * x.groupShare)]]),
  }));

const candidateArb: fc.Arbitrary<TradeCandidate> = fc.record({
  underlying: fc.constantFrom("SPY", "QQQ"),
  group: fc.constant("broad_market"),
  regime: fc.constantFrom(...regimes),
  confidence: fc.double({ min: 0, max: 1, noNaN: true }),
  maxRiskPerUnitCents: fc.integer({ min: 1_000, max: 2_000_000 }),
  greeksPerUnit: fc.record({
    delta: fc.double({ min: -100, max: 100, noNaN: true }),
    gamma: fc.double({ min: -20, max: 20, noNaN: true }),
    vega: fc.double({ min: -100, max: 100, noNaN: true }),
  }),
});

describe("risk gate rules", () => {
  it("property: an accepted trade never breaks a limit", () => {
    fc.assert(
      fc.property(exposureArb, candidateArb, (e, c) => {
        const v = evaluateTrade(c, e, limits);
        if (!v.accepted) {
          expect(v.quantity).toBe(0);
          expect(v.reasons.length).toBeGreaterThan(0);
          return;
        }
        const q = v.quantity;
        expect(q).toBeGreaterThanOrEqual(1);
        expect(v.tradingState).not.toBe("HALTED");
        // Risk per trade, portfolio and correlation-group risk caps.
        expect(q * c.maxRiskPerUnitCents).toBeLessThanOrEqual(e.equityCents * limits.maxRiskPerTrade);
        expect(e.openRiskCents + q * c.maxRiskPerUnitCents).toBeLessThanOrEqual(
          e.equityCents * limits.maxPortfolioRisk + 1e-6,
        );
        expect((e.riskByGroupCents.get(c.group) ?? 0) + q * c.maxRiskPerUnitCents).toBeLessThanOrEqual(
          e.equityCents * limits.maxGroupRisk + 1e-6,
        );
        // Counts, concentration, confidence, regime, daily loss.
        expect(e.openPositions + 1).toBeLessThanOrEqual(limits.maxPositions);
        expect((e.positionsByUnderlying.get(c.underlying) ?? 0) + 1).toBeLessThanOrEqual(
          limits.maxPositionsPerUnderlying,
        );
        expect(c.confidence).toBeGreaterThanOrEqual(limits.minConfidence);
        expect(limits.regimeMultipliers[c.regime]).toBeGreaterThan(0);
        expect((e.dayStartEquityCents - e.equityCents) / e.dayStartEquityCents).toBeLessThan(
          limits.maxDailyLoss,
        );
        // Greeks: within the limit, or no worse than before when already over it.
        for (const [g, limit] of [
          ["delta", limits.maxPortfolioDelta],
          ["gamma", limits.maxPortfolioGamma],
          ["vega", limits.maxPortfolioVega],
        ] as const) {
          const after = Math.abs(e.greeks[g] + q * c.greeksPerUnit[g]);
          expect(after).toBeLessThanOrEqual(Math.max(limit, Math.abs(e.greeks[g])) + 1e-6);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("sizes by 2% of equity with the seeds' regime and confidence multipliers", () => {
    const e: Exposure = {
      equityCents: 10_000_000,
      peakEquityCents: 10_000_000,
      dayStartEquityCents: 10_000_000,
      halted: false,
      openPositions: 0,
      openRiskCents: 0,
      greeks: { delta: 0, gamma: 0, vega: 0 },
      positionsByUnderlying: new Map(),
      riskByGroupCents: new Map(),
    };
    const c: TradeCandidate = {
      underlying: "SPY",
      group: "broad_market",
      regime: "low_vol",
      confidence: 0.8,
      maxRiskPerUnitCents: 40_000,
      greeksPerUnit: { delta: 0, gamma: 0, vega: 0 },
    };
    expect(evaluateTrade(c, e, limits)).toMatchObject({
      accepted: true,
      quantity: 5,
      tradingState: "ACTIVE",
    });
    expect(evaluateTrade({ ...c, regime: "high_vol" }, e, limits).quantity).toBe(2);
    expect(evaluateTrade({ ...c, confidence: 0.7 }, e, limits).quantity).toBe(2);
    expect(evaluateTrade({ ...c, confidence: 0.5 }, e, limits)).toMatchObject({ accepted: false });
    expect(evaluateTrade({ ...c, regime: "neutral" }, e, limits).reasons[0]).toMatch(/neutral sizes to zero/);
    // One unit above 2% of equity is rejected, not rounded up to one contract.
    expect(evaluateTrade({ ...c, maxRiskPerUnitCents: 250_000 }, e, limits).reasons[0]).toMatch(
      /more than 2% of equity/,
    );
    const reducing = { ...e, equityCents: 8_000_000, dayStartEquityCents: 8_000_000 };
    expect(evaluateTrade(c, reducing, limits)).toMatchObject({ tradingState: "REDUCING", quantity: 2 });
    const halted = { ...e, equityCents: 7_400_000, dayStartEquityCents: 7_400_000 };
    expect(tradingStateOf(halted, limits)).toBe("HALTED");
    expect(evaluateTrade(c, halted, limits).reasons[0]).toMatch(/trading halted/);
    expect(evaluateTrade(c, { ...e, equityCents: 9_650_000 }, limits).reasons[0]).toMatch(/daily loss/);
    expect(evaluateTrade(c, { ...e, openPositions: 5 }, limits).reasons[0]).toMatch(/max positions/);
    expect(evaluateTrade(c, { ...e, openRiskCents: 1_950_000 }, limits)).toMatchObject({
      accepted: true,
      quantity: 1,
    });
  });

  it("maxUnitsWithin: room to the limit, or no worse than now when already over", () => {
    expect(maxUnitsWithin(0, 30, 100)).toBe(3);
    expect(maxUnitsWithin(90, -30, 100)).toBe(6);
    expect(maxUnitsWithin(150, 10, 100)).toBe(0);
    expect(maxUnitsWithin(150, -10, 100)).toBe(30);
    expect(maxUnitsWithin(5, 0, 100)).toBe(Number.POSITIVE_INFINITY);
  });
});
