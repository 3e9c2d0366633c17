import { QuestDbHttp, QuestDbWriter, type RejectedRow } from "@thetaflow/connectors";
import type { Event } from "@thetaflow/schemas";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { eventually, optionQuote, services, underlyingTick, uniqueName } from "./helpers.js";

let http: QuestDbHttp;
const writers: QuestDbWriter[] = [];
const openWriter = async (options: Parameters<typeof QuestDbWriter.open>[0] = {}) => {
  const w = await QuestDbWriter.open({ url: inject("questdbUrl"), flushIntervalMs: 0, ...options });
  writers.push(w);
  return w;
};

beforeAll(() => {
  http = new QuestDbHttp({ url: inject("questdbUrl") });
});
afterAll(async () => {
  for (const w of writers) await w.close({ timeoutMs: 10_000 }).catch(() => undefined);
});

const count = async (table: string): Promise<number> => {
  await http.waitForApplied(table);
  const [r] = await http.query<{ n: number }>(`select count() n from ${table}`);
  return r!.n;
};

const t0 = 1_552_660_200_000_000;
const trading: Event[] = [
  {
    kind: "Signal",
    eventTime: t0,
    seq: 0,
    id: "sig-1",
    underlying: "SPY",
    strategy: "bull_put_spread",
    action: "open",
    legs: [
      {
        contract: "SPY   190315P00260000",
        right: "put",
        strike: 260,
        expiry: "2019-03-15",
        side: "sell",
        ratio: 1,
      },
      {
        contract: "SPY   190315P00255000",
        right: "put",
        strike: 255,
        expiry: "2019-03-15",
        side: "buy",
        ratio: 1,
      },
    ],
    buyStrike: 255,
    sellStrike: 260,
    expiration: "2019-03-15",
    dte: 30,
    creditOrDebit: 1.25,
    maxProfit: 125,
    maxRisk: 375,
    confidence: 0.7,
    regime: "low_vol",
    ivRank: 22.5,
    features: { rv_20: 0.11, iv_rank: null },
  },
  {
    kind: "Fill",
    eventTime: t0 + 5_000_000,
    seq: 1,
    fillId: "fill-1",
    orderId: "ord-1",
    underlying: "SPY",
    quantity: 2,
    netPrice: 1.2,
    legs: [{ contract: "SPY   190315P00260000", side: "sell", quantity: 2, price: 3.1 }],
    commissionCents: 260,
  },
  {
    kind: "PortfolioSnapshot",
    eventTime: t0 + 6_000_000,
    seq: 2,
    cashCents: 10_000_024_00,
    positionsValueCents: -240_00,
    equityCents: 10_000_000_00,
    peakEquityCents: 10_000_000_00,
    drawdown: 0,
    dailyPnlCents: 0,
    openPositions: 1,
    tradingState: "ACTIVE",
    delta: 0.31,
    gamma: -0.01,
    vega: -0.2,
    theta: 0.05,
  },
  {
    kind: "VolFeatures",
    eventTime: t0,
    seq: 3,
    underlying: "SPY",
    values: { rv_20: 0.11, iv_rank: null, atm_iv: 0.14 },
  },
];

