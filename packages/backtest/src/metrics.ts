import { dailyReturns, type EquityPoint } from "./equityCurve.js";
import type { Trade } from "./trades.js";

export const TRADING_DAYS = 252;

const mean = (xs: readonly number[]): number =>
  xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;

/** Sample standard deviation (n - 1). */
export const stdev = (xs: readonly number[]): number => {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
};

/** Annualised Sharpe ratio of daily returns, zero risk-free rate; 0 when returns do not vary. */
export const sharpe = (returns: readonly number[]): number => {
  const sd = stdev(returns);
  return sd > 0 ? (mean(returns) / sd) * Math.sqrt(TRADING_DAYS) : 0;
};

/** Annualised Sortino ratio: mean over the downside deviation (root mean square of negative returns). */
export const sortino = (returns: readonly number[]): number => {
  if (returns.length === 0) return 0;
  const downside = Math.sqrt(returns.reduce((a, r) => a + Math.min(r, 0) ** 2, 0) / returns.length);
  return downside > 0 ? (mean(returns) / downside) * Math.sqrt(TRADING_DAYS) : 0;
};

/** Largest peak-to-trough fall of the curve, as a fraction of the peak. */
export const maxDrawdown = (curve: readonly EquityPoint[]): number => {
  let peak = Number.NEGATIVE_INFINITY;
  let worst = 0;
  for (const p of curve) {
    peak = Math.max(peak, p.equityCents);
    if (peak > 0) worst = Math.max(worst, 1 - p.equityCents / peak);
  }
  return worst;
};

const dayMs = 86_400_000;

/** Compound annual growth over the calendar span of the curve. */
export const cagr = (curve: readonly EquityPoint[]): number => {
  if (curve.length < 2) return 0;
  const first = curve[0]!;
  const last = curve[curve.length - 1]!;
  const years = (Date.parse(last.date) - Date.parse(first.date)) / dayMs / 365.25;
  if (years <= 0 || first.equityCents <= 0 || last.equityCents <= 0) return 0;
  return (last.equityCents / first.equityCents) ** (1 / years) - 1;
};

export interface TradeStats {
  readonly trades: number;
  readonly pnl: number;
  readonly winRate: number;
  readonly avgWin: number;
  readonly avgLoss: number;
  readonly avgPnl: number;
  readonly profitFactor: number | null;
}

/** Closed-trade statistics; money in dollars (exact sums of cents / 100). */
export const tradeStats = (trades: readonly Trade[]): TradeStats => {
  const wins = trades.filter((t) => t.pnlCents > 0);
  const losses = trades.filter((t) => t.pnlCents <= 0);
  const sum = (ts: readonly Trade[]) => ts.reduce((a, t) => a + t.pnlCents, 0);
  const grossWin = sum(wins);
  const grossLoss = sum(losses);
  return {
    trades: trades.length,
    pnl: sum(trades) / 100,
    winRate: trades.length > 0 ? wins.length / trades.length : 0,
    avgWin: wins.length > 0 ? grossWin / wins.length / 100 : 0,
    avgLoss: losses.length > 0 ? grossLoss / losses.length / 100 : 0,
    avgPnl: trades.length > 0 ? sum(trades) / trades.length / 100 : 0,
    profitFactor: grossLoss < 0 ? grossWin / -grossLoss : null,
  };
};

export const groupStats = (
  trades: readonly Trade[],
  keyOf: (t: Trade) => string,
): Record<string, TradeStats> => {
  const groups = new Map<string, Trade[]>();
  for (const t of trades) {
    const k = keyOf(t);
    const g = groups.get(k);
    if (g === undefined) groups.set(k, [t]);
    else g.push(t);
  }
  return Object.fromEntries([...groups.keys()].sort().map((k) => [k, tradeStats(groups.get(k)!)]));
};

export interface PerformanceMetrics {
  readonly startDate: string | null;
  readonly endDate: string | null;
  readonly tradingDays: number;
  readonly initialEquity: number;
  readonly finalEquity: number;
  readonly totalPnl: number;
  readonly totalReturn: number;
  readonly cagr: number;
  readonly sharpe: number;
  readonly sortino: number;
  readonly maxDrawdown: number;
  readonly volatility: number;
}

export const performance = (curve: readonly EquityPoint[]): PerformanceMetrics => {
  const first = curve[0];
  const last = curve[curve.length - 1];
  const r = dailyReturns(curve);
  const initial = first?.equityCents ?? 0;
  const final = last?.equityCents ?? 0;
  return {
    startDate: first?.date ?? null,
    endDate: last?.date ?? null,
    tradingDays: curve.length,
    initialEquity: initial / 100,
    finalEquity: final / 100,
    totalPnl: (final - initial) / 100,
    totalReturn: initial > 0 ? final / initial - 1 : 0,
    cagr: cagr(curve),
    sharpe: sharpe(r),
    sortino: sortino(r),
    maxDrawdown: maxDrawdown(curve),
    volatility: stdev(r) * Math.sqrt(TRADING_DAYS),
  };
};
