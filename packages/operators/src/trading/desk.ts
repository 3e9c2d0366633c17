import type {
  Event,
  Fill,
  Leg,
  OptionQuote,
  OrderIntent,
  RegimeName,
  RiskDecision,
  Signal,
  TradingState,
} from "@thetaflow/schemas";
import { expiryCloseUs, nyDayNumber } from "../calendar/nyTime.js";
import { analyticsOf, type ContractAnalytics } from "./contractAnalytics.js";
import { fillCombo, limitFromQuote, quoteCombo } from "./fillModel.js";
import { contractKey } from "./marketView.js";
import { toCents } from "./money.js";
import {
  clientOrderId,
  closingLegs,
  recordFill,
  remaining,
  toOrderEvent,
  type WorkingOrder,
  withStatus,
} from "./orderBook.js";
import {
  isFlat,
  newLeg,
  type PositionBook,
  positionTotals,
  toPositionEvent,
  tradeLeg,
} from "./positionBook.js";
import { drawdownOf, type Exposure, evaluateTrade, type GreekExposure, tradingStateOf } from "./riskRules.js";
import { lookupSnapshot } from "./snapshotLog.js";
import type { TradingBook } from "./tradingBook.js";
import type { TradingParams } from "./tradingParams.js";

export interface Out {
  emit(e: Event): void;
}

const noGreeks: GreekExposure = { delta: 0, gamma: 0, vega: 0 };

/**
 * One step's working copy of the book: the small maps are copied once, changed freely, and frozen
 * back into a new TradingBook by `book()`. The state the step received is never touched.
 */
export class Desk {
  clock: number;
  cashCents: number;
  peakEquityCents: number;
  dayStartEquityCents: number;
  day: number;
  halted: boolean;
  readonly positions: Map<string, PositionBook>;
  readonly orders: Map<string, WorkingOrder>;
  decided: ReadonlySet<string>;
  readonly closeAttempts: Map<string, number>;
  /**
   * While a signal is handled: the time of the snapshot it was decided on. Its order is priced on
   * that snapshot and stamped with that time, as it would be live, even though in a replay the
   * signal can only arrive once the next snapshot has begun (that is when its chain is known complete).
   */
  private decisionTime: number | null = null;

  constructor(
    private readonly base: TradingBook,
    readonly params: TradingParams,
    readonly out: Out,
  ) {
    this.clock = base.clock;
    this.cashCents = base.cashCents;
    this.peakEquityCents = base.peakEquityCents;
    this.dayStartEquityCents = base.dayStartEquityCents;
    this.day = base.day;
    this.halted = base.halted;
    this.positions = new Map(base.positions);
    this.orders = new Map(base.orders);
    this.decided = base.decided;
    this.closeAttempts = new Map(base.closeAttempts);
  }

  book(): TradingBook {
    return {
      ...this.base,
      clock: this.clock,
      cashCents: this.cashCents,
      peakEquityCents: this.peakEquityCents,
      dayStartEquityCents: this.dayStartEquityCents,
      day: this.day,
      halted: this.halted,
      positions: this.positions,
      orders: this.orders,
      decided: this.decided,
      closeAttempts: this.closeAttempts,
    };
  }

  // ---- market lookups -------------------------------------------------------------------------

  readonly quoteOf = (contract: string): OptionQuote | undefined => {
    const { quotes, prevQuotes } = this.base;
    if (
      this.decisionTime !== null &&
      prevQuotes.log.time === this.decisionTime &&
      quotes.log.time !== this.decisionTime
    )
      return (
        lookupSnapshot(prevQuotes, contract, contractKey) ?? lookupSnapshot(quotes, contract, contractKey)
      );
    return lookupSnapshot(quotes, contract, contractKey) ?? lookupSnapshot(prevQuotes, contract, contractKey);
  };

  /** Event time of what this desk emits now. */
  now(): number {
    return this.decisionTime ?? this.clock;
  }

