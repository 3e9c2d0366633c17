import { Schema } from "effect";
import {
  eventFields,
  FiniteNumber,
  IsoDate,
  NonNegative,
  OptionRight,
  Positive,
  Probability,
  RegimeName,
  Side,
  Ticker,
} from "./common.js";

/*
 * Money rule: quoted prices are float dollars per share, as exchanges publish them; every cash amount,
 * P&L and commission is an integer number of cents (`...Cents` fields), rounded half away from zero
 * once, where a price becomes money (price * multiplier * quantity). Sums of cents are exact.
 */
const Cents = Schema.Number.pipe(Schema.int()).annotations({ identifier: "Cents" });
const Quantity = Schema.Number.pipe(Schema.int(), Schema.nonNegative());

export const Leg = Schema.Struct({
  contract: Schema.String,
  right: OptionRight,
  strike: Positive,
  expiry: IsoDate,
  side: Side,
  /** Contracts of this leg per one unit of the combo. */
  ratio: Schema.Number.pipe(Schema.int(), Schema.positive()),
}).annotations({ identifier: "Leg" });
export type Leg = typeof Leg.Type;

export const ModelStamp = Schema.Struct({
  name: Schema.String,
  version: Schema.String,
  score: FiniteNumber,
}).annotations({ identifier: "ModelStamp" });

/** A strategy's trade idea (the seeds' Signal fields). */
export const Signal = Schema.Struct({
  kind: Schema.Literal("Signal"),
  ...eventFields,
  id: Schema.String,
  underlying: Ticker,
  strategy: Schema.String,
  action: Schema.String,
  legs: Schema.Array(Leg),
  buyStrike: Schema.NullOr(Positive),
  sellStrike: Schema.NullOr(Positive),
  expiration: IsoDate,
  dte: Schema.Number.pipe(Schema.int()),
  /** Net premium per share: positive = credit received, negative = debit paid. */
  creditOrDebit: FiniteNumber,
  maxProfit: FiniteNumber,
  maxRisk: NonNegative,
  confidence: Probability,
  regime: RegimeName,
  ivRank: Schema.NullOr(FiniteNumber),
  features: Schema.Record({ key: Schema.String, value: Schema.NullOr(FiniteNumber) }),
  model: Schema.optional(ModelStamp),
  /** Why the rule-based path was used instead of a model, when a model was configured. */
  modelFallback: Schema.optional(Schema.String),
}).annotations({ identifier: "Signal" });
export type Signal = typeof Signal.Type;

export const OrderIntent = Schema.Struct({
  kind: Schema.Literal("OrderIntent"),
  ...eventFields,
  /** Deterministic id derived from the signal, so a replayed intent is recognised. */
  id: Schema.String,
  signalId: Schema.String,
  underlying: Ticker,
  strategy: Schema.String,
  purpose: Schema.Literal("open", "close"),
  positionId: Schema.optional(Schema.String),
  legs: Schema.Array(Leg),
  quantity: Quantity,
  /** Net limit per combo unit per share: positive = credit, negative = debit. */
  limitPrice: FiniteNumber,
  maxRiskPerUnitCents: Cents,
  confidence: Probability,
  regime: RegimeName,
}).annotations({ identifier: "OrderIntent" });
export type OrderIntent = typeof OrderIntent.Type;

export const TradingState = Schema.Literal("ACTIVE", "REDUCING", "HALTED");
export type TradingState = typeof TradingState.Type;

export const RiskDecision = Schema.Struct({
  kind: Schema.Literal("RiskDecision"),
  ...eventFields,
  intentId: Schema.String,
  underlying: Ticker,
  accepted: Schema.Boolean,
  quantity: Quantity,
  reasons: Schema.Array(Schema.String),
  tradingState: TradingState,
}).annotations({ identifier: "RiskDecision" });
export type RiskDecision = typeof RiskDecision.Type;

export const OrderStatus = Schema.Literal(
  "new",
  "submitted",
  "partially_filled",
  "filled",
  "cancelled",
  "rejected",
  "expired",
);
export type OrderStatus = typeof OrderStatus.Type;

export const Order = Schema.Struct({
  kind: Schema.Literal("Order"),
  ...eventFields,
  /** Client order id: deterministic from the intent (and replace count). */
  orderId: Schema.String,
  intentId: Schema.String,
  underlying: Ticker,
  status: OrderStatus,
  legs: Schema.Array(Leg),
  quantity: Quantity,
  filledQuantity: Quantity,
  limitPrice: FiniteNumber,
  avgFillPrice: Schema.NullOr(FiniteNumber),
  reason: Schema.optional(Schema.String),
}).annotations({ identifier: "Order" });
export type Order = typeof Order.Type;

export const LegFill = Schema.Struct({
  contract: Schema.String,
  side: Side,
  quantity: Quantity,
  price: NonNegative,
}).annotations({ identifier: "LegFill" });

export const Fill = Schema.Struct({
  kind: Schema.Literal("Fill"),
  ...eventFields,
  fillId: Schema.String,
  orderId: Schema.String,
  underlying: Ticker,
  quantity: Quantity,
  /** Net price per combo unit per share: positive = credit, negative = debit. */
  netPrice: FiniteNumber,
  legs: Schema.Array(LegFill),
  commissionCents: Cents,
}).annotations({ identifier: "Fill" });
export type Fill = typeof Fill.Type;

export const PositionLeg = Schema.Struct({
  contract: Schema.String,
  right: OptionRight,
  strike: Positive,
  expiry: IsoDate,
  /** Signed contracts: + long, - short. */
  quantity: Schema.Number.pipe(Schema.int()),
  avgPrice: NonNegative,
  mark: Schema.NullOr(NonNegative),
  realizedPnlCents: Cents,
  unrealizedPnlCents: Cents,
}).annotations({ identifier: "PositionLeg" });

export const Position = Schema.Struct({
  kind: Schema.Literal("Position"),
  ...eventFields,
  positionId: Schema.String,
  underlying: Ticker,
  strategy: Schema.String,
  status: Schema.Literal("open", "closed"),
  legs: Schema.Array(PositionLeg),
  realizedPnlCents: Cents,
  unrealizedPnlCents: Cents,
  delta: FiniteNumber,
  gamma: FiniteNumber,
  vega: FiniteNumber,
  theta: FiniteNumber,
  exitReason: Schema.optional(Schema.String),
}).annotations({ identifier: "Position" });
export type Position = typeof Position.Type;

/** Portfolio value at an event time; cash + market value of positions = equity. */
export const PortfolioSnapshot = Schema.Struct({
  kind: Schema.Literal("PortfolioSnapshot"),
  ...eventFields,
  cashCents: Cents,
  positionsValueCents: Cents,
  equityCents: Cents,
  peakEquityCents: Cents,
  drawdown: FiniteNumber,
  dailyPnlCents: Cents,
  openPositions: Quantity,
  tradingState: TradingState,
  delta: FiniteNumber,
  gamma: FiniteNumber,
  vega: FiniteNumber,
  theta: FiniteNumber,
}).annotations({ identifier: "PortfolioSnapshot" });
export type PortfolioSnapshot = typeof PortfolioSnapshot.Type;
