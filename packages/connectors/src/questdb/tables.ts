/**
 * QuestDB tables the engine writes, one per stored event kind. Every table has the designated
 * timestamp `ts` (the event's eventTime, microseconds), is partitioned by day, uses WAL, and
 * declares `DEDUP UPSERT KEYS(ts, <natural key>)`: re-sending a row (a retried flush, a replayed
 * batch after a crash) replaces it instead of adding a second one.
 *
 * Naming: snake_case columns; nested arrays/records (legs, reasons, features) are JSON text, read
 * back with QuestDB's `json_extract`. Vol features are stored long (one row per feature) because the
 * feature set is open-ended: adding a measure never needs an ALTER TABLE.
 */

export type ColumnType = "SYMBOL" | "DOUBLE" | "LONG" | "VARCHAR" | "BOOLEAN";
export type Columns = Readonly<Record<string, ColumnType>>;

export interface TableSpec<C extends Columns = Columns> {
  readonly name: string;
  readonly columns: C;
  /** Natural key besides `ts`; a row with the same (ts, keys) replaces the stored one. */
  readonly dedupKeys: readonly (keyof C & string)[];
}

/** Any table, for code that handles them all alike (DDL, encoding). */
export interface AnyTableSpec {
  readonly name: string;
  readonly columns: Columns;
  readonly dedupKeys: readonly string[];
}

type ValueOf<T extends ColumnType> = T extends "DOUBLE" | "LONG"
  ? number
  : T extends "BOOLEAN"
    ? boolean
    : string;

/** A row's column values; a missing or null value is stored as NULL. */
export type RowOf<C extends Columns> = { [K in keyof C]?: ValueOf<C[K]> | null | undefined };

const table = <const C extends Columns>(name: string, columns: C, dedupKeys: readonly (keyof C & string)[]) =>
  ({ name, columns, dedupKeys }) as TableSpec<C>;

const vendorColumns = {
  vendor_iv: "DOUBLE",
  vendor_delta: "DOUBLE",
  vendor_gamma: "DOUBLE",
  vendor_vega: "DOUBLE",
  vendor_theta: "DOUBLE",
} as const;