  analyticsOf(q: OptionQuote): ContractAnalytics | null {
    const spot = this.base.spots.get(q.underlying);
    if (spot === undefined) return null;
    const g =
      this.base.greeks.log.time === q.eventTime
        ? lookupSnapshot(this.base.greeks, q.contract, contractKey)
        : undefined;
    return analyticsOf(q, spot.price, this.params.rate, spot.divYield, g);
  }

  spotOf(underlying: string): number | null {
    return this.base.spots.get(underlying)?.price ?? null;
  }

  regimeOf(underlying: string): RegimeName | null {
    return this.base.regimes.get(underlying) ?? null;
  }

  groupOf(underlying: string): string {
    return this.params.universe.find((t) => t.symbol === underlying)?.group ?? underlying;
  }

  // ---- portfolio ------------------------------------------------------------------------------

  equityCents(): number {
    let value = 0;
    for (const p of this.positions.values()) value += positionTotals(p).marketValueCents;
    return this.cashCents + value;
  }

  exposure(): Exposure {
    const byName = new Map<string, number>();
    const byGroup = new Map<string, number>();
    let risk = 0;
    let count = 0;
    const greeks = { delta: 0, gamma: 0, vega: 0 };
    const addRisk = (underlying: string, cents: number) => {
      risk += cents;
      const g = this.groupOf(underlying);
      byGroup.set(g, (byGroup.get(g) ?? 0) + cents);
    };
    for (const p of this.positions.values()) {
      count++;
      byName.set(p.underlying, (byName.get(p.underlying) ?? 0) + 1);
      addRisk(p.underlying, p.maxRiskPerUnitCents * p.units);
      const t = positionTotals(p);
      greeks.delta += t.delta;
      greeks.gamma += t.gamma;
      greeks.vega += t.vega;
    }
    for (const o of this.orders.values()) {
      if (o.purpose !== "open") continue;
      const units = remaining(o);
      if (!this.positions.has(o.positionId)) {
        count++;
        byName.set(o.underlying, (byName.get(o.underlying) ?? 0) + 1);
      }
      addRisk(o.underlying, o.maxRiskPerUnitCents * units);
      greeks.delta += o.greeksPerUnit.delta * units;
      greeks.gamma += o.greeksPerUnit.gamma * units;
      greeks.vega += o.greeksPerUnit.vega * units;
    }
    return {
      equityCents: this.equityCents(),
      peakEquityCents: this.peakEquityCents,
      dayStartEquityCents: this.dayStartEquityCents,
      halted: this.halted,
      openPositions: count,
      openRiskCents: risk,
      greeks,
      positionsByUnderlying: byName,
      riskByGroupCents: byGroup,
    };
  }

  tradingState(): TradingState {
    return tradingStateOf(this.exposure(), this.params);
  }

  // ---- decisions ------------------------------------------------------------------------------

  private decide(intentId: string): boolean {
    if (this.decided.has(intentId)) return false;
    const next = new Set(this.decided);
    next.add(intentId);
    this.decided = next;
    return true;
  }

  private riskDecision(
    intentId: string,
    underlying: string,
    accepted: boolean,
    quantity: number,
    reasons: string[],
    tradingState: TradingState,
  ): RiskDecision {
    return {
      kind: "RiskDecision",
      eventTime: this.now(),
      seq: 0,
      intentId,
      underlying,
      accepted,
      quantity,
      reasons,
      tradingState,
    };
  }

  /** Risk gate: answers every signal with a RiskDecision; accepted ones become orders. */
  onSignal(signal: Signal): void {
    this.decisionTime = Math.min(signal.eventTime, this.clock);
    try {
      this.decideSignal(signal);
    } finally {
      this.decisionTime = null;
    }
  }

