import type { Leg, Order, OrderIntent, OrderStatus, RegimeName } from "@thetaflow/schemas";
import type { GreekExposure } from "./riskRules.js";

/**
 * A working (or just finished) order. Client order ids are `<intentId>#<replaceCount>`: deterministic,
 * so a replayed intent maps to the same ids and is recognised instead of sent twice.
 */
export interface WorkingOrder {
  readonly orderId: string;
  readonly intentId: string;
  readonly purpose: OrderIntent["purpose"];
  readonly positionId: string;
  readonly underlying: string;
  readonly strategy: string;
  readonly legs: readonly Leg[];
  readonly quantity: number;
  readonly filledQuantity: number;
  readonly limitPrice: number;
  readonly avgFillPrice: number | null;
  readonly status: OrderStatus;
  readonly submittedAt: number;
  readonly replaceCount: number;
  readonly fills: number;
  /**
   * Event time of the newest quote the last fill traded against: the size displayed in that snapshot
   * is used up, so the order only fills again against a later quote.
   */
  readonly lastFillQuoteTime: number;
  /** Carried from the intent for the position it opens and for exposure while working. */
  readonly maxRiskPerUnitCents: number;
  readonly maxProfitPerUnitCents: number;
  readonly greeksPerUnit: GreekExposure;
  readonly regime: RegimeName;
  readonly expiry: string;
}

export const clientOrderId = (intentId: string, replaceCount: number): string =>
  `${intentId}#${replaceCount}`;

export const isTerminal = (s: OrderStatus): boolean =>
  s === "filled" || s === "cancelled" || s === "rejected" || s === "expired";

export const remaining = (o: WorkingOrder): number => o.quantity - o.filledQuantity;

export const recordFill = (
  o: WorkingOrder,
  units: number,
  netPrice: number,
  quoteTime: number,
): WorkingOrder => {
  const filled = o.filledQuantity + units;
  const avg = ((o.avgFillPrice ?? 0) * o.filledQuantity + netPrice * units) / filled;
  return {
    ...o,
    filledQuantity: filled,
    avgFillPrice: Math.round(avg * 1e6) / 1e6,
    fills: o.fills + 1,
    lastFillQuoteTime: quoteTime,
    status: filled >= o.quantity ? "filled" : "partially_filled",
  };
};

export const withStatus = (o: WorkingOrder, status: OrderStatus): WorkingOrder => ({ ...o, status });

export const toOrderEvent = (o: WorkingOrder, eventTime: number, reason?: string): Order => ({
  kind: "Order",
  eventTime,
  seq: 0,
  orderId: o.orderId,
  intentId: o.intentId,
  underlying: o.underlying,
  status: o.status,
  legs: o.legs,
  quantity: o.quantity,
  filledQuantity: o.filledQuantity,
  limitPrice: o.limitPrice,
  avgFillPrice: o.avgFillPrice,
  ...(reason !== undefined ? { reason } : {}),
});

/** The opposite legs, to close what `legs` opened. */
export const closingLegs = (legs: readonly Leg[]): Leg[] =>
  legs.map((l) => ({ ...l, side: l.side === "buy" ? ("sell" as const) : ("buy" as const) }));
