import {
  type ConsumedEvent,
  createKafkaClient,
  EventConsumer,
  EventProducer,
  ensureTopics,
  topicForEvent,
} from "@thetaflow/connectors";
import { type Event, SCHEMA_VERSION } from "@thetaflow/schemas";
import type { Kafka } from "kafkajs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { eventually, optionQuote, services, underlyingTick, uniqueName } from "./helpers.js";

let kafka: Kafka;
const open: { disconnect(): Promise<void> }[] = [];
const track = <T extends { disconnect(): Promise<void> }>(c: T): T => {
  open.push(c);
  return c;
};

beforeAll(() => {
  kafka = createKafkaClient({ brokers: inject("kafkaBrokers"), clientId: "integration-test" });
});
afterAll(async () => {
  for (const c of open) await c.disconnect();
});

/** Runs an EventConsumer until `count` records arrived; returns them in arrival order. */
const consume = async (options: { groupId: string; topics: string[]; count: number; commit?: boolean }) => {
  // Short sessions: the next member of the same group need not wait 30 s for this one's partitions.
  const consumer = track(
    await EventConsumer.connect(kafka, {
      ...options,
      nodeId: "kafka-source",
      sessionTimeoutMs: 6_000,
      heartbeatIntervalMs: 500,
    }),
  );
  const seen: ConsumedEvent[] = [];
  await consumer.run(async (batch) => {
    seen.push(...batch.records);
    if (options.commit === true) await consumer.commitBatch(batch);
  });
  // Generous: right after a broker restart the group coordinator can take a while to come back.
  await eventually(
    () => seen.length >= options.count,
    `${options.count} records on ${options.topics.join(",")}`,
    150_000,
  );
  await consumer.disconnect();
  return seen;
};