  private decideSignal(signal: Signal): void {
    const intentId = `open:${signal.id}`;
    const p = this.params;
    if (!this.decide(intentId)) {
      this.out.emit(
        this.riskDecision(
          intentId,
          signal.underlying,
          false,
          0,
          [`duplicate intent ${intentId}: already decided, no new order`],
          this.tradingState(),
        ),
      );
      return;
    }
    const priced = quoteCombo(signal.legs, this.quoteOf, p);
    const perUnitGreeks = priced.ok ? this.comboGreeks(signal.legs) : noGreeks;
    const multiplier = priced.ok ? (priced.combo.legs[0]?.quote.multiplier ?? 100) : 100;
    const maxRiskPerUnitCents = toCents(signal.maxRisk * multiplier);
    const limitPrice = priced.ok ? limitFromQuote(priced.combo, signal.legs.length, p) : signal.creditOrDebit;
    const verdict = priced.ok
      ? evaluateTrade(
          {
            underlying: signal.underlying,
            group: this.groupOf(signal.underlying),
            regime: signal.regime,
            confidence: signal.confidence,
            maxRiskPerUnitCents,
            greeksPerUnit: perUnitGreeks,
          },
          this.exposure(),
          p,
        )
      : { accepted: false, quantity: 0, reasons: [priced.reason], tradingState: this.tradingState() };
    const intent: OrderIntent = {
      kind: "OrderIntent",
      eventTime: this.now(),
      seq: 0,
      id: intentId,
      signalId: signal.id,
      underlying: signal.underlying,
      strategy: signal.strategy,
      purpose: "open",
      positionId: `pos:${intentId}`,
      legs: signal.legs,
      quantity: verdict.quantity,
      limitPrice,
      maxRiskPerUnitCents,
      confidence: signal.confidence,
      regime: signal.regime,
    };
    this.out.emit(intent);
    this.out.emit(
      this.riskDecision(
        intentId,
        signal.underlying,
        verdict.accepted,
        verdict.quantity,
        verdict.reasons,
        verdict.tradingState,
      ),
    );
    if (!verdict.accepted) return;
    this.submit({
      orderId: clientOrderId(intentId, 0),
      intentId,
      purpose: "open",
      positionId: intent.positionId!,
      underlying: signal.underlying,
      strategy: signal.strategy,
      legs: signal.legs,
      quantity: verdict.quantity,
      filledQuantity: 0,
      limitPrice,
      avgFillPrice: null,
      status: "new",
      submittedAt: this.now(),
      replaceCount: 0,
      fills: 0,
      lastFillQuoteTime: -1,
      maxRiskPerUnitCents,
      maxProfitPerUnitCents: toCents(signal.maxProfit * multiplier),
      greeksPerUnit: perUnitGreeks,
      regime: signal.regime,
      expiry: signal.expiration,
    });
  }

  /** Greeks one combo unit adds, in snapshot units (shares, shares/$, $/vol point). */
  private comboGreeks(legs: readonly Leg[]): GreekExposure {
    const g = { delta: 0, gamma: 0, vega: 0 };
    for (const leg of legs) {
      const q = this.quoteOf(leg.contract);
      const a = q === undefined ? null : this.analyticsOf(q);
      if (q === undefined || a === null) continue;
      const shares = (leg.side === "buy" ? 1 : -1) * leg.ratio * q.multiplier;
      g.delta += shares * a.delta;
      g.gamma += shares * a.gamma;
      g.vega += (shares * a.vega) / 100;
    }
    return g;
  }

