import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Event, encodeEvent, formatOcc, type Leg } from "@thetaflow/schemas";

/**
 * A deterministic trading story as replay events, for live-operations tests that must not depend on
 * the analytics operators: per step an underlying tick, a regime, and a portfolio snapshot; every few
 * steps a signal -> intent -> risk decision -> order -> fill -> position lifecycle. Prices follow a
 * fixed formula, so runs are reproducible.
 */
export const tradingStory = (
  steps: number,
  options: { readonly startUs?: number; readonly rejectEvery?: number } = {},
): Event[] => {
  const t0 = options.startUs ?? 1_546_300_800_000_000; // 2019-01-01
  const day = 86_400_000_000;
  const events: Event[] = [];
  let seq = 0;
  const at = (step: number, k: number) => t0 + step * day + k;
  let equityCents = 10_000_000;
  let peak = equityCents;
  const open = new Map<string, { legs: Leg[]; opened: number }>();
  for (let s = 0; s < steps; s++) {
    const spot = 250 + 10 * Math.sin(s / 7) + s * 0.05;
    events.push({
      kind: "UnderlyingTick",
      eventTime: at(s, 0),
      seq: seq++,
      symbol: "SPY",
      price: Math.round(spot * 100) / 100,
    });
    const regime = s % 40 >= 30 ? "high_vol" : "low_vol";
    events.push({
      kind: "Regime",
      eventTime: at(s, 1),
      seq: seq++,
      underlying: "SPY",
      regime,
      daysInRegime: s % 10,
      ivRank: 0.3 + 0.01 * (s % 40),
      vix: 14 + (s % 40 >= 30 ? 12 : 0),
    });
    if (s % 3 === 0) {
      const id = `sig-${s}`;
      const expiry = "2019-03-15";
      const strike = Math.round(spot / 5) * 5;
      const legs: Leg[] = [
        {
          contract: formatOcc("SPY", expiry, "put", strike),
          right: "put",
          strike,
          expiry,
          side: "sell",
          ratio: 1,
        },
        {
          contract: formatOcc("SPY", expiry, "put", strike - 5),
          right: "put",
          strike: strike - 5,
          expiry,
          side: "buy",
          ratio: 1,
        },
      ];
      events.push({
        kind: "Signal",
        eventTime: at(s, 2),
        seq: seq++,
        id,
        underlying: "SPY",
        strategy: "bull_put_spread",
        action: "open",
        legs,
        buyStrike: strike - 5,
        sellStrike: strike,
        expiration: expiry,
        dte: 45,
        creditOrDebit: 1.2,
        maxProfit: 120,
        maxRisk: 380,
        confidence: 0.7,
        regime,
        ivRank: 0.4,
        features: { rv_20: 0.12 },
      });
      events.push({
        kind: "OrderIntent",
        eventTime: at(s, 3),
        seq: seq++,
        id: `int-${s}`,
        signalId: id,
        underlying: "SPY",
        strategy: "bull_put_spread",
        purpose: "open",
        legs,
        quantity: 2,
        limitPrice: 1.2,
        maxRiskPerUnitCents: 38_000,
        confidence: 0.7,
        regime,
      });
      const rejected =
        options.rejectEvery !== undefined && (s / 3) % options.rejectEvery === options.rejectEvery - 1;
      events.push({
        kind: "RiskDecision",
        eventTime: at(s, 4),
        seq: seq++,
        intentId: `int-${s}`,
        underlying: "SPY",
        accepted: !rejected,
        quantity: rejected ? 0 : 2,
        reasons: rejected ? ["max_open_positions: 5 open"] : [],
        tradingState: "ACTIVE",
      });
      if (!rejected) {
        const orderId = `ord-${s}`;
        const order = {
          kind: "Order" as const,
          seq: 0,
          orderId,
          intentId: `int-${s}`,
          underlying: "SPY",
          legs,
          quantity: 2,
          limitPrice: 1.2,
        };
        events.push({
          ...order,
          eventTime: at(s, 5),
          seq: seq++,
          status: "submitted",
          filledQuantity: 0,
          avgFillPrice: null,
        });
        events.push({
          ...order,
          eventTime: at(s, 6),
          seq: seq++,
          status: "filled",
          filledQuantity: 2,
          avgFillPrice: 1.2,
        });
        events.push({
          kind: "Fill",
          eventTime: at(s, 7),
          seq: seq++,
          fillId: `fill-${s}`,
          orderId,
          underlying: "SPY",
          quantity: 2,
          netPrice: 1.2,
          legs: legs.map((l) => ({
            contract: l.contract,
            side: l.side,
            quantity: 2,
            price: l.side === "sell" ? 2.5 : 1.3,
          })),
          commissionCents: 260,
        });
        open.set(`pos-${s}`, { legs, opened: s });
      }
    }
    let unrealized = 0;
    for (const [positionId, p] of open) {
      const age = s - p.opened;
      const pnl = Math.round(2000 * Math.sin(age / 3 + p.opened));
      unrealized += pnl;
      const closing = age >= 9;
      events.push({
        kind: "Position",
        eventTime: at(s, 8),
        seq: seq++,
        positionId,
        underlying: "SPY",
        strategy: "bull_put_spread",
        status: closing ? "closed" : "open",
        legs: p.legs.map((l) => ({
          contract: l.contract,
          right: l.right,
          strike: l.strike,
          expiry: l.expiry,
          quantity: l.side === "sell" ? -2 : 2,
          avgPrice: 1,
          mark: 1.1,
          realizedPnlCents: 0,
          unrealizedPnlCents: Math.round(pnl / 2),
        })),
        realizedPnlCents: closing ? pnl : 0,
        unrealizedPnlCents: closing ? 0 : pnl,
        delta: 12.5 - age,
        gamma: -0.8,
        vega: -25 + age,
        theta: 6.1,
        ...(closing ? { exitReason: "profit_target" } : {}),
      });
      if (closing) open.delete(positionId);
    }
    equityCents += Math.round(30_000 * Math.sin(s / 5)) + unrealized;
    peak = Math.max(peak, equityCents);
    events.push({
      kind: "PortfolioSnapshot",
      eventTime: at(s, 9),
      seq: seq++,
      cashCents: equityCents - unrealized,
      positionsValueCents: unrealized,
      equityCents,
      peakEquityCents: peak,
      drawdown: (peak - equityCents) / peak,
      dailyPnlCents: Math.round(30_000 * Math.sin(s / 5)),
      openPositions: open.size,
      tradingState: "ACTIVE",
      delta: 10,
      gamma: -1,
      vega: -40,
      theta: 12,
    });
  }
  return events;
};

/** Writes events as an NDJSON replay plus a topology that sends them straight to an ndjson sink. */
export const writeStoryTopology = (
  dir: string,
  events: readonly Event[],
  options: { readonly name?: string; readonly sumNode?: boolean } = {},
): string => {
  writeFileSync(
    join(dir, "story.ndjson"),
    `${events.map((e) => JSON.stringify(encodeEvent(e))).join("\n")}\n`,
  );
  const file = join(dir, "story.yaml");
  // The optional node (the runtime's runningSum test operator, scale 2) gives per-node metrics something to count.
  const node =
    options.sumNode === true
      ? "nodes:\n  - id: sum\n    op: runningSum\n    inputs: [market]\n    params: { scale: 2 }\n"
      : "";
  const sums = options.sumNode === true ? "  - id: sums\n    type: ndjson\n    inputs: [sum]\n" : "";
  writeFileSync(
    file,
    `name: ${options.name ?? "live-story"}\nsources:\n  - id: market\n    replay:\n      files: [story.ndjson]\n${node}sinks:\n  - id: out\n    type: ndjson\n    inputs: [market]\n${sums}`,
  );
  return file;
};
