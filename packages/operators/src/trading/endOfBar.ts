import type { PortfolioSnapshot } from "@thetaflow/schemas";
import { nyDayNumber } from "../calendar/nyTime.js";
import type { Desk } from "./desk.js";
import { exitReason } from "./exits.js";
import { describeSettlement, settleLeg } from "./expiry.js";
import { toCents } from "./money.js";
import {
  isFlat,
  markLeg,
  type PositionBook,
  positionTotals,
  toPositionEvent,
  tradeLeg,
} from "./positionBook.js";
import { drawdownOf, tradingStateOf } from "./riskRules.js";

const r6 = (x: number) => Math.round(x * 1e6) / 1e6;

/**
 * Work done once a bar (all events of one event time) is complete: mark positions, settle what
 * expired, time out stale orders, retry working ones, apply exits, and publish the portfolio.
 */
export const endOfBar = (desk: Desk, reportedSince: (underlying: string, since: number) => boolean): void => {
  markPositions(desk);
  settleExpired(desk);
  for (const order of [...desk.orders.values()]) {
    if (order.legs.some((l) => desk.legExpired(l.expiry)))
      desk.expireOrder(order, "legs expired before the order filled");
    else if (desk.clock - order.submittedAt >= desk.params.orderTimeoutSeconds * 1_000_000)
      desk.timeout(order);
    else desk.work(order.orderId);
  }
  for (const p of [...desk.positions.values()]) {
    if (p.status !== "open" || p.workingOrderId !== null || p.units === 0) continue;
    const reason = exitReason(
      p,
      {
        day: desk.day,
        regime: desk.regimeOf(p.underlying),
        earningsReported: reportedSince(p.underlying, p.openedAt),
      },
      desk.params,
    );
    if (reason !== null) desk.closePosition(p, reason);
  }
  publish(desk);
};

const markPositions = (desk: Desk): void => {
  for (const p of [...desk.positions.values()]) {
    const legs = p.legs.map((l) => {
      const q = desk.quoteOf(l.contract);
      if (q === undefined || !(q.ask > 0) || q.ask < q.bid) return l;
      return markLeg(l, Math.round(0.5 * (q.bid + q.ask) * 1e6) / 1e6, desk.analyticsOf(q));
    });
    desk.positions.set(p.positionId, { ...p, legs });
  }
};

/** Expiration: every leg whose expiry close has passed settles at intrinsic value. */
const settleExpired = (desk: Desk): void => {
  for (const p of [...desk.positions.values()]) {
    if (!p.legs.some((l) => l.contracts !== 0 && desk.legExpired(l.expiry))) continue;
    const spot = desk.spotOf(p.underlying);
    if (spot === null) continue;
    const notes: string[] = [];
    const legs = p.legs.map((l) => {
      if (l.contracts === 0 || !desk.legExpired(l.expiry)) return l;
      const s = settleLeg(l, spot, desk.params.pinRiskBand);
      notes.push(describeSettlement(s, spot));
      // Settlement closes the leg at intrinsic value; exercise and assignment carry no commission here.
      desk.cashCents -= toCents(s.price * -l.contracts * l.multiplier);
      return { ...tradeLeg(l, -l.contracts, s.price, 0), mark: s.price };
    });
    let next: PositionBook = { ...p, legs };
    const flat = isFlat(next);
    const reason = `expiration: ${notes.join("; ")}`;
    next = flat
      ? {
          ...next,
          status: "closed",
          units: 0,
          workingOrderId: null,
          exitReason: p.exitReason ? `${p.exitReason}; ${reason}` : reason,
        }
      : { ...next, exitReason: reason };
    desk.emitPosition(next);
  }
};

const publish = (desk: Desk): void => {
  let positionsValue = 0;
  const g = { delta: 0, gamma: 0, vega: 0, theta: 0 };
  for (const p of desk.positions.values()) {
    const t = positionTotals(p);
    positionsValue += t.marketValueCents;
    g.delta += t.delta;
    g.gamma += t.gamma;
    g.vega += t.vega;
    g.theta += t.theta;
    desk.out.emit(toPositionEvent(p, desk.clock));
  }
  const equity = desk.cashCents + positionsValue;
  if (equity > desk.peakEquityCents) desk.peakEquityCents = equity;
  const exposure = desk.exposure();
  const state = tradingStateOf(exposure, desk.params);
  if (state === "HALTED") desk.halted = true;
  const snapshot: PortfolioSnapshot = {
    kind: "PortfolioSnapshot",
    eventTime: desk.clock,
    seq: 0,
    cashCents: desk.cashCents,
    positionsValueCents: positionsValue,
    equityCents: equity,
    peakEquityCents: desk.peakEquityCents,
    drawdown: r6(drawdownOf({ equityCents: equity, peakEquityCents: desk.peakEquityCents })),
    dailyPnlCents: equity - desk.dayStartEquityCents,
    openPositions: desk.positions.size,
    tradingState: state,
    delta: r6(g.delta),
    gamma: r6(g.gamma),
    vega: r6(g.vega),
    theta: r6(g.theta),
  };
  desk.out.emit(snapshot);
};

/** A new trading day: the daily loss limit measures from the equity the day starts with. */
export const startDay = (desk: Desk, eventTime: number): void => {
  const day = nyDayNumber(eventTime);
  if (day === desk.day) return;
  desk.day = day;
  desk.dayStartEquityCents = desk.equityCents();
};
