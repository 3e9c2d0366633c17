import { type Event, eventSchemas } from "@thetaflow/schemas";
import { Arbitrary, type Schema } from "effect";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileTables, IlpBatch } from "./encode.js";
import { compileEventEncoders } from "./eventEncoder.js";
import { rowMappings, rowsOf, type SingleRowKind } from "./rows.js";
import { officialBuffer, writeOfficial } from "./testing/ilpReference.js";

const tables = compileTables("p_");
const encoders = compileEventEncoders(tables);
const arbitrary = (kind: keyof typeof eventSchemas) =>
  Arbitrary.make(eventSchemas[kind] as Schema.Schema<Event, unknown, never>);

describe("compiled event -> ILP encoders", () => {
  for (const kind of Object.keys(rowMappings) as SingleRowKind[]) {
    it(`${kind}: the same bytes as the official SenderBufferV2 given the event's row`, async () => {
      const reference = await officialBuffer();
      const batch = new IlpBatch(32);
      fc.assert(
        fc.property(fc.array(arbitrary(kind), { minLength: 1, maxLength: 3 }), (events) => {
          reference.reset();
          batch.reset();
          for (const event of events) {
            encoders[kind](batch, event);
            for (const row of rowsOf(event)) writeOfficial(reference, tables[row.table], row);
          }
          expect(batch.rows).toBe(events.length);
          expect(batch.bytes().toString("hex")).toBe(reference.toBufferView()?.toString("hex"));
        }),
        { numRuns: 60 },
      );
    });
  }

  it("writes any Unicode text in symbols and strings as the official client does", async () => {
    const reference = await officialBuffer();
    const batch = new IlpBatch(16);
    const text = fc.string({ unit: "grapheme", minLength: 1 });
    fc.assert(
      fc.property(text, text, text, fc.option(text, { nil: undefined }), (nodeId, reason, raw, origin) => {
        reference.reset();
        batch.reset();
        const letter: Event = { kind: "DeadLetter", eventTime: 7, seq: 1, nodeId, reason, raw, origin };
        encoders.DeadLetter(batch, letter);
        writeOfficial(reference, tables.deadLetters, rowsOf(letter)[0]!);
        expect(batch.bytes().toString("hex")).toBe(reference.toBufferView()?.toString("hex"));
      }),
      { numRuns: 300 },
    );
  });

  it("writes integers of every width as decimal text, negative ones with their sign", () => {
    const batch = new IlpBatch(8);
    const widths = [0, 7, 10, 99, 100, 123_456_789, -42, -1_000_000_007, Number.MAX_SAFE_INTEGER];
    for (const quantity of widths) {
      batch.reset();
      encoders.RiskDecision(batch, {
        kind: "RiskDecision",
        eventTime: Number.MAX_SAFE_INTEGER,
        seq: 0,
        intentId: "i",
        underlying: "SPY",
        accepted: true,
        quantity,
        reasons: [],
        tradingState: "ACTIVE",
      });
      expect(batch.bytes().toString()).toBe(
        `p_risk_decisions,underlying=SPY,trading_state=ACTIVE intent_id="i",accepted=t,quantity=${quantity}i,` +
          `reasons="[]",seq=0i ${Number.MAX_SAFE_INTEGER}t\n`,
      );
    }
  });

  it("throws on a value its column cannot carry; after abortRow the batch holds only the rows before", () => {
    const batch = new IlpBatch();
    const tick = { kind: "UnderlyingTick", eventTime: 1, seq: 1, symbol: "SPY", price: 10 } as const;
    encoders.UnderlyingTick(batch, tick);
    const before = Buffer.from(batch.bytes());
    for (const bad of [
      { ...tick, seq: 1.5 },
      { ...tick, price: "10" },
      { ...tick, eventTime: -1 },
    ]) {
      expect(() => encoders.UnderlyingTick(batch, bad as unknown as Event)).toThrow();
      batch.abortRow();
      expect(batch.bytes().equals(before)).toBe(true);
      expect(batch.rows).toBe(1);
    }
    encoders.UnderlyingTick(batch, tick);
    expect(batch.rows).toBe(2);
  });
});
