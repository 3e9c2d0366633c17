import { type Event, encodeEvent, eventKinds, eventSchemas, SCHEMA_VERSION } from "@thetaflow/schemas";
import { Arbitrary, type Schema } from "effect";
import fc from "fast-check";
import type { Message } from "kafkajs";
import { describe, expect, it } from "vitest";
import {
  type DecodedRecord,
  decodeKafkaRecord,
  decodeKafkaRecordEvents,
  type KafkaRecord,
  partitionKeyOf,
  toKafkaMessage,
  toKafkaMessages,
} from "./codec.js";

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

/** A kafkajs-like record from a produced message (string headers become Buffers, as on the wire). */
const received = (m: Message, offset = origin.offset): KafkaRecord => ({
  value: Buffer.from(m.value as string),
  timestamp: m.timestamp!,
  offset,
  headers: Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [k, Buffer.from(String(v))])),
});

const decodeAll = (record: KafkaRecord) => {
  const out: { decoded: DecodedRecord; index: number | undefined }[] = [];
  decodeKafkaRecordEvents(record, origin, "src", (decoded, index) => out.push({ decoded, index }));
  return out;
};

const chainQuote = (underlying: string, i: number) => ({
  ...quote,
  seq: i,
  underlying,
  contract: `${underlying.padEnd(6)}190315P00${String(200 + i).padStart(3, "0")}000`,
  strike: 200 + i,
});
const asEvent = (x: unknown): Event => {
  const d = decodeKafkaRecord(asRecord(JSON.stringify(x)), origin, "src");
  if (!d.ok) throw new Error(d.event.reason);
  return d.event;
};

describe("batch records", () => {
  it("give back every event in order, whatever the keys and bounds", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("SPY", "AAPL", "QQQ"), { maxLength: 40 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 200, max: 4_000 }),
        (keys, maxEvents, maxBytes) => {
          const events = keys.map((k, i) => asEvent(chainQuote(k, i)));
          const messages = toKafkaMessages(events, { batching: { maxEvents, maxBytes } });
          const back = messages.flatMap((m) => decodeAll(received(m)));
          expect(back.every((b) => b.decoded.ok)).toBe(true);
          expect(back.map((b) => b.decoded.event)).toEqual(events);
          for (const m of messages) {
            const count = Number(m.headers?.batch ?? 1);
            expect(count).toBeLessThanOrEqual(maxEvents);
            // A record over the byte bound only when it holds a single event.
            if (count > 1) expect((m.value as string).length).toBeLessThanOrEqual(maxBytes);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("merge only consecutive events of one key; a run of one stays a single-event record", () => {
    const events = ["SPY", "SPY", "SPY", "AAPL", "SPY", "SPY"].map((k, i) => asEvent(chainQuote(k, i)));
    const messages = toKafkaMessages(events, { batching: { maxEvents: 1000 } });
    expect(messages.map((m) => [m.key, m.headers?.batch])).toEqual([
      ["SPY", "3"],
      ["AAPL", undefined],
      ["SPY", "2"],
    ]);
    expect(messages[1]).toEqual(toKafkaMessage(events[3]!));
    expect(messages[0]!.timestamp).toBe(toKafkaMessage(events[0]!).timestamp);
    // Without batching, the records are exactly the single-event ones.
    expect(toKafkaMessages(events)).toEqual(events.map((e) => toKafkaMessage(e)));
  });

  it("name a kind only when every element has it", () => {
    const tick = asEvent({
      kind: "UnderlyingTick",
      eventTime: quote.eventTime,
      seq: 9,
      symbol: "SPY",
      price: 270,
    });
    const [same] = toKafkaMessages([asEvent(chainQuote("SPY", 1)), asEvent(chainQuote("SPY", 2))], {
      batching: {},
    });
    expect(same!.headers).toEqual({ "schema-version": SCHEMA_VERSION, batch: "2", kind: "OptionQuote" });
    const [mixed] = toKafkaMessages([tick, asEvent(chainQuote("SPY", 1))], { batching: {} });
    expect(mixed!.headers).toEqual({ "schema-version": SCHEMA_VERSION, batch: "2" });
    expect(decodeAll(received(mixed!)).map((b) => b.decoded.event.kind)).toEqual([
      "UnderlyingTick",
      "OptionQuote",
    ]);
  });

  it("turn a bad element into a DeadLetter at offset#index and decode the rest", () => {
    const good = JSON.stringify(chainQuote("SPY", 1));
    const crossed = JSON.stringify({ ...chainQuote("SPY", 2), bid: 9 });
    const record = asRecord(`[${good},${crossed},${good}]`, { "schema-version": "1", batch: "3" });
    const out = decodeAll(record);
    expect(out.map((b) => [b.decoded.ok, b.index])).toEqual([
      [true, 0],
      [false, 1],
      [true, 2],
    ]);
    expect(out[1]!.decoded.event).toEqual({
      kind: "DeadLetter",
      eventTime: quote.eventTime,
      seq: 41,
      nodeId: "src",
      reason: expect.stringContaining("crossed quote"),
      raw: crossed,
      origin: "thetaflow.option-quotes/2/41#1",
    });
  });

  it("checks each element against the record's kind header", () => {
    const tick = { kind: "UnderlyingTick", eventTime: quote.eventTime, seq: 9, symbol: "SPY", price: 270 };
    const { kind: _kind, ...bare } = chainQuote("SPY", 3);
    const out = decodeAll(asRecord(JSON.stringify([bare, tick]), { batch: "2", kind: "OptionQuote" }));
    expect(out[0]!.decoded.ok && out[0]!.decoded.event.kind).toBe("OptionQuote");
    expect(out[1]!.decoded.event).toMatchObject({
      kind: "DeadLetter",
      reason: expect.stringContaining("does not match"),
      origin: "thetaflow.option-quotes/2/41#1",
    });
  });

  it("refuse a record that is not a valid batch as one DeadLetter", () => {
    const q = JSON.stringify(chainQuote("SPY", 1));
    const cases: [string | null, Record<string, string>, string][] = [
      [`[${q},${q}`, { batch: "2" }, "invalid JSON batch"],
      [q, { batch: "1" }, "not a JSON array"],
      [`[${q}]`, { batch: "2" }, "an array of 1"],
      [`[${q}]`, { batch: "many" }, "not a positive count"],
      [`[${q}]`, { batch: "0" }, "not a positive count"],
      [`[${q}]`, { batch: "1", "schema-version": "9" }, 'schema-version "9"'],
      [null, { batch: "1" }, "empty batch"],
    ];
    for (const [value, headers, reason] of cases) {
      const out = decodeAll(asRecord(value, headers));
      expect(out).toHaveLength(1);
      expect(out[0]!.index).toBeUndefined();
      expect(out[0]!.decoded.event).toMatchObject({
        kind: "DeadLetter",
        reason: expect.stringContaining(reason),
        origin: "thetaflow.option-quotes/2/41",
      });
    }
  });

  it("decode a single-event record as before (mixed topics)", () => {
    const out = decodeAll(asRecord(JSON.stringify(quote), { "schema-version": "1", kind: "OptionQuote" }));
    expect(out).toHaveLength(1);
    expect(out[0]!.index).toBeUndefined();
    expect(out[0]!.decoded.ok).toBe(true);
  });

  it("never throw, whatever the bytes under a batch header", () => {
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.string()), fc.string({ maxLength: 4 }), (value, count) => {
        const out = decodeAll(asRecord(value, { batch: count }));
        expect(out.length).toBeGreaterThan(0);
        for (const b of out) expect(b.decoded.ok || b.decoded.event.kind === "DeadLetter").toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
