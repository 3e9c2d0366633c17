import type {
  DeadLetter,
  Event,
  Fill,
  Greeks,
  IndexTick,
  OptionQuote,
  Order,
  OrderIntent,
  PortfolioSnapshot,
  Position,
  Regime,
  RiskDecision,
  Signal,
  UnderlyingTick,
  VolFeatures,
} from "@thetaflow/schemas";
import type { RowOf, TableKey, tables } from "./tables.js";

type Spec<K extends TableKey> = (typeof tables)[K];
type Row<K extends TableKey> = RowOf<Spec<K>["columns"]>;

/** One row bound for a table: its designated timestamp (µs) and column values. */
export interface TableRow<K extends TableKey = TableKey> {
  readonly table: K;
  readonly ts: number;
  readonly values: Row<K>;
}

/**
 * Where a column's value comes from: the event property of that name (read as is), or a function
 * of the event for anything computed (renamed nested fields, JSON text, defaults).
 */
type Source<E, V> =
  | { [P in keyof E]-?: NonNullable<E[P]> extends V ? P : never }[keyof E]
  | ((event: E) => V | null | undefined);

export type ColumnSources<E, K extends TableKey> = {
  readonly [C in keyof Row<K>]-?: Source<E, NonNullable<Row<K>[C]>>;
};

/**
 * How one event becomes one row. The single description of the mapping: `rowsOf` interprets it,
 * and the writer compiles it into a direct event -> ILP encoder (eventEncoder.ts), so both always
 * agree. The designated timestamp is always the event time.
 */
export interface RowMapping<E = Event, K extends TableKey = TableKey> {
  readonly table: K;
  readonly columns: ColumnSources<E, K>;
}

const mapping = <E, K extends TableKey>(table: K, columns: ColumnSources<E, K>): RowMapping<E, K> => ({
  table,
  columns,
});

type Vendor = { iv?: number; delta?: number; gamma?: number; vega?: number; theta?: number } | undefined;
const vendorSources = {
  vendor_iv: (e: { vendor?: Vendor }) => e.vendor?.iv,
  vendor_delta: (e: { vendor?: Vendor }) => e.vendor?.delta,
  vendor_gamma: (e: { vendor?: Vendor }) => e.vendor?.gamma,
  vendor_vega: (e: { vendor?: Vendor }) => e.vendor?.vega,
  vendor_theta: (e: { vendor?: Vendor }) => e.vendor?.theta,
};

/** The single-row kinds, by event kind. VolFeatures (one row per feature) and ChainSnapshot (its quotes) are below. */
export const rowMappings = {
  UnderlyingTick: mapping<UnderlyingTick, "underlyingTicks">("underlyingTicks", {
    symbol: "symbol",
    price: "price",
    bid: "bid",
    ask: "ask",
    open: "open",
    high: "high",
    low: "low",
    volume: "volume",
    dividend_yield: "dividendYield",
    seq: "seq",
  }),
  IndexTick: mapping<IndexTick, "indexTicks">("indexTicks", {
    symbol: "symbol",
    level: "value",
    open: "open",
    high: "high",
    low: "low",
    seq: "seq",
  }),
  OptionQuote: mapping<OptionQuote, "quotes">("quotes", {
    contract: "contract",
    underlying: "underlying",
    expiry: "expiry",
    option_right: "right",
    exercise_style: "style",
    settlement: "settlement",
    strike: "strike",
    multiplier: "multiplier",
    bid: "bid",
    ask: "ask",
    bid_size: "bidSize",
    ask_size: "askSize",
    last_price: "last",
    volume: "volume",
    open_interest: "openInterest",
    underlying_price: "underlyingPrice",
    ...vendorSources,
    seq: "seq",
  }),
  Greeks: mapping<Greeks, "greeks">("greeks", {
    contract: "contract",
    underlying: "underlying",
    expiry: "expiry",
    option_right: "right",
    exercise_style: "style",
    status: "status",
    strike: "strike",
    spot: "spot",
    t_years: "tYears",
    mid: "mid",
    iv: "iv",
    iv_bid: "ivBid",
    iv_ask: "ivAsk",
    delta: "delta",
    gamma: "gamma",
    vega: "vega",
    theta: "theta",
    rho: "rho",
    ...vendorSources,
    seq: "seq",
  }),
  Regime: mapping<Regime, "regimes">("regimes", {
    underlying: "underlying",
    regime: "regime",
    days_in_regime: "daysInRegime",
    iv_rank: "ivRank",
    vix: "vix",
    seq: "seq",
  }),
  Signal: mapping<Signal, "signals">("signals", {
    underlying: "underlying",
    strategy: "strategy",
    action: "action",
    regime: "regime",
    expiration: "expiration",
    model_name: (s) => s.model?.name,
    model_version: (s) => s.model?.version,
    id: "id",
    legs: (s) => JSON.stringify(s.legs),
    buy_strike: "buyStrike",
    sell_strike: "sellStrike",
    dte: "dte",
    credit_or_debit: "creditOrDebit",
    max_profit: "maxProfit",
    max_risk: "maxRisk",
    confidence: "confidence",
    iv_rank: "ivRank",
    features: (s) => JSON.stringify(s.features),
    model_score: (s) => s.model?.score,
    model_fallback: "modelFallback",
    seq: "seq",
  }),
  OrderIntent: mapping<OrderIntent, "orderIntents">("orderIntents", {
    underlying: "underlying",
    strategy: "strategy",
    purpose: "purpose",
    regime: "regime",
    id: "id",
    signal_id: "signalId",
    position_id: "positionId",
    legs: (i) => JSON.stringify(i.legs),
    quantity: "quantity",
    limit_price: "limitPrice",
    max_risk_per_unit_cents: "maxRiskPerUnitCents",
    confidence: "confidence",
    seq: "seq",
  }),
  RiskDecision: mapping<RiskDecision, "riskDecisions">("riskDecisions", {
    underlying: "underlying",
    trading_state: "tradingState",
    intent_id: "intentId",
    accepted: "accepted",
    quantity: "quantity",
    reasons: (d) => JSON.stringify(d.reasons),
    seq: "seq",
  }),
  Order: mapping<Order, "orders">("orders", {
    underlying: "underlying",
    status: "status",
    order_id: "orderId",
    intent_id: "intentId",
    legs: (o) => JSON.stringify(o.legs),
    quantity: "quantity",
    filled_quantity: "filledQuantity",
    limit_price: "limitPrice",
    avg_fill_price: "avgFillPrice",
    reason: "reason",
    seq: "seq",
  }),
  Fill: mapping<Fill, "fills">("fills", {
    underlying: "underlying",
    fill_id: "fillId",
    order_id: "orderId",
    quantity: "quantity",
    net_price: "netPrice",
    legs: (f) => JSON.stringify(f.legs),
    commission_cents: "commissionCents",
    seq: "seq",
  }),
  Position: mapping<Position, "positions">("positions", {
    underlying: "underlying",
    strategy: "strategy",
    status: "status",
    position_id: "positionId",
    legs: (p) => JSON.stringify(p.legs),
    realized_pnl_cents: "realizedPnlCents",
    unrealized_pnl_cents: "unrealizedPnlCents",
    delta: "delta",
    gamma: "gamma",
    vega: "vega",
    theta: "theta",
    exit_reason: "exitReason",
    seq: "seq",
  }),
  PortfolioSnapshot: mapping<PortfolioSnapshot, "equity">("equity", {
    trading_state: "tradingState",
    cash_cents: "cashCents",
    positions_value_cents: "positionsValueCents",
    equity_cents: "equityCents",
    peak_equity_cents: "peakEquityCents",
    drawdown: "drawdown",
    daily_pnl_cents: "dailyPnlCents",
    open_positions: "openPositions",
    delta: "delta",
    gamma: "gamma",
    vega: "vega",
    theta: "theta",
    seq: "seq",
  }),
  DeadLetter: mapping<DeadLetter, "deadLetters">("deadLetters", {
    node_id: "nodeId",
    reason: "reason",
    raw: "raw",
    // An empty origin rather than NULL keeps the dedup key comparable for letters without one.
    origin: (d) => d.origin ?? "",
    seq: "seq",
  }),
} as const;

