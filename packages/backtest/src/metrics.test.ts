import { describe, expect, it } from "vitest";
import { dailyEquity, dailyReturns, type EquityPoint, monthlyReturns } from "./equityCurve.js";
import { cagr, maxDrawdown, performance, sharpe, sortino, tradeStats } from "./metrics.js";
import type { Trade } from "./trades.js";
import { tradesCsv } from "./trades.js";
import { walkForwardWindows } from "./walkForward.js";

const curveOf = (dates: string[], equity: number[]): EquityPoint[] =>
  dates.map((date, i) => ({
    date,
    eventTime: i,
    equityCents: equity[i]!,
    cashCents: equity[i]!,
    drawdown: 0,
    tradingState: "ACTIVE",
  }));

const trade = (pnlCents: number, over: Partial<Trade> = {}): Trade => ({
  positionId: `p${pnlCents}`,
  underlying: "SPY",
  strategy: "iv_rank_sell",
  regime: "low_vol",
  openedAt: 0,
  closedAt: 1,
  entryDate: "2019-01-02",
  exitDate: "2019-01-10",
  holdingDays: 8,
  units: 1,
  entryNetPrice: 1,
  commissionCents: 130,
  pnlCents,
  exitReason: "profit_target: 50%",
  legs: "P100@2019-01-18",
  ...over,
});

describe("backtest metrics", () => {
  it("Sharpe and Sortino annualise daily returns over 252 days", () => {
    const r = [0.01, -0.005, 0.002, 0.004, -0.001];
    const m = r.reduce((a, b) => a + b, 0) / r.length;
    const sd = Math.sqrt(r.reduce((a, x) => a + (x - m) ** 2, 0) / (r.length - 1));
    expect(sharpe(r)).toBeCloseTo((m / sd) * Math.sqrt(252), 12);
    const dd = Math.sqrt((0.005 ** 2 + 0.001 ** 2) / r.length);
    expect(sortino(r)).toBeCloseTo((m / dd) * Math.sqrt(252), 12);
    expect(sharpe([0.001, 0.001])).toBe(0);
    expect(sortino([0.001, 0.002])).toBe(0);
  });

  it("max drawdown, CAGR and total P&L from the daily curve", () => {
    const c = curveOf(["2019-01-01", "2019-07-02", "2020-01-01"], [100_000_00, 80_000_00, 121_000_00]);
    expect(maxDrawdown(c)).toBeCloseTo(0.2, 12);
    expect(cagr(c)).toBeCloseTo(1.21 ** (1 / (365 / 365.25)) - 1, 9);
    const p = performance(c);
    expect(p.totalPnl).toBe(21_000);
    expect(dailyReturns(c)[0]).toBeCloseTo(-0.2, 12);
    expect(dailyReturns(c)[1]).toBeCloseTo(121 / 80 - 1, 12);
  });

  it("daily curve keeps the last snapshot of each New York date; monthly returns chain month ends", () => {
    const snap = (t: number, equity: number) => ({
      kind: "PortfolioSnapshot" as const,
      eventTime: t,
      seq: 0,
      cashCents: equity,
      positionsValueCents: 0,
      equityCents: equity,
      peakEquityCents: equity,
      drawdown: 0,
      dailyPnlCents: 0,
      openPositions: 0,
      tradingState: "ACTIVE" as const,
      delta: 0,
      gamma: 0,
      vega: 0,
      theta: 0,
    });
    // 2019-01-31 15:00 and 21:00 UTC are the same New York date; 2019-02-01 03:00 UTC is still Jan 31 in New York.
    const jan31 = Date.UTC(2019, 0, 31, 15) * 1000;
    const c = dailyEquity([
      snap(jan31, 100),
      snap(jan31 + 6 * 3600e6, 110),
      snap(jan31 + 12 * 3600e6, 120),
      snap(Date.UTC(2019, 1, 28, 21) * 1000, 132),
    ]);
    expect(c.map((p) => [p.date, p.equityCents])).toEqual([
      ["2019-01-31", 120],
      ["2019-02-28", 132],
    ]);
    expect(monthlyReturns(c).map((m) => [m.month, Math.round(m.return * 1e9) / 1e9])).toEqual([
      ["2019-01", 0],
      ["2019-02", 0.1],
    ]);
  });

  it("trade statistics: win rate, average win/loss, profit factor in exact cents", () => {
    const s = tradeStats([trade(30_000), trade(-10_000), trade(10_001), trade(0)]);
    expect(s).toMatchObject({ trades: 4, winRate: 0.5, avgWin: 200.005, avgLoss: -50, pnl: 300.01 });
    expect(s.profitFactor).toBeCloseTo(40_001 / 10_000, 12);
    expect(tradeStats([]).winRate).toBe(0);
  });

  it("walk-forward windows slide by the step and report train and test figures", () => {
    const dates = Array.from({ length: 30 }, (_, i) =>
      new Date(Date.UTC(2019, 0, 1 + i)).toISOString().slice(0, 10),
    );
    const equity = dates.map((_, i) => 100_000_00 + i * 1_000_00 * (i % 3 === 0 ? -1 : 1));
    const w = walkForwardWindows(curveOf(dates, equity), [trade(500, { exitDate: dates[12]! })], {
      trainDays: 10,
      testDays: 5,
      stepDays: 5,
    });
    expect(w.map((x) => [x.trainStart, x.testStart, x.testEnd])).toEqual([
      [dates[0], dates[10], dates[14]],
      [dates[5], dates[15], dates[19]],
      [dates[10], dates[20], dates[24]],
      [dates[15], dates[25], dates[29]],
    ]);
    expect(w[0]!.test.trades).toBe(1);
    expect(w[1]!.test.trades).toBe(0);
  });

  it("trades.csv quotes fields that need it", () => {
    const csv = tradesCsv([trade(1234, { exitReason: 'expiration: a, "b"' })]);
    expect(csv.split("\n")[0]).toMatch(/^position_id,underlying,strategy,regime,entry_date/);
    expect(csv).toContain(',12.34,"expiration: a, ""b""",');
  });
});
