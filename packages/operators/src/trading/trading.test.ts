import { runOperator } from "@thetaflow/core";
import type { Event, Order, PortfolioSnapshot, Position, RiskDecision, Signal } from "@thetaflow/schemas";
import { Schema } from "effect";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chain, putSpreadSignal, tick } from "./__fixtures__/market.js";
import { trading } from "./trading.js";
import { TradingParams } from "./tradingParams.js";

const dates = [
  "2019-03-04",
  "2019-03-05",
  "2019-03-06",
  "2019-03-07",
  "2019-03-08",
  "2019-03-11",
  "2019-03-12",
  "2019-03-13",
  "2019-03-14",
  "2019-03-15",
  "2019-03-18",
  "2019-03-19",
  "2019-03-20",
  "2019-03-21",
];
const expiries = ["2019-03-15", "2019-03-29"];
const strikes = [80, 85, 90, 95, 100, 105, 110, 115, 120];

interface Scenario {
  readonly moves: number[];
  readonly vols: number[];
  readonly signals: Array<{
    day: number;
    underlying: "SPY" | "QQQ";
    short: number;
    width: number;
    expiry: number;
    confidence: number;
  }>;
  readonly limits: { maxPositions: number; maxRiskPerTrade: number; maxPortfolioDelta: number };
}

const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  moves: fc.array(fc.double({ min: -0.04, max: 0.04, noNaN: true }), {
    minLength: dates.length,
    maxLength: dates.length,
  }),
  vols: fc.array(fc.double({ min: 0.1, max: 0.6, noNaN: true }), {
    minLength: dates.length,
    maxLength: dates.length,
  }),
  signals: fc.array(
    fc.record({
      day: fc.integer({ min: 0, max: dates.length - 2 }),
      underlying: fc.constantFrom("SPY" as const, "QQQ" as const),
      short: fc.integer({ min: 2, max: 6 }),
      width: fc.integer({ min: 1, max: 2 }),
      expiry: fc.integer({ min: 0, max: 1 }),
      confidence: fc.double({ min: 0.5, max: 0.99, noNaN: true }),
    }),
    { maxLength: 12 },
  ),
  limits: fc.record({
    maxPositions: fc.integer({ min: 1, max: 5 }),
    maxRiskPerTrade: fc.double({ min: 0.005, max: 0.05, noNaN: true }),
    maxPortfolioDelta: fc.integer({ min: 50, max: 2000 }),
  }),
});

/** Market events for two underlyings plus the scenario's signals, in event-time order per day. */
const buildEvents = (s: Scenario, replaySignals = false): Event[] => {
  const events: Event[] = [];
  const spot = { SPY: 100, QQQ: 100 };
  const emitted: Signal[] = [];
  dates.forEach((date, d) => {
    if (expiries.every((e) => e < date)) return;
    const quotesToday: Record<string, ReturnType<typeof chain>> = {};
    for (const u of ["SPY", "QQQ"] as const) {
      spot[u] = Math.round(spot[u] * (1 + (u === "SPY" ? s.moves[d]! : -s.moves[d]!)) * 100) / 100;
      events.push(tick(u, date, spot[u]));
    }
    for (const u of ["SPY", "QQQ"] as const) {
      quotesToday[u] = chain({
        underlying: u,
        date,
        spot: spot[u],
        expiries: expiries.filter((e) => e >= date),
        strikes,
        vol: s.vols[d]!,
        size: 7,
      });
      events.push(...quotesToday[u]!);
    }
    s.signals.forEach((sig, i) => {
      const expiry = expiries[sig.expiry]!;
      if (sig.day !== d || expiry <= date) return;
      const short = strikes[sig.short]!;
      const long = strikes[sig.short - sig.width]!;
      const signal = putSpreadSignal(quotesToday[sig.underlying]!, {
        short,
        long,
        expiry,
        confidence: sig.confidence,
        id: `sig${i}`,
      });
      if (signal.creditOrDebit <= 0 || signal.maxRisk <= 0) return;
      events.push(signal);
      emitted.push(signal);
    });
    // A replayed stream re-delivers yesterday's signals (at-least-once input).
    if (replaySignals)
      for (const sig of emitted) if (sig.eventTime < events[events.length - 1]!.eventTime) events.push(sig);
  });
  return events;
};

const paramsOf = (s: Scenario) =>
  Schema.decodeUnknownSync(TradingParams)({ ...s.limits, maxPortfolioGamma: 1e6, maxPortfolioVega: 1e6 });

const ofKind = <K extends Event["kind"]>(events: readonly Event[], kind: K) =>
  events.filter((e): e is Extract<Event, { kind: K }> => e.kind === kind);