  /** Exit: a close intent for the whole position, always accepted (it only reduces risk). */
  closePosition(p: PositionBook, reason: string): void {
    const attempt = (this.closeAttempts.get(p.positionId) ?? 0) + 1;
    this.closeAttempts.set(p.positionId, attempt);
    const intentId = `close:${p.positionId}:${attempt}`;
    if (!this.decide(intentId)) return;
    const legs = closingLegs(
      p.legs.map((l) => ({
        contract: l.contract,
        right: l.right,
        strike: l.strike,
        expiry: l.expiry,
        side: l.openSide,
        ratio: l.ratio,
      })),
    );
    const priced = quoteCombo(legs, this.quoteOf, this.params);
    const limitPrice = priced.ok
      ? limitFromQuote(priced.combo, legs.length, this.params)
      : -p.maxRiskPerUnitCents / 100;
    this.out.emit({
      kind: "OrderIntent",
      eventTime: this.now(),
      seq: 0,
      id: intentId,
      signalId: p.positionId,
      underlying: p.underlying,
      strategy: p.strategy,
      purpose: "close",
      positionId: p.positionId,
      legs,
      quantity: p.units,
      limitPrice,
      maxRiskPerUnitCents: 0,
      confidence: 1,
      regime: this.regimeOf(p.underlying) ?? p.entryRegime,
    });
    this.out.emit(
      this.riskDecision(
        intentId,
        p.underlying,
        true,
        p.units,
        [`risk-reducing close: ${reason}`],
        this.tradingState(),
      ),
    );
    this.positions.set(p.positionId, { ...p, exitReason: reason });
    this.submit({
      orderId: clientOrderId(intentId, 0),
      intentId,
      purpose: "close",
      positionId: p.positionId,
      underlying: p.underlying,
      strategy: p.strategy,
      legs,
      quantity: p.units,
      filledQuantity: 0,
      limitPrice,
      avgFillPrice: null,
      status: "new",
      submittedAt: this.now(),
      replaceCount: 0,
      fills: 0,
      lastFillQuoteTime: -1,
      maxRiskPerUnitCents: 0,
      maxProfitPerUnitCents: 0,
      greeksPerUnit: noGreeks,
      regime: p.entryRegime,
      expiry: p.expiry,
    });
  }

  // ---- orders and fills -----------------------------------------------------------------------

  submit(order: WorkingOrder): void {
    if (order.status === "new") this.out.emit(toOrderEvent(order, this.now()));
    const submitted = withStatus(order, "submitted");
    this.out.emit(toOrderEvent(submitted, this.now()));
    this.orders.set(submitted.orderId, submitted);
    const pos = this.positions.get(submitted.positionId);
    if (pos !== undefined) this.positions.set(pos.positionId, { ...pos, workingOrderId: submitted.orderId });
    this.work(submitted.orderId);
  }

  /** Paper broker: tries to fill a working order against the displayed book. */
  work(orderId: string): void {
    const order = this.orders.get(orderId);
    if (order === undefined) return;
    const r = fillCombo(order.legs, remaining(order), order.limitPrice, this.quoteOf, this.params);
    if (!r.ok) return;
    const f = r.fill;
    const quoteTime = Math.max(...f.legs.map((x) => x.quote.eventTime));
    if (quoteTime <= order.lastFillQuoteTime) return;
    const fillEvent: Fill = {
      kind: "Fill",
      eventTime: this.now(),
      seq: 0,
      fillId: `${order.orderId}:${order.fills + 1}`,
      orderId: order.orderId,
      underlying: order.underlying,
      quantity: f.units,
      netPrice: f.netPrice,
      legs: f.legs.map((x) => ({
        contract: x.leg.contract,
        side: x.leg.side,
        quantity: x.leg.ratio * f.units,
        price: x.price,
      })),
      commissionCents: f.commissionCents,
    };
    this.out.emit(fillEvent);
    this.bookFill(order, f.units, f.netPrice, f.legs, f.legCommissionCents);
    const updated = recordFill(order, f.units, f.netPrice, quoteTime);
    this.out.emit(toOrderEvent(updated, this.now()));
    if (updated.status === "filled") this.finishOrder(updated);
    else this.orders.set(updated.orderId, updated);
  }