export const tables = {
  underlyingTicks: table(
    "underlying_ticks",
    {
      symbol: "SYMBOL",
      price: "DOUBLE",
      bid: "DOUBLE",
      ask: "DOUBLE",
      open: "DOUBLE",
      high: "DOUBLE",
      low: "DOUBLE",
      volume: "DOUBLE",
      dividend_yield: "DOUBLE",
      seq: "LONG",
    },
    ["symbol"],
  ),
  indexTicks: table(
    "index_ticks",
    { symbol: "SYMBOL", level: "DOUBLE", open: "DOUBLE", high: "DOUBLE", low: "DOUBLE", seq: "LONG" },
    ["symbol"],
  ),
  quotes: table(
    "quotes",
    {
      contract: "SYMBOL",
      underlying: "SYMBOL",
      expiry: "SYMBOL",
      option_right: "SYMBOL",
      exercise_style: "SYMBOL",
      settlement: "SYMBOL",
      strike: "DOUBLE",
      multiplier: "DOUBLE",
      bid: "DOUBLE",
      ask: "DOUBLE",
      bid_size: "DOUBLE",
      ask_size: "DOUBLE",
      last_price: "DOUBLE",
      volume: "DOUBLE",
      open_interest: "DOUBLE",
      underlying_price: "DOUBLE",
      ...vendorColumns,
      seq: "LONG",
    },
    ["contract"],
  ),
  greeks: table(
    "greeks",
    {
      contract: "SYMBOL",
      underlying: "SYMBOL",
      expiry: "SYMBOL",
      option_right: "SYMBOL",
      exercise_style: "SYMBOL",
      status: "SYMBOL",
      strike: "DOUBLE",
      spot: "DOUBLE",
      t_years: "DOUBLE",
      mid: "DOUBLE",
      iv: "DOUBLE",
      iv_bid: "DOUBLE",
      iv_ask: "DOUBLE",
      delta: "DOUBLE",
      gamma: "DOUBLE",
      vega: "DOUBLE",
      theta: "DOUBLE",
      rho: "DOUBLE",
      ...vendorColumns,
      seq: "LONG",
    },
    ["contract"],
  ),
  volFeatures: table(
    "vol_features",
    { underlying: "SYMBOL", feature: "SYMBOL", value: "DOUBLE", seq: "LONG" },
    ["underlying", "feature"],
  ),
  regimes: table(
    "regimes",
    {
      underlying: "SYMBOL",
      regime: "SYMBOL",
      days_in_regime: "LONG",
      iv_rank: "DOUBLE",
      vix: "DOUBLE",
      seq: "LONG",
    },
    ["underlying"],
  ),
  signals: table(
    "signals",
    {
      underlying: "SYMBOL",
      strategy: "SYMBOL",
      action: "SYMBOL",
      regime: "SYMBOL",
      expiration: "SYMBOL",
      model_name: "SYMBOL",
      model_version: "SYMBOL",
      id: "VARCHAR",
      legs: "VARCHAR",
      buy_strike: "DOUBLE",
      sell_strike: "DOUBLE",
      dte: "LONG",
      credit_or_debit: "DOUBLE",
      max_profit: "DOUBLE",
      max_risk: "DOUBLE",
      confidence: "DOUBLE",
      iv_rank: "DOUBLE",
      features: "VARCHAR",
      model_score: "DOUBLE",
      model_fallback: "VARCHAR",
      seq: "LONG",
    },
    ["id"],
  ),
  orderIntents: table(
    "order_intents",
    {
      underlying: "SYMBOL",
      strategy: "SYMBOL",
      purpose: "SYMBOL",
      regime: "SYMBOL",
      id: "VARCHAR",
      signal_id: "VARCHAR",
      position_id: "VARCHAR",
      legs: "VARCHAR",
      quantity: "LONG",
      limit_price: "DOUBLE",
      max_risk_per_unit_cents: "LONG",
      confidence: "DOUBLE",
      seq: "LONG",
    },
    ["id"],
  ),
  riskDecisions: table(
    "risk_decisions",
    {
      underlying: "SYMBOL",
      trading_state: "SYMBOL",
      intent_id: "VARCHAR",
      accepted: "BOOLEAN",
      quantity: "LONG",
      reasons: "VARCHAR",
      seq: "LONG",
    },
    ["intent_id"],
  ),
  // An order is stored once per state it passes through; (status, filled_quantity) tell apart two
  // updates of one order stamped with the same event time.
  orders: table(
    "orders",
    {
      underlying: "SYMBOL",
      status: "SYMBOL",
      order_id: "VARCHAR",
      intent_id: "VARCHAR",
      legs: "VARCHAR",
      quantity: "LONG",
      filled_quantity: "LONG",
      limit_price: "DOUBLE",
      avg_fill_price: "DOUBLE",
      reason: "VARCHAR",
      seq: "LONG",
    },
    ["order_id", "status", "filled_quantity"],
  ),
  fills: table(
    "fills",
    {
      underlying: "SYMBOL",
      fill_id: "VARCHAR",
      order_id: "VARCHAR",
      quantity: "LONG",
      net_price: "DOUBLE",
      legs: "VARCHAR",
      commission_cents: "LONG",
      seq: "LONG",
    },
    ["fill_id"],
  ),
  positions: table(
    "positions",
    {
      underlying: "SYMBOL",
      strategy: "SYMBOL",
      status: "SYMBOL",
      position_id: "VARCHAR",
      legs: "VARCHAR",
      realized_pnl_cents: "LONG",
      unrealized_pnl_cents: "LONG",
      delta: "DOUBLE",
      gamma: "DOUBLE",
      vega: "DOUBLE",
      theta: "DOUBLE",
      exit_reason: "VARCHAR",
      seq: "LONG",
    },
    ["position_id"],
  ),
  /** One row per PortfolioSnapshot: the equity curve. */
  equity: table(
    "equity",
    {
      trading_state: "SYMBOL",
      cash_cents: "LONG",
      positions_value_cents: "LONG",
      equity_cents: "LONG",
      peak_equity_cents: "LONG",
      drawdown: "DOUBLE",
      daily_pnl_cents: "LONG",
      open_positions: "LONG",
      delta: "DOUBLE",
      gamma: "DOUBLE",
      vega: "DOUBLE",
      theta: "DOUBLE",
      seq: "LONG",
    },
    [],
  ),
  deadLetters: table(
    "dead_letters",
    { node_id: "SYMBOL", reason: "VARCHAR", raw: "VARCHAR", origin: "VARCHAR", seq: "LONG" },
    ["node_id", "seq", "origin"],
  ),
} as const;

export type TableKey = keyof typeof tables;
export const tableKeys = Object.keys(tables) as TableKey[];

/** `CREATE TABLE IF NOT EXISTS` for a table, under an optional name prefix (tests isolate by prefix). */
export const createTableSql = (spec: AnyTableSpec, prefix = ""): string => {
  const columns = Object.entries(spec.columns).map(([name, type]) => `${name} ${type}`);
  const keys = ["ts", ...spec.dedupKeys].join(", ");
  return (
    `CREATE TABLE IF NOT EXISTS ${prefix}${spec.name} (ts TIMESTAMP, ${columns.join(", ")}) ` +
    `TIMESTAMP(ts) PARTITION BY DAY WAL DEDUP UPSERT KEYS(${keys})`
  );
};
