import { nyIsoDate } from "@thetaflow/operators";
import type { PortfolioSnapshot } from "@thetaflow/schemas";

/** One point per trading day: the last portfolio snapshot of that New York date. */
export interface EquityPoint {
  readonly date: string;
  readonly eventTime: number;
  readonly equityCents: number;
  readonly cashCents: number;
  readonly drawdown: number;
  readonly tradingState: PortfolioSnapshot["tradingState"];
}

export const dailyEquity = (snapshots: readonly PortfolioSnapshot[]): EquityPoint[] => {
  const byDate = new Map<string, EquityPoint>();
  for (const s of snapshots) {
    const date = nyIsoDate(s.eventTime);
    const prev = byDate.get(date);
    if (prev !== undefined && prev.eventTime > s.eventTime) continue;
    byDate.set(date, {
      date,
      eventTime: s.eventTime,
      equityCents: s.equityCents,
      cashCents: s.cashCents,
      drawdown: 0,
      tradingState: s.tradingState,
    });
  }
  const points = [...byDate.values()].sort((a, b) => a.eventTime - b.eventTime);
  // Drawdown of the daily curve (the snapshot's own field is intrabar-exact; the curve's is daily).
  let peak = Number.NEGATIVE_INFINITY;
  return points.map((p) => {
    peak = Math.max(peak, p.equityCents);
    return { ...p, drawdown: peak > 0 ? 1 - p.equityCents / peak : 0 };
  });
};

export const dailyReturns = (curve: readonly EquityPoint[]): number[] => {
  const r: number[] = [];
  for (let i = 1; i < curve.length; i++) {
    const prev = curve[i - 1]!.equityCents;
    r.push(prev > 0 ? curve[i]!.equityCents / prev - 1 : 0);
  }
  return r;
};

export interface MonthlyReturn {
  readonly month: string;
  readonly return: number;
}

/** Month-over-month returns of month-end equity; the first month measures from the first day. */
export const monthlyReturns = (curve: readonly EquityPoint[]): MonthlyReturn[] => {
  const out: MonthlyReturn[] = [];
  if (curve.length === 0) return out;
  let base = curve[0]!.equityCents;
  for (let i = 0; i < curve.length; i++) {
    const p = curve[i]!;
    const month = p.date.slice(0, 7);
    const next = curve[i + 1];
    if (next === undefined || next.date.slice(0, 7) !== month) {
      out.push({ month, return: base > 0 ? p.equityCents / base - 1 : 0 });
      base = p.equityCents;
    }
  }
  return out;
};
