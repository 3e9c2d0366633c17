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

const row = <K extends TableKey>(table: K, ts: number, values: Row<K>): TableRow<K> => ({
  table,
  ts,
  values,
});

type Vendor = { iv?: number; delta?: number; gamma?: number; vega?: number; theta?: number } | undefined;
const vendorValues = (v: Vendor) => ({
  vendor_iv: v?.iv,
  vendor_delta: v?.delta,
  vendor_gamma: v?.gamma,
  vendor_vega: v?.vega,
  vendor_theta: v?.theta,
});

export const underlyingTickRow = (t: UnderlyingTick) =>
  row("underlyingTicks", t.eventTime, {
    symbol: t.symbol,
    price: t.price,
    bid: t.bid,
    ask: t.ask,
    open: t.open,
    high: t.high,
    low: t.low,
    volume: t.volume,
    dividend_yield: t.dividendYield,
    seq: t.seq,
  });

export const indexTickRow = (t: IndexTick) =>
  row("indexTicks", t.eventTime, {
    symbol: t.symbol,
    level: t.value,
    open: t.open,
    high: t.high,
    low: t.low,
    seq: t.seq,
  });

export const quoteRow = (q: OptionQuote) =>
  row("quotes", q.eventTime, {
    contract: q.contract,
    underlying: q.underlying,
    expiry: q.expiry,
    option_right: q.right,
    exercise_style: q.style,
    settlement: q.settlement,
    strike: q.strike,
    multiplier: q.multiplier,
    bid: q.bid,
    ask: q.ask,
    bid_size: q.bidSize,
    ask_size: q.askSize,
    last_price: q.last,
    volume: q.volume,
    open_interest: q.openInterest,
    underlying_price: q.underlyingPrice,
    ...vendorValues(q.vendor),
    seq: q.seq,
  });

export const greeksRow = (g: Greeks) =>
  row("greeks", g.eventTime, {
    contract: g.contract,
    underlying: g.underlying,
    expiry: g.expiry,
    option_right: g.right,
    exercise_style: g.style,
    status: g.status,
    strike: g.strike,
    spot: g.spot,
    t_years: g.tYears,
    mid: g.mid,
    iv: g.iv,
    iv_bid: g.ivBid,
    iv_ask: g.ivAsk,
    delta: g.delta,
    gamma: g.gamma,
    vega: g.vega,
    theta: g.theta,
    rho: g.rho,
    ...vendorValues(g.vendor),
    seq: g.seq,
  });

/** One row per feature, in name order so a re-sent snapshot produces the same rows. */
export const volFeatureRows = (v: VolFeatures) =>
  Object.keys(v.values)
    .sort()
    .map((feature) =>
      row("volFeatures", v.eventTime, {
        underlying: v.underlying,
        feature,
        value: v.values[feature],
        seq: v.seq,
      }),
    );

export const regimeRow = (r: Regime) =>
  row("regimes", r.eventTime, {
    underlying: r.underlying,
    regime: r.regime,
    days_in_regime: r.daysInRegime,
    iv_rank: r.ivRank,
    vix: r.vix,
    seq: r.seq,
  });

export const signalRow = (s: Signal) =>
  row("signals", s.eventTime, {
    underlying: s.underlying,
    strategy: s.strategy,
    action: s.action,
    regime: s.regime,
    expiration: s.expiration,
    model_name: s.model?.name,
    model_version: s.model?.version,
    id: s.id,
    legs: JSON.stringify(s.legs),
    buy_strike: s.buyStrike,
    sell_strike: s.sellStrike,
    dte: s.dte,
    credit_or_debit: s.creditOrDebit,
    max_profit: s.maxProfit,
    max_risk: s.maxRisk,
    confidence: s.confidence,
    iv_rank: s.ivRank,
    features: JSON.stringify(s.features),
    model_score: s.model?.score,
    model_fallback: s.modelFallback,
    seq: s.seq,
  });

export const orderIntentRow = (i: OrderIntent) =>
  row("orderIntents", i.eventTime, {
    underlying: i.underlying,
    strategy: i.strategy,
    purpose: i.purpose,
    regime: i.regime,
    id: i.id,
    signal_id: i.signalId,
    position_id: i.positionId,
    legs: JSON.stringify(i.legs),
    quantity: i.quantity,
    limit_price: i.limitPrice,
    max_risk_per_unit_cents: i.maxRiskPerUnitCents,
    confidence: i.confidence,
    seq: i.seq,
  });

