import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  BATCH_HEADER,
  createKafkaClient,
  decodeKafkaRecordEvents,
  ensureTopics,
  type KafkaRecord,
  KafkaSinkParams,
  KIND_HEADER,
  kafkaSink,
  type TransactionalSink,
} from "@thetaflow/connectors";
import type { EventSink } from "@thetaflow/core";
import type { Event } from "@thetaflow/schemas";
import { Schema } from "effect";
import type { Kafka } from "kafkajs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { eventually, historicalTopic, optionQuote, underlyingTick, uniqueName } from "./helpers.js";

let dir: string;
let kafka: Kafka;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "thetaflow-sink-batches-"));
  kafka = createKafkaClient({ brokers: inject("kafkaBrokers"), clientId: "sink-batches-test" });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface RawRecord extends KafkaRecord {
  readonly key: string;
  readonly partition: number;
}

/** Every record of a topic with its headers (committed ones only unless readUncommitted). */
const readRecords = async (
  topic: string,
  expected: number,
  readUncommitted = false,
): Promise<RawRecord[]> => {
  const consumer = kafka.consumer({ groupId: uniqueName("reader"), readUncommitted });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const records: RawRecord[] = [];
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      records.push({
        key: message.key?.toString("utf8") ?? "",
        partition,
        value: message.value,
        timestamp: message.timestamp,
        offset: message.offset,
        headers: message.headers,
      });
    },
  });
  try {
    await eventually(() => records.length >= expected, `${expected} records of ${topic}`);
  } finally {
    await consumer.disconnect();
  }
  return records;
};

/** The events a record carries, decoded as the live input decodes them (batch or single). */
const eventsOf = (records: readonly RawRecord[], topic: string): Event[] => {
  const events: Event[] = [];
  for (const r of records)
    decodeKafkaRecordEvents(r, { topic, partition: r.partition, offset: r.offset }, "test", (d) => {
      expect(d.ok, JSON.stringify(d.event)).toBe(true);
      events.push(d.event);
    });
  return events;
};

const header = (r: RawRecord, name: string): string | undefined => r.headers?.[name]?.toString();

const openSink = async (params: Record<string, unknown>, sinkId: string): Promise<EventSink> =>
  kafkaSink.open(Schema.decodeUnknownSync(KafkaSinkParams)({ brokers: inject("kafkaBrokers"), ...params }), {
    sinkId,
    outDir: join(dir, sinkId),
    baseDir: dir,
  });

// Five SPY quotes, three AAPL quotes, two SPY quotes again: runs of one key are consecutive only.
const quotes = (offset: number): Event[] => [
  ...[0, 1, 2, 3, 4].map((i) => optionQuote(offset + i, "SPY")),
  ...[5, 6, 7].map((i) => optionQuote(offset + i, "AAPL")),
  ...[8, 9].map((i) => optionQuote(offset + i, "SPY")),
];

describe("kafka sink batch records", () => {
  it("batchMax merges consecutive same-key events into batch records the source decodes back", async () => {
    const prefix = uniqueName("tf_sinkb");
    const quoteTopic = `${prefix}.option-quotes`;
    const tickTopic = `${prefix}.underlying-ticks`;
    await ensureTopics(kafka, [historicalTopic(quoteTopic, 1), historicalTopic(tickTopic, 1)]);
    const sent = [...quotes(0), underlyingTick(20, "SPY")];
    const sink = await openSink({ topicPrefix: prefix, batchMax: 4 }, "batched");
    for (const e of sent) sink.write(e);
    await sink.flush();
    await sink.close();

    const records = await readRecords(quoteTopic, 4);
    // SPY 5 -> 4 + 1 (bound), AAPL 3 -> one batch, SPY 2 -> one batch; a run of one stays single.
    expect(records.map((r) => [r.key, header(r, BATCH_HEADER)])).toEqual([
      ["SPY", "4"],
      ["SPY", undefined],
      ["AAPL", "3"],
      ["SPY", "2"],
    ]);
    expect(records.every((r) => header(r, KIND_HEADER) === "OptionQuote")).toBe(true);
    expect(eventsOf(records, quoteTopic)).toEqual(sent.slice(0, 10));
    const ticks = await readRecords(tickTopic, 1);
    expect(ticks.map((r) => header(r, BATCH_HEADER))).toEqual([undefined]);
    expect(eventsOf(ticks, tickTopic)).toEqual(sent.slice(10));
  });

  it("without batchMax the sink writes one record per event, as before", async () => {
    const prefix = uniqueName("tf_sinks");
    const topic = `${prefix}.option-quotes`;
    await ensureTopics(kafka, [historicalTopic(topic, 1)]);
    const sent = quotes(100);
    const sink = await openSink({ topicPrefix: prefix }, "single");
    for (const e of sent) sink.write(e);
    await sink.close();
    const records = await readRecords(topic, sent.length);
    expect(records).toHaveLength(sent.length);
    expect(records.every((r) => header(r, BATCH_HEADER) === undefined)).toBe(true);
    expect(eventsOf(records, topic)).toEqual(sent);
  });

  it("exactly-once: batch records become visible with their transaction's commit, aborted ones never", async () => {
    const prefix = uniqueName("tf_sinkt");
    const topic = `${prefix}.option-quotes`;
    await ensureTopics(kafka, [historicalTopic(topic, 1)]);
    const committed = quotes(200);
    const aborted = quotes(300);
    const transactionalId = uniqueName("tx");
    const open = async () =>
      (await openSink(
        { topicPrefix: prefix, batchMax: 1000, exactlyOnce: true, transactionalId },
        "eos",
      )) as TransactionalSink;
    const sink = await open();
    for (const e of committed) sink.write(e);
    await sink.commitTransaction();
    for (const e of aborted) sink.write(e);
    await sink.flush();
    // Closing without a commit aborts what the run did not checkpoint.
    await sink.close();
    // A restarted writer (same transactional id) commits one more quote: once a read_committed
    // reader sees it, it has passed the aborted records.
    const restarted = await open();
    const last = optionQuote(400, "QQQ");
    restarted.write(last);
    await restarted.commitTransaction();
    await restarted.close();

    const all = await readRecords(topic, 7, true);
    expect(all.map((r) => header(r, BATCH_HEADER))).toEqual(["5", "3", "2", "5", "3", "2", undefined]);
    const visible = await readRecords(topic, 4);
    expect(visible.map((r) => r.offset)).toEqual([0, 1, 2, 8].map(String));
    expect(eventsOf(visible, topic)).toEqual([...committed, last]);
  });
});