export type SingleRowKind = keyof typeof rowMappings;

/** The row of a single-row event, by interpreting its mapping. */
export const rowOf = <E extends { readonly eventTime: number }, K extends TableKey>(
  m: RowMapping<E, K>,
  event: E,
): TableRow<K> => {
  const values: Record<string, unknown> = {};
  const source = event as unknown as Readonly<Record<string, unknown>>;
  for (const [column, from] of Object.entries(m.columns as Readonly<Record<string, unknown>>)) {
    values[column] = typeof from === "function" ? (from as (e: E) => unknown)(event) : source[from as string];
  }
  return { table: m.table, ts: event.eventTime, values: values as Row<K> };
};

export const underlyingTickRow = (t: UnderlyingTick) => rowOf(rowMappings.UnderlyingTick, t);
export const indexTickRow = (t: IndexTick) => rowOf(rowMappings.IndexTick, t);
export const quoteRow = (q: OptionQuote) => rowOf(rowMappings.OptionQuote, q);
export const greeksRow = (g: Greeks) => rowOf(rowMappings.Greeks, g);
export const regimeRow = (r: Regime) => rowOf(rowMappings.Regime, r);
export const signalRow = (s: Signal) => rowOf(rowMappings.Signal, s);
export const orderIntentRow = (i: OrderIntent) => rowOf(rowMappings.OrderIntent, i);
export const riskDecisionRow = (d: RiskDecision) => rowOf(rowMappings.RiskDecision, d);
export const orderRow = (o: Order) => rowOf(rowMappings.Order, o);
export const fillRow = (f: Fill) => rowOf(rowMappings.Fill, f);
export const positionRow = (p: Position) => rowOf(rowMappings.Position, p);
export const equityRow = (s: PortfolioSnapshot) => rowOf(rowMappings.PortfolioSnapshot, s);
export const deadLetterRow = (d: DeadLetter) => rowOf(rowMappings.DeadLetter, d);

/** One row per feature, in name order so a re-sent snapshot produces the same rows. */
export const volFeatureRows = (v: VolFeatures): TableRow<"volFeatures">[] =>
  Object.keys(v.values)
    .sort()
    .map((feature) => ({
      table: "volFeatures",
      ts: v.eventTime,
      values: { underlying: v.underlying, feature, value: v.values[feature], seq: v.seq },
    }));

/**
 * The rows an event is stored as. A chain snapshot is stored as its quotes. Kinds without a table
 * (EarningsEvent, RegimeTransition, FeatureVector, ModelScore) give no rows: they are inputs or
 * intermediate values that the replay files and Kafka topics already keep.
 */
export const rowsOf = (event: Event): readonly TableRow[] => {
  switch (event.kind) {
    case "ChainSnapshot":
      return event.quotes.map(quoteRow);
    case "VolFeatures":
      return volFeatureRows(event);
    case "EarningsEvent":
    case "RegimeTransition":
    case "FeatureVector":
    case "ModelScore":
      return [];
    default:
      return [rowOf(rowMappings[event.kind] as RowMapping<Event>, event)];
  }
};