export const riskDecisionRow = (d: RiskDecision) =>
  row("riskDecisions", d.eventTime, {
    underlying: d.underlying,
    trading_state: d.tradingState,
    intent_id: d.intentId,
    accepted: d.accepted,
    quantity: d.quantity,
    reasons: JSON.stringify(d.reasons),
    seq: d.seq,
  });

export const orderRow = (o: Order) =>
  row("orders", o.eventTime, {
    underlying: o.underlying,
    status: o.status,
    order_id: o.orderId,
    intent_id: o.intentId,
    legs: JSON.stringify(o.legs),
    quantity: o.quantity,
    filled_quantity: o.filledQuantity,
    limit_price: o.limitPrice,
    avg_fill_price: o.avgFillPrice,
    reason: o.reason,
    seq: o.seq,
  });

export const fillRow = (f: Fill) =>
  row("fills", f.eventTime, {
    underlying: f.underlying,
    fill_id: f.fillId,
    order_id: f.orderId,
    quantity: f.quantity,
    net_price: f.netPrice,
    legs: JSON.stringify(f.legs),
    commission_cents: f.commissionCents,
    seq: f.seq,
  });

export const positionRow = (p: Position) =>
  row("positions", p.eventTime, {
    underlying: p.underlying,
    strategy: p.strategy,
    status: p.status,
    position_id: p.positionId,
    legs: JSON.stringify(p.legs),
    realized_pnl_cents: p.realizedPnlCents,
    unrealized_pnl_cents: p.unrealizedPnlCents,
    delta: p.delta,
    gamma: p.gamma,
    vega: p.vega,
    theta: p.theta,
    exit_reason: p.exitReason,
    seq: p.seq,
  });

export const equityRow = (s: PortfolioSnapshot) =>
  row("equity", s.eventTime, {
    trading_state: s.tradingState,
    cash_cents: s.cashCents,
    positions_value_cents: s.positionsValueCents,
    equity_cents: s.equityCents,
    peak_equity_cents: s.peakEquityCents,
    drawdown: s.drawdown,
    daily_pnl_cents: s.dailyPnlCents,
    open_positions: s.openPositions,
    delta: s.delta,
    gamma: s.gamma,
    vega: s.vega,
    theta: s.theta,
    seq: s.seq,
  });

export const deadLetterRow = (d: DeadLetter) =>
  row("deadLetters", d.eventTime, {
    node_id: d.nodeId,
    reason: d.reason,
    raw: d.raw,
    // An empty origin rather than NULL keeps the dedup key comparable for letters without one.
    origin: d.origin ?? "",
    seq: d.seq,
  });

/**
 * The rows an event is stored as. A chain snapshot is stored as its quotes. Kinds without a table
 * (EarningsEvent, RegimeTransition, FeatureVector, ModelScore) give no rows: they are inputs or
 * intermediate values that the replay files and Kafka topics already keep.
 */
export const rowsOf = (event: Event): readonly TableRow[] => {
  switch (event.kind) {
    case "UnderlyingTick":
      return [underlyingTickRow(event)];
    case "IndexTick":
      return [indexTickRow(event)];
    case "OptionQuote":
      return [quoteRow(event)];
    case "ChainSnapshot":
      return event.quotes.map(quoteRow);
    case "Greeks":
      return [greeksRow(event)];
    case "VolFeatures":
      return volFeatureRows(event);
    case "Regime":
      return [regimeRow(event)];
    case "Signal":
      return [signalRow(event)];
    case "OrderIntent":
      return [orderIntentRow(event)];
    case "RiskDecision":
      return [riskDecisionRow(event)];
    case "Order":
      return [orderRow(event)];
    case "Fill":
      return [fillRow(event)];
    case "Position":
      return [positionRow(event)];
    case "PortfolioSnapshot":
      return [equityRow(event)];
    case "DeadLetter":
      return [deadLetterRow(event)];
    case "EarningsEvent":
    case "RegimeTransition":
    case "FeatureVector":
    case "ModelScore":
      return [];
  }
};
