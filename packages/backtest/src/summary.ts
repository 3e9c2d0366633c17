import type { EquityPoint, MonthlyReturn } from "./equityCurve.js";
import { groupStats, type PerformanceMetrics, type TradeStats, tradeStats } from "./metrics.js";
import type { RunEvents } from "./runOutputs.js";
import type { Trade } from "./trades.js";
import type { WalkForwardWindow } from "./walkForward.js";

export interface BacktestSummary {
  readonly topology: string;
  readonly topologyHash: string;
  readonly startDate: string | null;
  readonly endDate: string | null;
  readonly tradingDays: number;
  readonly initialEquity: number;
  readonly finalEquity: number;
  readonly trades: number;
  readonly openPositionsAtEnd: number;
  readonly totalPnl: number;
  readonly totalReturn: number;
  readonly cagr: number;
  readonly sharpe: number;
  readonly sortino: number;
  readonly maxDrawdown: number;
  readonly volatility: number;
  readonly winRate: number;
  readonly avgWin: number;
  readonly avgLoss: number;
  readonly profitFactor: number | null;
  readonly commissions: number;
  readonly signals: number;
  readonly decisions: {
    readonly accepted: number;
    readonly rejected: number;
    readonly topRejections: Record<string, number>;
  };
  readonly orders: Record<string, number>;
  readonly fills: number;
  readonly exitReasons: Record<string, number>;
  readonly byRegime: Record<string, TradeStats>;
  readonly byStrategy: Record<string, TradeStats>;
  readonly byUnderlying: Record<string, TradeStats>;
  readonly monthlyReturns: readonly MonthlyReturn[];
  readonly walkForward?: readonly WalkForwardWindow[];
}

const count = (xs: readonly string[]): Record<string, number> => {
  const m = new Map<string, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return Object.fromEntries([...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)));
};

/** First clause of a reason ("stop_loss: loss 2x" -> "stop_loss"), for counting. */
const reasonClass = (r: string): string => r.split(":")[0]!.trim();

export const summarize = (args: {
  readonly topology: string;
  readonly topologyHash: string;
  readonly events: RunEvents;
  readonly trades: readonly Trade[];
  readonly curve: readonly EquityPoint[];
  readonly perf: PerformanceMetrics;
  readonly monthly: readonly MonthlyReturn[];
  readonly walkForward?: readonly WalkForwardWindow[];
}): BacktestSummary => {
  const { events, trades, perf } = args;
  const stats = tradeStats(trades);
  const finalStatus = new Map<string, string>();
  for (const o of events.orders) finalStatus.set(o.orderId, o.status);
  const openAtEnd = new Map<string, string>();
  for (const p of events.positions) openAtEnd.set(p.positionId, p.status);
  const rejected = events.decisions.filter((d) => !d.accepted);
  return {
    topology: args.topology,
    topologyHash: args.topologyHash,
    startDate: perf.startDate,
    endDate: perf.endDate,
    tradingDays: perf.tradingDays,
    initialEquity: perf.initialEquity,
    finalEquity: perf.finalEquity,
    trades: stats.trades,
    openPositionsAtEnd: [...openAtEnd.values()].filter((s) => s === "open").length,
    totalPnl: perf.totalPnl,
    totalReturn: perf.totalReturn,
    cagr: perf.cagr,
    sharpe: perf.sharpe,
    sortino: perf.sortino,
    maxDrawdown: perf.maxDrawdown,
    volatility: perf.volatility,
    winRate: stats.winRate,
    avgWin: stats.avgWin,
    avgLoss: stats.avgLoss,
    profitFactor: stats.profitFactor,
    commissions: events.fills.reduce((a, f) => a + f.commissionCents, 0) / 100,
    signals: events.signals.length,
    decisions: {
      accepted: events.decisions.length - rejected.length,
      rejected: rejected.length,
      topRejections: Object.fromEntries(
        Object.entries(count(rejected.map((d) => reasonClass(d.reasons[0] ?? "")))).slice(0, 10),
      ),
    },
    orders: count([...finalStatus.values()]),
    fills: events.fills.length,
    exitReasons: count(trades.map((t) => reasonClass(t.exitReason))),
    byRegime: groupStats(trades, (t) => t.regime),
    byStrategy: groupStats(trades, (t) => t.strategy),
    byUnderlying: groupStats(trades, (t) => t.underlying),
    monthlyReturns: args.monthly,
    ...(args.walkForward !== undefined ? { walkForward: args.walkForward } : {}),
  };
};

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const usd = (x: number) =>
  `${x < 0 ? "-" : ""}$${Math.abs(x).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/** The terminal table `thetaflow backtest` and `npm run demo` print. */
export const summaryTable = (s: BacktestSummary): string => {
  const rows: Array<[string, string]> = [
    ["period", `${s.startDate ?? "-"} .. ${s.endDate ?? "-"} (${s.tradingDays} trading days)`],
    ["equity", `${usd(s.initialEquity)} -> ${usd(s.finalEquity)}`],
    ["total P&L", `${usd(s.totalPnl)} (${pct(s.totalReturn)})`],
    ["CAGR", pct(s.cagr)],
    ["Sharpe / Sortino", `${s.sharpe.toFixed(2)} / ${s.sortino.toFixed(2)}`],
    ["max drawdown", pct(s.maxDrawdown)],
    ["trades", `${s.trades} closed, ${s.openPositionsAtEnd} open at end`],
    ["win rate", pct(s.winRate)],
    ["avg win / loss", `${usd(s.avgWin)} / ${usd(s.avgLoss)}`],
    ["profit factor", s.profitFactor === null ? "-" : s.profitFactor.toFixed(2)],
    ["commissions", usd(s.commissions)],
    [
      "signals / decisions",
      `${s.signals} signals, ${s.decisions.accepted} accepted, ${s.decisions.rejected} rejected`,
    ],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`);
  const group = (title: string, g: Record<string, TradeStats>) => {
    const entries = Object.entries(g);
    if (entries.length === 0) return;
    lines.push("", `${title.padEnd(18)} ${"trades".padStart(6)} ${"win".padStart(7)} ${"P&L".padStart(14)}`);
    for (const [k, v] of entries)
      lines.push(
        `  ${k.padEnd(16)} ${String(v.trades).padStart(6)} ${pct(v.winRate).padStart(7)} ${usd(v.pnl).padStart(14)}`,
      );
  };
  group("by strategy", s.byStrategy);
  group("by regime", s.byRegime);
  group("by underlying", s.byUnderlying);
  return lines.join("\n");
};