describe("trading desk", () => {
  it("property: accounting identities hold at every snapshot and in every position", () => {
    let fills = 0;
    let closed = 0;
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { outputs, deadLetters } = runOperator(trading, paramsOf(s), buildEvents(s));
        expect(deadLetters).toEqual([]);
        fills += ofKind(outputs, "Fill").length;
        closed += ofKind(outputs, "Position").filter((p) => p.status === "closed").length;
        const latest = new Map<string, Position>();
        let closedRealized = 0;
        for (const e of outputs) {
          if (e.kind === "Position") {
            // Sum of per-leg P&L = position P&L.
            expect(e.legs.reduce((a, l) => a + l.realizedPnlCents, 0)).toBe(e.realizedPnlCents);
            expect(e.legs.reduce((a, l) => a + l.unrealizedPnlCents, 0)).toBe(e.unrealizedPnlCents);
            if (e.status === "closed") {
              closedRealized += e.realizedPnlCents;
              latest.delete(e.positionId);
            } else latest.set(e.positionId, e);
          }
          if (e.kind === "PortfolioSnapshot") {
            // cash + positions = equity, and equity - start = realized + unrealized (commissions inside).
            expect(e.cashCents + e.positionsValueCents).toBe(e.equityCents);
            let open = 0;
            for (const p of latest.values()) open += p.realizedPnlCents + p.unrealizedPnlCents;
            expect(e.equityCents - 10_000_000).toBe(closedRealized + open);
            expect(e.openPositions).toBe(latest.size);
          }
        }
      }),
      { numRuns: 60 },
    );
    // The property must have exercised fills, exits and expirations, not only empty books.
    expect(fills).toBeGreaterThan(50);
    expect(closed).toBeGreaterThan(10);
  });

  it("property: accepted orders respect position limits and per-trade risk", () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { outputs } = runOperator(trading, paramsOf(s), buildEvents(s));
        const snapshots = ofKind(outputs, "PortfolioSnapshot");
        for (const snap of snapshots) expect(snap.openPositions).toBeLessThanOrEqual(s.limits.maxPositions);
        const open = new Map<string, string>();
        for (const e of outputs) {
          if (e.kind === "Position") {
            if (e.status === "open") open.set(e.positionId, e.underlying);
            else open.delete(e.positionId);
            const names = [...open.values()];
            expect(new Set(names).size).toBe(names.length);
          }
        }
        let equity = 10_000_000;
        for (const e of outputs) {
          if (e.kind === "PortfolioSnapshot") equity = e.equityCents;
          if (e.kind === "OrderIntent" && e.purpose === "open" && e.quantity > 0) {
            // Within a bar equity moves only by fills' slippage and commissions: allow 1% of drift.
            expect(e.quantity * e.maxRiskPerUnitCents).toBeLessThanOrEqual(
              s.limits.maxRiskPerTrade * equity * 1.01,
            );
          }
          if (e.kind === "RiskDecision" && e.accepted && e.intentId.startsWith("open:"))
            expect(e.tradingState).not.toBe("HALTED");
        }
      }),
      { numRuns: 60 },
    );
  });

  it("property: a replayed intent never creates a second order", () => {
    let replayed = 0;
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const once = runOperator(trading, paramsOf(s), buildEvents(s)).outputs;
        const twice = runOperator(trading, paramsOf(s), buildEvents(s, true)).outputs;
        const orderIds = (out: Event[]) =>
          [...new Set(ofKind(out, "Order").map((o: Order) => o.orderId))].sort();
        expect(orderIds(twice)).toEqual(orderIds(once));
        expect(ofKind(twice, "Fill").length).toBe(ofKind(once, "Fill").length);
        const duplicates = ofKind(twice, "RiskDecision").filter((d: RiskDecision) =>
          d.reasons[0]?.startsWith("duplicate intent"),
        );
        expect(duplicates.every((d) => !d.accepted && d.quantity === 0)).toBe(true);
        replayed += duplicates.length;
        const last = (out: Event[]) =>
          ofKind(out, "PortfolioSnapshot").at(-1) as PortfolioSnapshot | undefined;
        expect(last(twice)?.equityCents).toBe(last(once)?.equityCents);
      }),
      { numRuns: 40 },
    );
    expect(replayed).toBeGreaterThan(20);
  });

  it("partial fills follow displayed size, then time out into a replacement in event time", () => {
    const events: Event[] = [];
    const day0 = chain({
      underlying: "SPY",
      date: dates[0]!,
      spot: 100,
      expiries,
      strikes,
      vol: 0.25,
      size: 3,
    });
    events.push(
      tick("SPY", dates[0]!, 100),
      ...day0,
      putSpreadSignal(day0, { short: 100, long: 95, expiry: expiries[1]! }),
    );
    events.push(
      tick("SPY", dates[1]!, 100),
      ...chain({ underlying: "SPY", date: dates[1]!, spot: 100, expiries, strikes, vol: 0.25, size: 500 }),
    );
    events.push(tick("SPY", dates[2]!, 100));
    const params = Schema.decodeUnknownSync(TradingParams)({
      maxPortfolioDelta: 1e6,
      maxPortfolioGamma: 1e6,
      maxPortfolioVega: 1e6,
    });
    const { outputs } = runOperator(trading, params, events);
    const orders = ofKind(outputs, "Order").map(
      (o) => `${o.orderId} ${o.status} ${o.filledQuantity}/${o.quantity}`,
    );
    const decision = ofKind(outputs, "RiskDecision")[0]!;
    const q = decision.quantity;
    expect(q).toBeGreaterThan(3);
    expect(orders).toEqual([
      `open:test:SPY:${day0[0]!.eventTime}:100#0 new 0/${q}`,
      `open:test:SPY:${day0[0]!.eventTime}:100#0 submitted 0/${q}`,
      `open:test:SPY:${day0[0]!.eventTime}:100#0 partially_filled 3/${q}`,
      `open:test:SPY:${day0[0]!.eventTime}:100#0 cancelled 3/${q}`,
      `open:test:SPY:${day0[0]!.eventTime}:100#1 submitted 0/${q - 3}`,
      `open:test:SPY:${day0[0]!.eventTime}:100#1 filled ${q - 3}/${q - 3}`,
    ]);
    const fills = ofKind(outputs, "Fill");
    // Combo fills are packages: every leg trades the same number of units.
    for (const f of fills) for (const l of f.legs) expect(l.quantity).toBe(f.quantity);
    expect(fills.map((f) => f.commissionCents)).toEqual([3 * 2 * 65, (q - 3) * 2 * 65]);
  });
});
