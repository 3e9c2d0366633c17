import { type Event, eventSchemas } from "@thetaflow/schemas";
import { Schema } from "effect";
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from "kafkajs";
import { describe, expect, it } from "vitest";
import { toKafkaMessage, toKafkaMessages } from "./codec.js";
import { type ConsumedBatch, EventConsumer } from "./consumer.js";

/** A quote as the schema decodes it (defaults filled in), so encoding it round-trips. */
const quote = (seq: number): Event =>
  Schema.decodeUnknownSync(eventSchemas.OptionQuote)({
    kind: "OptionQuote",
    eventTime: 1_552_660_200_000_000,
    seq,
    contract: "SPY   190315P00260000",
    underlying: "SPY",
    expiry: "2019-03-15",
    strike: 260,
    right: "put",
    style: "american",
    bid: 2.0,
    ask: 2.1,
  }) as Event;

type Sent = ReturnType<typeof toKafkaMessage>;
const asFetched = (messages: readonly Sent[]): KafkaMessage[] =>
  messages.map((m, i) => ({
    key: m.key === undefined || m.key === null ? null : Buffer.from(m.key),
    value: Buffer.from(m.value),
    headers: Object.fromEntries(Object.entries(m.headers).map(([k, v]) => [k, Buffer.from(v)])),
    offset: String(100 + i),
    timestamp: "0",
    attributes: 0,
  }));

/** A kafkajs stand-in that hands one fetch to `eachBatch` and records what the consumer resolves. */
const fakeKafka = (messages: KafkaMessage[], staleAfterResolves = Number.POSITIVE_INFINITY) => {
  const resolved: string[] = [];
  let eachBatch: ((p: EachBatchPayload) => Promise<void>) | undefined;
  const consumer = {
    connect: async () => {},
    subscribe: async () => {},
    run: async (config: { eachBatch: (p: EachBatchPayload) => Promise<void> }) => {
      eachBatch = config.eachBatch;
    },
  } as unknown as Consumer;
  const kafka = { consumer: () => consumer } as unknown as Kafka;
  const deliver = () =>
    eachBatch!({
      batch: {
        topic: "t",
        partition: 0,
        highWatermark: String(100 + messages.length),
        messages,
        lastOffset: () => messages[messages.length - 1]!.offset,
      },
      resolveOffset: (o: string) => resolved.push(o),
      heartbeat: async () => {},
      isRunning: () => true,
      isStale: () => resolved.length >= staleAfterResolves,
    } as unknown as EachBatchPayload);
  return { kafka, deliver, resolved };
};

const consume = async (messages: KafkaMessage[], sliceEvents: number, staleAfter?: number) => {
  const { kafka, deliver, resolved } = fakeKafka(messages, staleAfter);
  const c = await EventConsumer.connect(kafka, { groupId: "g", topics: ["t"], nodeId: "n", sliceEvents });
  const slices: ConsumedBatch[] = [];
  await c.run(async (b) => {
    slices.push(b);
  });
  await deliver();
  return { slices, resolved };
};

describe("EventConsumer slices a fetch", () => {
  it("into runs of whole single-event records holding at least sliceEvents events", async () => {
    const fetched = asFetched(Array.from({ length: 10 }, (_, i) => toKafkaMessage(quote(i + 1))));
    const { slices, resolved } = await consume(fetched, 4);
    expect(slices.map((s) => s.records.map((r) => r.event.seq))).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
      [9, 10],
    ]);
    expect(slices.map((s) => s.lastOffset)).toEqual(["103", "107", "109"]);
    // Each slice is consumed (resolved) once its handler returned, never ahead of it.
    expect(resolved).toEqual(["103", "107", "109"]);
    expect(new Set(slices.map((s) => s.receivedAtMs)).size).toBe(1);
  });

  it("never splits a batch record, whatever the slice size", async () => {
    const events = Array.from({ length: 9 }, (_, i) => quote(i + 1));
    const records = toKafkaMessages(events, { batching: { maxEvents: 3 } });
    expect(records).toHaveLength(3);
    const { slices } = await consume(asFetched(records), 2);
    expect(slices.map((s) => s.records.map((r) => `${r.origin.offset}#${r.index}`))).toEqual([
      ["100#0", "100#1", "100#2"],
      ["101#0", "101#1", "101#2"],
      ["102#0", "102#1", "102#2"],
    ]);
  });

  it("stops between slices once the partition is no longer ours", async () => {
    const fetched = asFetched(Array.from({ length: 10 }, (_, i) => toKafkaMessage(quote(i + 1))));
    const { slices, resolved } = await consume(fetched, 4, 1);
    expect(slices).toHaveLength(1);
    expect(resolved).toEqual(["103"]);
  });
});