  private bookFill(
    order: WorkingOrder,
    units: number,
    netPrice: number,
    legs: ReadonlyArray<{ leg: Leg; quote: OptionQuote; price: number }>,
    legCommissionCents: readonly number[],
  ): void {
    let pos = this.positions.get(order.positionId);
    if (pos === undefined) {
      pos = {
        positionId: order.positionId,
        underlying: order.underlying,
        strategy: order.strategy,
        family: order.strategy.startsWith("earnings") ? "earnings" : "core",
        openedAt: this.now(),
        entryRegime: order.regime,
        entryDay: nyDayNumber(this.now()),
        expiry: order.expiry,
        units: 0,
        entryNetPrice: 0,
        maxProfitPerUnitCents: order.maxProfitPerUnitCents,
        maxRiskPerUnitCents: order.maxRiskPerUnitCents,
        legs: legs.map((x) => newLeg(x.leg, x.quote)),
        status: "open",
        workingOrderId: order.orderId,
      };
    }
    const legBooks = pos.legs.map((book) => {
      const i = legs.findIndex((x) => x.leg.contract === book.contract);
      if (i < 0) return book;
      const x = legs[i]!;
      const contracts = (x.leg.side === "buy" ? 1 : -1) * x.leg.ratio * units;
      this.cashCents -= toCents(x.price * contracts * book.multiplier) + legCommissionCents[i]!;
      return tradeLeg(book, contracts, x.price, legCommissionCents[i]!);
    });
    const opening = order.purpose === "open";
    const units2 = opening ? pos.units + units : pos.units - units;
    const entryNetPrice = opening
      ? (pos.entryNetPrice * pos.units + netPrice * units) / units2
      : pos.entryNetPrice;
    let next: PositionBook = {
      ...pos,
      legs: legBooks,
      units: units2,
      entryNetPrice: Math.round(entryNetPrice * 1e6) / 1e6,
    };
    if (!opening && isFlat(next)) next = { ...next, status: "closed", workingOrderId: null };
    this.emitPosition(next);
  }

  private finishOrder(order: WorkingOrder): void {
    this.orders.delete(order.orderId);
    const pos = this.positions.get(order.positionId);
    if (pos !== undefined && pos.workingOrderId === order.orderId)
      this.positions.set(pos.positionId, { ...pos, workingOrderId: null });
  }

  /** Cancels a working order; opening orders are replaced at the current quote while replaces last. */
  timeout(order: WorkingOrder): void {
    const cancelled = withStatus(order, "cancelled");
    this.out.emit(toOrderEvent(cancelled, this.now(), "timeout"));
    this.finishOrder(cancelled);
    const maxReplaces = order.purpose === "open" ? this.params.maxReplaces : this.params.maxCloseReplaces;
    if (order.replaceCount >= maxReplaces) return;
    if (order.purpose === "open" && this.tradingState() === "HALTED") return;
    const priced = quoteCombo(order.legs, this.quoteOf, this.params);
    if (!priced.ok) return;
    const limit = limitFromQuote(priced.combo, order.legs.length, this.params);
    // An opening order is only chased while the market still offers at least its original limit.
    if (order.purpose === "open" && limit < order.limitPrice - 1e-9) return;
    this.submit({
      ...order,
      orderId: clientOrderId(order.intentId, order.replaceCount + 1),
      quantity: remaining(order),
      filledQuantity: 0,
      avgFillPrice: null,
      limitPrice: limit,
      status: "submitted",
      submittedAt: this.now(),
      replaceCount: order.replaceCount + 1,
      fills: 0,
    });
  }

  expireOrder(order: WorkingOrder, reason: string): void {
    const expired = withStatus(order, "expired");
    this.out.emit(toOrderEvent(expired, this.now(), reason));
    this.finishOrder(expired);
  }

  emitPosition(p: PositionBook): void {
    this.out.emit(toPositionEvent(p, this.now()));
    if (p.status === "closed") this.positions.delete(p.positionId);
    else this.positions.set(p.positionId, p);
  }

  legExpired(expiry: string): boolean {
    return expiryCloseUs(expiry) <= this.clock;
  }

  drawdown(): number {
    return drawdownOf({ equityCents: this.equityCents(), peakEquityCents: this.peakEquityCents });
  }
}
