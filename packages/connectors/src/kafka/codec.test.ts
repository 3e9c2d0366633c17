import { type Event, encodeEvent, eventKinds, eventSchemas, SCHEMA_VERSION } from "@thetaflow/schemas";
import { Arbitrary, type Schema } from "effect";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeKafkaRecord, type KafkaRecord, partitionKeyOf, toKafkaMessage } from "./codec.js";

const origin = { topic: "thetaflow.option-quotes", partition: 2, offset: "41" };

const asRecord = (value: string | Buffer | null, headers?: KafkaRecord["headers"]): KafkaRecord => ({
  value: typeof value === "string" ? Buffer.from(value) : value,
  timestamp: "1552660200000",
  offset: origin.offset,
  headers,
});

const quote = {
  kind: "OptionQuote",
  eventTime: 1_552_660_200_000_000,
  seq: 7,
  contract: "SPY   190315P00260000",
  underlying: "SPY",
  expiry: "2019-03-15",
  strike: 260,
  right: "put",
  style: "american",
  bid: 2.0,
  ask: 2.1,
};

describe("Kafka record codec", () => {
  for (const kind of eventKinds) {
    it(`${kind}: toKafkaMessage -> decodeKafkaRecord gives the event back`, () => {
      const arb = Arbitrary.make(eventSchemas[kind] as Schema.Schema<Event, unknown, never>);
      fc.assert(
        fc.property(arb, (event) => {
          const message = toKafkaMessage(event);
          expect(message.headers).toEqual({ "schema-version": SCHEMA_VERSION, kind });
          expect(message.key).toBe(partitionKeyOf(event));
          const back = decodeKafkaRecord(
            asRecord(message.value as string, {
              "schema-version": Buffer.from(SCHEMA_VERSION),
              kind: Buffer.from(kind),
            }),
            origin,
            "kafka-source",
          );
          expect(back.ok).toBe(true);
          expect(JSON.stringify(encodeEvent(back.event))).toBe(message.value);
        }),
        { numRuns: 20 },
      );
    });
  }

  for (const kind of eventKinds) {
    it(`${kind}: the unvalidated fast path writes the same bytes for a decoded event`, () => {
      const arb = Arbitrary.make(eventSchemas[kind] as Schema.Schema<Event, unknown, never>);
      fc.assert(
        fc.property(arb, (event) => {
          const decoded = decodeKafkaRecord(asRecord(toKafkaMessage(event).value as string), origin, "src");
          expect(decoded.ok).toBe(true);
          expect(toKafkaMessage(decoded.event, { validate: false }).value).toBe(
            toKafkaMessage(decoded.event).value,
          );
        }),
        { numRuns: 20 },
      );
    });
  }

  it("keys market and trading events by underlying symbol", () => {
    const decoded = decodeKafkaRecord(asRecord(JSON.stringify(quote)), origin, "src");
    expect(decoded.ok && partitionKeyOf(decoded.event)).toBe("SPY");
    const tick = { kind: "UnderlyingTick", eventTime: 1, seq: 0, symbol: "QQQ", price: 300 } as const;
    expect(partitionKeyOf(tick)).toBe("QQQ");
  });

  it("stamps the record with the event time in milliseconds", () => {
    const tick = {
      kind: "IndexTick",
      eventTime: 1_552_660_200_123_456,
      seq: 0,
      symbol: "VIX",
      value: 14.2,
    } as const;
    expect(toKafkaMessage(tick).timestamp).toBe("1552660200123");
  });

  it("turns invalid JSON into a DeadLetter with reason, raw payload and origin", () => {
    const r = decodeKafkaRecord(asRecord("{not json"), origin, "kafka:quotes");
    expect(r).toEqual({
      ok: false,
      event: {
        kind: "DeadLetter",
        eventTime: 1_552_660_200_000_000,
        seq: 41,
        nodeId: "kafka:quotes",
        reason: expect.stringContaining("invalid JSON"),
        raw: "{not json",
        origin: "thetaflow.option-quotes/2/41",
      },
    });
  });

  it("refuses a schema violation, keeping the payload's own event time", () => {
    const crossed = { ...quote, bid: 2.5 };
    const r = decodeKafkaRecord(asRecord(JSON.stringify(crossed)), origin, "src");
    expect(r.ok).toBe(false);
    expect(r.event).toMatchObject({
      reason: expect.stringContaining("crossed quote"),
      eventTime: quote.eventTime,
    });
  });

  it("refuses another schema version and a kind header that contradicts the payload", () => {
    const v9 = decodeKafkaRecord(asRecord(JSON.stringify(quote), { "schema-version": "9" }), origin, "src");
    expect(v9.event).toMatchObject({
      kind: "DeadLetter",
      reason: expect.stringContaining('schema-version "9"'),
    });
    const mixed = decodeKafkaRecord(asRecord(JSON.stringify(quote), { kind: "Fill" }), origin, "src");
    expect(mixed.event).toMatchObject({
      kind: "DeadLetter",
      reason: expect.stringContaining("does not match"),
    });
  });

  it("accepts a payload without kind when the header names it", () => {
    const { kind: _kind, ...bare } = quote;
    const r = decodeKafkaRecord(asRecord(JSON.stringify(bare), { kind: "OptionQuote" }), origin, "src");
    expect(r.ok).toBe(true);
    expect(r.event.kind).toBe("OptionQuote");
  });

  it("turns tombstones and non-UTF-8 bytes into dead letters", () => {
    expect(decodeKafkaRecord(asRecord(null), origin, "src").event).toMatchObject({
      reason: expect.stringContaining("tombstone"),
    });
    const binary = decodeKafkaRecord(asRecord(Buffer.from([0xff, 0xfe, 0x00])), origin, "src");
    expect(binary.event).toMatchObject({ kind: "DeadLetter", raw: "base64://4A" });
  });

  it("never throws, whatever the bytes and headers", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }),
        fc.option(fc.string()),
        fc.option(fc.string()),
        (bytes, v, k) => {
          const headers = {
            ...(v === null ? {} : { "schema-version": v }),
            ...(k === null ? {} : { kind: k }),
          };
          const r = decodeKafkaRecord(asRecord(Buffer.from(bytes), headers), origin, "src");
          expect(r.ok || r.event.kind === "DeadLetter").toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
