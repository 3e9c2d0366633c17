import { type Event, eventSchemas } from "@thetaflow/schemas";
import { Arbitrary, type Schema } from "effect";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileTables, IlpBatch } from "./encode.js";
import { riskDecisionRow, rowsOf } from "./rows.js";
import { officialBuffer, writeOfficial } from "./testing/ilpReference.js";

const tablesUnder = compileTables("t_");
const storedEvents = fc.oneof(
  ...(
    [
      "UnderlyingTick",
      "IndexTick",
      "OptionQuote",
      "Greeks",
      "VolFeatures",
      "Regime",
      "Signal",
      "OrderIntent",
    ] as const
  ).map((k) => Arbitrary.make(eventSchemas[k] as Schema.Schema<Event, unknown, never>)),
  ...(["RiskDecision", "Order", "Fill", "Position", "PortfolioSnapshot", "DeadLetter"] as const).map((k) =>
    Arbitrary.make(eventSchemas[k] as Schema.Schema<Event, unknown, never>),
  ),
);

describe("ILP encoding", () => {
  it("produces byte for byte what the official client's SenderBufferV2 produces", async () => {
    const reference = await officialBuffer();
    const batch = new IlpBatch(64);
    fc.assert(
      fc.property(fc.array(storedEvents, { maxLength: 4 }), (events) => {
        reference.reset();
        batch.reset();
        for (const row of events.flatMap(rowsOf)) {
          batch.append(tablesUnder[row.table], row);
          writeOfficial(reference, tablesUnder[row.table], row);
        }
        expect(batch.bytes().equals(reference.toBufferView() ?? Buffer.alloc(0))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("in ILP v1 (text doubles) produces byte for byte what SenderBufferV1 produces", async () => {
    const reference = await officialBuffer(1);
    const batch = new IlpBatch(64, 1);
    // Beside the schemas' values: doubles whose shortest decimal needs an exponent or 17 digits.
    const doubles = fc.constantFrom(
      5e-324,
      1.7976931348623157e308,
      0.1 + 0.2,
      -1e-7,
      1e21,
      123456789.12345679,
    );
    fc.assert(
      fc.property(fc.array(storedEvents, { maxLength: 4 }), doubles, (events, price) => {
        reference.reset();
        batch.reset();
        const tick = {
          kind: "UnderlyingTick",
          eventTime: 1_552_660_200_000_001,
          seq: 1,
          symbol: "SPY",
          price,
        } as const;
        for (const row of [...events, tick].flatMap((e) => rowsOf(e as Event))) {
          batch.append(tablesUnder[row.table], row);
          writeOfficial(reference, tablesUnder[row.table], row);
        }
        expect(batch.bytes().equals(reference.toBufferView() ?? Buffer.alloc(0))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("matches the official bytes for any Unicode text in symbols and strings", async () => {
    const reference = await officialBuffer();
    const batch = new IlpBatch(16);
    const text = fc.string({ unit: "grapheme", minLength: 1 });
    fc.assert(
      fc.property(text, text, text, (nodeId, reason, raw) => {
        reference.reset();
        batch.reset();
        const [row] = rowsOf({ kind: "DeadLetter", eventTime: 7, seq: 1, nodeId, reason, raw, origin: raw });
        batch.append(tablesUnder[row!.table], row!);
        writeOfficial(reference, tablesUnder[row!.table], row!);
        expect(batch.bytes().toString("hex")).toBe(reference.toBufferView()?.toString("hex"));
      }),
      { numRuns: 300 },
    );
  });

  it("escapes separators in symbols and quotes in strings", () => {
    const batch = new IlpBatch();
    const row = riskDecisionRow({
      kind: "RiskDecision",
      eventTime: 1_552_660_200_000_001,
      seq: 4,
      intentId: 'id "a"',
      underlying: "BRK B,x=1",
      accepted: false,
      quantity: 0,
      reasons: ["max open positions"],
      tradingState: "REDUCING",
    });
    batch.append(compileTables("")[row.table], row);
    expect(batch.bytes().toString()).toBe(
      'risk_decisions,underlying=BRK\\ B\\,x\\=1,trading_state=REDUCING intent_id="id \\"a\\"",accepted=f,' +
        'quantity=0i,reasons="[\\"max open positions\\"]",seq=4i 1552660200000001t\n',
    );
  });

  it("leaves no part of a row it refuses, and the batch stays usable", () => {
    const batch = new IlpBatch();
    const tables = compileTables("");
    const good = riskDecisionRow({
      kind: "RiskDecision",
      eventTime: 1,
      seq: 1,
      intentId: "i",
      underlying: "SPY",
      accepted: true,
      quantity: 1,
      reasons: [],
      tradingState: "ACTIVE",
    });
    batch.append(tables.riskDecisions, good);
    const before = batch.bytes();
    expect(() =>
      batch.append(tables.riskDecisions, { ...good, values: { ...good.values, quantity: 1.5 } }),
    ).toThrow(/quantity: expected an integer/);
    expect(() => batch.append(tables.riskDecisions, { ...good, ts: -1 })).toThrow(/designated timestamp/);
    expect(batch.bytes().equals(before)).toBe(true);
    expect(batch.rows).toBe(1);
    batch.append(tables.riskDecisions, good);
    expect(batch.rows).toBe(2);
  });
});
