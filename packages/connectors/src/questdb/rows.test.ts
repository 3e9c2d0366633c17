import { type Event, type EventKind, eventSchemas } from "@thetaflow/schemas";
import { Arbitrary, type Schema } from "effect";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rowsOf } from "./rows.js";
import { type ColumnType, createTableSql, tables } from "./tables.js";
import { chainCall } from "./testing/ilpReference.js";

const storedKinds: EventKind[] = [
  "UnderlyingTick",
  "IndexTick",
  "OptionQuote",
  "ChainSnapshot",
  "Greeks",
  "VolFeatures",
  "Regime",
  "Signal",
  "OrderIntent",
  "RiskDecision",
  "Order",
  "Fill",
  "Position",
  "PortfolioSnapshot",
  "DeadLetter",
];

const fitsColumn = (type: ColumnType, value: unknown): boolean => {
  switch (type) {
    case "DOUBLE":
      return typeof value === "number" && Number.isFinite(value);
    case "LONG":
      return typeof value === "number" && Number.isSafeInteger(value);
    case "BOOLEAN":
      return typeof value === "boolean";
    case "SYMBOL":
    case "VARCHAR":
      return typeof value === "string";
  }
};

describe("QuestDB rows derived from the schemas", () => {
  for (const kind of storedKinds) {
    it(`${kind}: every value lands in a declared column of its type, keyed on ts = eventTime`, () => {
      const arb = Arbitrary.make(eventSchemas[kind] as Schema.Schema<Event, unknown, never>);
      fc.assert(
        fc.property(arb, (event) => {
          for (const row of rowsOf(event)) {
            const spec = tables[row.table];
            const columns = spec.columns as Readonly<Record<string, ColumnType>>;
            expect(Number.isSafeInteger(row.ts) && row.ts >= 0).toBe(true);
            for (const [name, value] of Object.entries(row.values)) {
              expect(columns[name], `${spec.name}.${name} is declared`).toBeDefined();
              if (value !== undefined && value !== null) expect(fitsColumn(columns[name]!, value)).toBe(true);
            }
            for (const key of spec.dedupKeys) {
              const v = (row.values as Record<string, unknown>)[key];
              expect(v, `${spec.name} dedup key ${key} is set`).not.toBeUndefined();
              expect(v).not.toBeNull();
            }
          }
        }),
        { numRuns: 25 },
      );
    });
  }

  it("stores a chain snapshot as one quote row per contract", () => {
    const rows = rowsOf({
      kind: "ChainSnapshot",
      eventTime: 10,
      seq: 0,
      underlying: "SPY",
      spot: 270,
      quotes: [chainCall(260), chainCall(270)],
    });
    expect(rows.map((r) => [r.table, (r.values as { contract: string }).contract])).toEqual([
      ["quotes", "SPY   190315C00260000"],
      ["quotes", "SPY   190315C00270000"],
    ]);
  });

  it("stores vol features long, one row per feature in name order, nulls kept as NULL", () => {
    const rows = rowsOf({
      kind: "VolFeatures",
      eventTime: 99,
      seq: 3,
      underlying: "SPY",
      values: { rv_20: 0.12, iv_rank: null, atm_iv: 0.15 },
    });
    expect(rows.map((r) => r.values)).toEqual([
      { underlying: "SPY", feature: "atm_iv", value: 0.15, seq: 3 },
      { underlying: "SPY", feature: "iv_rank", value: null, seq: 3 },
      { underlying: "SPY", feature: "rv_20", value: 0.12, seq: 3 },
    ]);
  });

  it("writes no rows for kinds without a table", () => {
    expect(
      rowsOf({
        kind: "RegimeTransition",
        eventTime: 1,
        seq: 0,
        underlying: "SPY",
        from: "low_vol",
        to: "high_vol",
        daysInPrevious: 4,
      }),
    ).toEqual([]);
  });

  it("creates WAL tables partitioned by day with dedup on ts and the natural key", () => {
    expect(createTableSql(tables.quotes, "t1_")).toMatch(
      /^CREATE TABLE IF NOT EXISTS t1_quotes \(ts TIMESTAMP, contract SYMBOL, .* seq LONG\) TIMESTAMP\(ts\) PARTITION BY DAY WAL DEDUP UPSERT KEYS\(ts, contract\)$/,
    );
    expect(createTableSql(tables.equity)).toMatch(/DEDUP UPSERT KEYS\(ts\)$/);
    expect(createTableSql(tables.volFeatures)).toMatch(/KEYS\(ts, underlying, feature\)$/);
  });
});