describe("Kafka connector against a real broker", () => {
  it("creates topics with the requested partitions, idempotently, and grows them", async () => {
    const prefix = uniqueName("it");
    const topic = topicForEvent("OptionQuote", prefix);
    expect(await ensureTopics(kafka, [{ topic, partitions: 3 }])).toMatchObject({ created: [topic] });
    expect(await ensureTopics(kafka, [{ topic, partitions: 3 }])).toMatchObject({
      created: [],
      unchanged: [topic],
    });
    expect(await ensureTopics(kafka, [{ topic, partitions: 4 }])).toMatchObject({ expanded: [topic] });
    expect(await ensureTopics(kafka, [{ topic, partitions: 2 }])).toMatchObject({
      larger: [{ topic, partitions: 4 }],
    });
  });

  it("round-trips events with schema headers, keyed by underlying, in order per underlying", async () => {
    const prefix = uniqueName("it");
    const quotes = topicForEvent("OptionQuote", prefix);
    const ticks = topicForEvent("UnderlyingTick", prefix);
    await ensureTopics(kafka, [
      { topic: quotes, partitions: 3 },
      { topic: ticks, partitions: 3 },
    ]);
    const sent: Event[] = [];
    for (let i = 0; i < 60; i++)
      sent.push(optionQuote(i, ["SPY", "QQQ", "IWM"][i % 3]), underlyingTick(i, "SPY"));
    const producer = track(await EventProducer.connect(kafka, { topicPrefix: prefix }));
    await producer.send(sent);

    const got = await consume({ groupId: uniqueName("g"), topics: [quotes, ticks], count: sent.length });
    expect(got.every((r) => r.decoded)).toBe(true);
    expect(got.map((r) => r.event).sort(byTimeKindSeq)).toEqual([...sent].sort(byTimeKindSeq));
    for (const r of got) {
      const ev = r.event as { underlying?: string; symbol?: string };
      expect(r.key).toBe(ev.underlying ?? ev.symbol);
    }
    // One underlying lives on one partition, in the order it was sent.
    const spyQuotes = got.filter((r) => r.origin.topic === quotes && r.key === "SPY");
    expect(new Set(spyQuotes.map((r) => r.origin.partition)).size).toBe(1);
    expect(spyQuotes.map((r) => r.event.seq)).toEqual(
      sent.filter((e) => e.kind === "OptionQuote" && e.underlying === "SPY").map((e) => e.seq),
    );

    // The wire form, read with a plain kafkajs consumer: JSON value plus both headers.
    const raw = track(kafka.consumer({ groupId: uniqueName("raw") }));
    await raw.connect();
    await raw.subscribe({ topic: ticks, fromBeginning: true });
    const headers: Record<string, string>[] = [];
    await raw.run({
      eachMessage: async ({ message }) => {
        headers.push(
          Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
        );
        expect(JSON.parse(String(message.value))).toMatchObject({ kind: "UnderlyingTick", symbol: "SPY" });
      },
    });
    await eventually(() => headers.length >= 60, "raw tick records");
    expect(headers[0]).toEqual({ "schema-version": SCHEMA_VERSION, kind: "UnderlyingTick" });
  });

  it("turns undecodable records into DeadLetters naming topic/partition/offset, and keeps going", async () => {
    const prefix = uniqueName("it");
    const topic = topicForEvent("OptionQuote", prefix);
    await ensureTopics(kafka, [{ topic, partitions: 1 }]);
    const plain = track(kafka.producer());
    await plain.connect();
    const crossed = { ...(optionQuote(1) as object), bid: 9, ask: 1 };
    await plain.send({
      topic,
      messages: [
        { key: "SPY", value: "not json at all" },
        { key: "SPY", value: JSON.stringify(crossed) },
        { key: "SPY", value: JSON.stringify(optionQuote(2)), headers: { "schema-version": "0" } },
        { key: "SPY", value: JSON.stringify(optionQuote(3)) },
      ],
    });
    const got = await consume({ groupId: uniqueName("g"), topics: [topic], count: 4 });
    expect(got.map((r) => r.decoded)).toEqual([false, false, false, true]);
    expect(got[0]!.event).toMatchObject({
      kind: "DeadLetter",
      nodeId: "kafka-source",
      raw: "not json at all",
      origin: `${topic}/0/0`,
      reason: expect.stringContaining("invalid JSON"),
    });
    expect(got[1]!.event).toMatchObject({
      kind: "DeadLetter",
      origin: `${topic}/0/1`,
      reason: expect.stringContaining("crossed"),
    });
    expect(got[2]!.event).toMatchObject({
      kind: "DeadLetter",
      origin: `${topic}/0/2`,
      reason: expect.stringContaining("schema-version"),
    });
    expect(got[3]!.event).toEqual(optionQuote(3));
  });

  it("re-delivers everything after the last commit, and nothing before it", async () => {
    const prefix = uniqueName("it");
    const topic = topicForEvent("UnderlyingTick", prefix);
    await ensureTopics(kafka, [{ topic, partitions: 1 }]);
    const producer = track(await EventProducer.connect(kafka, { topicPrefix: prefix }));
    await producer.send([0, 1, 2, 3, 4].map((i) => underlyingTick(i)));
    const groupId = uniqueName("g");

    // First member consumes all five but acknowledges only up to seq 2 (offset 2).
    const first = await consume({ groupId, topics: [topic], count: 5 });
    expect(first.map((r) => r.event.seq)).toEqual([0, 1, 2, 3, 4]);
    const committer = track(
      await EventConsumer.connect(kafka, {
        groupId,
        topics: [topic],
        nodeId: "kafka-source",
        sessionTimeoutMs: 6_000,
        heartbeatIntervalMs: 500,
      }),
    );
    await committer.run(async (batch) => {
      const upTo = batch.records.filter((r) => r.event.seq <= 2).map((r) => r.origin);
      await committer.commit(upTo);
    });
    await eventually(
      async () => (await committedOffset(groupId, topic)) === "3",
      "offset 3 committed",
      120_000,
    );
    await committer.disconnect();

    const second = await consume({ groupId, topics: [topic], count: 2 });
    expect(second.map((r) => r.event.seq)).toEqual([3, 4]);
  });
});

describe("Kafka connector across a broker restart", () => {
  it("delivers every event exactly once when the broker restarts under a pending send", async () => {
    const prefix = uniqueName("it");
    const topic = topicForEvent("UnderlyingTick", prefix);
    await ensureTopics(kafka, [{ topic, partitions: 2 }]);
    // Retries outlast a broker restart (JVM start is a few seconds; far more on a loaded machine).
    const patient = createKafkaClient({
      brokers: inject("kafkaBrokers"),
      clientId: "restart-test",
      retries: 30,
    });
    const producer = track(await EventProducer.connect(patient, { topicPrefix: prefix }));
    await producer.send([0, 1, 2].map((i) => underlyingTick(i, i % 2 === 0 ? "SPY" : "QQQ")));

    await services("stop-kafka");
    const pending = producer.send([3, 4, 5].map((i) => underlyingTick(i, i % 2 === 0 ? "SPY" : "QQQ")));
    await services("start-kafka");
    await pending;

    const got = await consume({ groupId: uniqueName("g"), topics: [topic], count: 6 });
    expect(got.map((r) => r.event.seq).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]);
  });
});

const underlyingOf = (e: Event): string => ("underlying" in e ? e.underlying : "");
const byTimeKindSeq = (a: Event, b: Event): number =>
  a.eventTime - b.eventTime ||
  a.kind.localeCompare(b.kind) ||
  underlyingOf(a).localeCompare(underlyingOf(b)) ||
  a.seq - b.seq;

const committedOffset = async (groupId: string, topic: string): Promise<string | undefined> => {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return t?.partitions[0]?.offset;
  } finally {
    await admin.disconnect();
  }
};