describe("QuestDB writer against a real server", () => {
  it("creates the tables with dedup keys and writes rows that SQL reads back", async () => {
    const prefix = `${uniqueName("it")}_`;
    const w = await openWriter({ tablePrefix: prefix });
    for (const e of trading) w.write(e);
    for (let i = 0; i < 10; i++) w.write(optionQuote(i));
    await w.flush();
    expect(w.stats()).toMatchObject({ bufferedRows: 0, writtenRows: 3 + 3 + 10, rejectedRows: 0 });

    const signals = w.tableName("signals");
    await http.waitForApplied(signals);
    const [signal] = await http.query(`select ts, id, underlying, legs, features, iv_rank from ${signals}`);
    expect(signal).toMatchObject({
      ts: "2019-03-15T14:30:00.000000Z",
      id: "sig-1",
      underlying: "SPY",
      iv_rank: 22.5,
    });
    expect(JSON.parse(String(signal!.legs))).toHaveLength(2);
    expect(JSON.parse(String(signal!.features))).toEqual({ rv_20: 0.11, iv_rank: null });

    const equity = w.tableName("equity");
    await http.waitForApplied(equity);
    expect(
      await http.query(`select cash_cents, positions_value_cents, trading_state from ${equity}`),
    ).toEqual([{ cash_cents: 10_000_024_00, positions_value_cents: -240_00, trading_state: "ACTIVE" }]);
    const features = w.tableName("volFeatures");
    await http.waitForApplied(features);
    expect(await http.query(`select feature, value from ${features} order by feature`)).toEqual([
      { feature: "atm_iv", value: 0.14 },
      { feature: "iv_rank", value: null },
      { feature: "rv_20", value: 0.11 },
    ]);
    expect(await count(w.tableName("quotes"))).toBe(10);
    const [ddl] = await http.query<{
      dedup: boolean;
      walEnabled: boolean;
      partitionBy: string;
      designatedTimestamp: string;
    }>(
      `select dedup, walEnabled, partitionBy, designatedTimestamp from tables() where table_name = '${w.tableName("quotes")}'`,
    );
    expect(ddl).toEqual({ dedup: true, walEnabled: true, partitionBy: "DAY", designatedTimestamp: "ts" });
  });

  it("never doubles a row when the same batch is sent again, and upserts changed values", async () => {
    const prefix = `${uniqueName("it")}_`;
    const w = await openWriter({ tablePrefix: prefix });
    const batch = Array.from({ length: 500 }, (_, i) => optionQuote(i));
    for (const e of batch) w.write(e);
    await w.flush();
    for (const e of batch) w.write(e);
    await w.flush();
    const quotes = w.tableName("quotes");
    expect(await count(quotes)).toBe(500);

    // A re-sent row with a corrected value replaces the stored one instead of adding a second.
    w.write({ ...(optionQuote(7) as Extract<Event, { kind: "OptionQuote" }>), bid: 0.5 });
    await w.flush();
    expect(await count(quotes)).toBe(500);
    expect(await http.query(`select bid from ${quotes} where seq = 7`)).toEqual([{ bid: 0.5 }]);
  });

  it("signals backpressure when its buffer is full and releases it once rows are written", async () => {
    const w = await openWriter({ tablePrefix: `${uniqueName("it")}_`, flushRows: 100, maxBufferedRows: 100 });
    const pressures: (Promise<void> | undefined)[] = [];
    for (let i = 0; i < 99; i++) pressures.push(w.write(underlyingTick(i)));
    expect(pressures.every((p) => p === undefined)).toBe(true);
    const full = w.write(underlyingTick(99));
    expect(full).toBeInstanceOf(Promise);
    await full;
    expect(w.backpressure()).toBeUndefined();
    await w.flush();
    expect(await count(w.tableName("underlyingTicks"))).toBe(100);
  });

  it("drops and reports only the rows QuestDB refuses, writing the rest of their batch", async () => {
    const prefix = `${uniqueName("it")}_`;
    // A table made by someone else with an incompatible column: last_price as a timestamp.
    await http.exec(
      `create table ${prefix}quotes (ts timestamp, contract symbol, last_price timestamp) timestamp(ts) partition by day wal dedup upsert keys(ts, contract)`,
    );
    const rejected: RejectedRow[] = [];
    const w = await openWriter({ tablePrefix: prefix, onRejected: (r) => rejected.push(r) });
    for (let i = 0; i < 6; i++) {
      const q = optionQuote(i) as Extract<Event, { kind: "OptionQuote" }>;
      w.write(i % 3 === 0 ? { ...q, last: 1.5 } : q);
    }
    await w.flush();
    expect(
      rejected.map((r) => [r.table, r.ts, r.ilp?.toString("latin1").startsWith(`${prefix}quotes,`)]),
    ).toEqual([
      ["quotes", optionQuote(0).eventTime, true],
      ["quotes", optionQuote(3).eventTime, true],
    ]);
    expect(w.stats()).toMatchObject({ writtenRows: 4, rejectedRows: 2, bufferedRows: 0 });
    expect(await count(`${prefix}quotes`)).toBe(4);

    // A row ILP cannot carry never reaches QuestDB; it is reported with the row itself.
    w.writeRows([{ table: "quotes", ts: optionQuote(9).eventTime, values: { contract: "X", seq: 1.5 } }]);
    await w.flush();
    expect(rejected[2]).toMatchObject({
      table: "quotes",
      reason: expect.stringContaining("seq: expected an integer"),
    });
    expect(rejected[2]?.row?.values).toEqual({ contract: "X", seq: 1.5 });
    expect(w.stats()).toMatchObject({ writtenRows: 4, rejectedRows: 3, bufferedRows: 0 });
  });

  it("keeps rows through a QuestDB outage and writes them all once it is back", async () => {
    const prefix = `${uniqueName("it")}_`;
    const w = await openWriter({
      tablePrefix: prefix,
      flushRows: 1_000,
      attemptTimeoutMs: 1_000,
      retry: { initialDelayMs: 50, maxDelayMs: 500 },
    });
    for (let i = 0; i < 2_000; i++) w.write(optionQuote(i));
    await w.flush();

    await services("stop-questdb");
    for (let i = 2_000; i < 5_000; i++) w.write(optionQuote(i));
    const flushed = w.flush();
    await eventually(() => w.stats().failedAttempts > 0, "a failed write while QuestDB is down");
    expect(w.stats().bufferedRows).toBe(3_000);
    await services("start-questdb");
    await flushed;

    expect(w.stats()).toMatchObject({ bufferedRows: 0, writtenRows: 5_000, rejectedRows: 0 });
    const quotes = w.tableName("quotes");
    expect(await count(quotes)).toBe(5_000);
    const [range] = await http.query<{ lo: number; hi: number }>(
      `select min(seq) lo, max(seq) hi from ${quotes}`,
    );
    expect(range).toEqual({ lo: 0, hi: 4_999 });
  });
});
