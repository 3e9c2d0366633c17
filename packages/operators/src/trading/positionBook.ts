import type { Leg, OptionQuote, Position, RegimeName, SettlementType } from "@thetaflow/schemas";
import type { ContractAnalytics } from "./contractAnalytics.js";
import { contractValueCents } from "./money.js";

/**
 * One leg's books in integer cents. `openCostCents` is what was paid for the contracts still open
 * (negative when they were sold), so unrealized = market value - open cost, and a close realizes
 * proceeds minus the share of open cost it removes. Commissions are charged to the leg that incurred
 * them, inside realized P&L, so per-leg P&L sums to position P&L exactly.
 */
export interface LegBook {
  readonly contract: string;
  readonly right: Leg["right"];
  readonly strike: number;
  readonly expiry: string;
  /** Contracts of this leg per combo unit and its opening side. */
  readonly ratio: number;
  readonly openSide: Leg["side"];
  readonly multiplier: number;
  readonly settlement: SettlementType;
  /** Signed open contracts: + long, - short. */
  readonly contracts: number;
  readonly openCostCents: number;
  readonly realizedCents: number;
  readonly mark: number | null;
  readonly markValueCents: number;
  readonly analytics: ContractAnalytics | null;
}

export interface PositionBook {
  readonly positionId: string;
  readonly underlying: string;
  readonly strategy: string;
  readonly family: "core" | "earnings";
  readonly openedAt: number;
  readonly entryRegime: RegimeName;
  readonly entryDay: number;
  readonly expiry: string;
  /** Combo units open. */
  readonly units: number;
  /** Net premium per unit per share at entry (credit positive), averaged over opening fills. */
  readonly entryNetPrice: number;
  readonly maxProfitPerUnitCents: number;
  readonly maxRiskPerUnitCents: number;
  readonly legs: readonly LegBook[];
  readonly status: "open" | "closed";
  readonly exitReason?: string;
  /** Set while an order to open more or to close is working, so exits are not stacked. */
  readonly workingOrderId: string | null;
}

export const newLeg = (leg: Leg, quote: OptionQuote): LegBook => ({
  contract: leg.contract,
  right: leg.right,
  strike: leg.strike,
  expiry: leg.expiry,
  ratio: leg.ratio,
  openSide: leg.side,
  multiplier: quote.multiplier,
  settlement: quote.settlement,
  contracts: 0,
  openCostCents: 0,
  realizedCents: 0,
  mark: null,
  markValueCents: 0,
  analytics: null,
});

/** Books a trade of `contracts` (signed: + buy, - sell) at `price` per share. */
export const tradeLeg = (
  leg: LegBook,
  contracts: number,
  price: number,
  commissionCents: number,
): LegBook => {
  const amountCents = contractValueCents(price, contracts, leg.multiplier);
  const before = leg.contracts;
  const after = before + contracts;
  let openCost = leg.openCostCents;
  let realized = leg.realizedCents - commissionCents;
  const closing = before !== 0 && Math.sign(contracts) !== Math.sign(before);
  if (!closing) {
    openCost += amountCents;
  } else {
    const closed = Math.min(Math.abs(contracts), Math.abs(before));
    // Share of the open cost that leaves with the closed contracts; the rest stays exact in cents.
    const removed =
      closed === Math.abs(before) ? openCost : Math.round((openCost * closed) / Math.abs(before));
    const closedAmount =
      closed === Math.abs(contracts) ? amountCents : Math.round((amountCents * closed) / Math.abs(contracts));
    realized += -closedAmount - removed;
    openCost = openCost - removed + (amountCents - closedAmount);
  }
  const mark = leg.mark ?? price;
  return {
    ...leg,
    contracts: after,
    openCostCents: openCost,
    realizedCents: realized,
    mark,
    markValueCents: contractValueCents(mark, after, leg.multiplier),
  };
};

export const markLeg = (leg: LegBook, mark: number, analytics: ContractAnalytics | null): LegBook => ({
  ...leg,
  mark,
  markValueCents: contractValueCents(mark, leg.contracts, leg.multiplier),
  analytics: analytics ?? leg.analytics,
});

export const legUnrealizedCents = (leg: LegBook): number => leg.markValueCents - leg.openCostCents;

export interface PositionTotals {
  readonly realizedCents: number;
  readonly unrealizedCents: number;
  readonly marketValueCents: number;
  readonly delta: number;
  readonly gamma: number;
  readonly vega: number;
  readonly theta: number;
}

/**
 * Sums over legs. Greeks in PortfolioSnapshot units: delta in shares, gamma in shares per $1, vega in
 * $ per vol point (0.01), theta in $ per calendar day.
 */
export const positionTotals = (p: PositionBook): PositionTotals => {
  let realizedCents = 0;
  let unrealizedCents = 0;
  let marketValueCents = 0;
  let delta = 0;
  let gamma = 0;
  let vega = 0;
  let theta = 0;
  for (const l of p.legs) {
    realizedCents += l.realizedCents;
    unrealizedCents += legUnrealizedCents(l);
    marketValueCents += l.markValueCents;
    const a = l.analytics;
    if (a !== null && l.contracts !== 0) {
      const shares = l.contracts * l.multiplier;
      delta += shares * a.delta;
      gamma += shares * a.gamma;
      vega += (shares * a.vega) / 100;
      theta += (shares * a.theta) / 365;
    }
  }
  return { realizedCents, unrealizedCents, marketValueCents, delta, gamma, vega, theta };
};

export const isFlat = (p: PositionBook): boolean => p.legs.every((l) => l.contracts === 0);

const r6 = (x: number) => Math.round(x * 1e6) / 1e6;

export const toPositionEvent = (p: PositionBook, eventTime: number): Position => {
  const t = positionTotals(p);
  return {
    kind: "Position",
    eventTime,
    seq: 0,
    positionId: p.positionId,
    underlying: p.underlying,
    strategy: p.strategy,
    status: p.status,
    legs: p.legs.map((l) => ({
      contract: l.contract,
      right: l.right,
      strike: l.strike,
      expiry: l.expiry,
      quantity: l.contracts,
      // Average price per share of what is open (of what was traded once flat).
      avgPrice: l.contracts !== 0 ? r6(Math.abs(l.openCostCents / (l.contracts * l.multiplier * 100))) : 0,
      mark: l.mark,
      realizedPnlCents: l.realizedCents,
      unrealizedPnlCents: legUnrealizedCents(l),
    })),
    realizedPnlCents: t.realizedCents,
    unrealizedPnlCents: t.unrealizedCents,
    delta: r6(t.delta),
    gamma: r6(t.gamma),
    vega: r6(t.vega),
    theta: r6(t.theta),
    ...(p.exitReason !== undefined ? { exitReason: p.exitReason } : {}),
  };
};
