import type { PortfolioSnapshot, Signal } from "@thetaflow/schemas";
import { describe, expect, it } from "vitest";
import { DashboardState, type HealthView } from "./dashboardState.js";

const health: HealthView = {
  status: "running",
  eventsIn: 0,
  eventsOut: 0,
  deadLetters: 0,
  eventsPerSecond: 0,
  lastEventTime: null,
  clients: 0,
  nodes: [],
  heartbeats: [],
  killSwitch: null,
};
const snap = (i: number): PortfolioSnapshot => ({
  kind: "PortfolioSnapshot",
  eventTime: i * 1_000_000,
  seq: i,
  cashCents: 0,
  positionsValueCents: 0,
  equityCents: 1_000_000 + i,
  peakEquityCents: 1_000_000 + i,
  drawdown: 0,
  dailyPnlCents: 0,
  openPositions: 0,
  tradingState: "ACTIVE",
  delta: 0,
  gamma: 0,
  vega: 0,
  theta: 0,
});
const signal = (i: number) => ({ kind: "Signal", eventTime: i, seq: i, id: `s${i}` }) as unknown as Signal;

describe("DashboardState", () => {
  it("a client that applies snapshot + deltas ends with the same state as a fresh snapshot", () => {
    const state = new DashboardState();
    const client = { equity: [] as (readonly number[])[], signals: [] as string[] };
    const apply = (m: ReturnType<DashboardState["delta"]>["message"]) => {
      if (m.equity)
        client.equity = m.equity.reset ? [...m.equity.points] : [...client.equity, ...m.equity.points];
      if (m.signals) client.signals.push(...m.signals.map((s) => s.id));
    };
    let { message, cursor } = state.snapshot(health);
    apply(message);
    for (let i = 0; i < 9000; i++) {
      state.onEvent(snap(i));
      if (i % 7 === 0) state.onEvent(signal(i));
      if (i % 500 === 0) {
        ({ message, cursor } = state.delta(cursor, health));
        apply(message);
      }
    }
    ({ message, cursor } = state.delta(cursor, health));
    apply(message);
    const fresh = state.snapshot(health).message;
    expect(client.equity).toEqual(fresh.equity!.points);
    expect(client.signals.slice(-200)).toEqual(fresh.signals!.map((s) => s.id));
    // 9,000 snapshots decimated under the 4,000-point bound, first point kept, order preserved.
    expect(fresh.equity!.points.length).toBeLessThan(4000);
    expect(fresh.equity!.points[0]![0]).toBe(0);
    const xs = fresh.equity!.points.map((p) => p[0]);
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
  });
});
