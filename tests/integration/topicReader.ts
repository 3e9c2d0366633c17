import type { Kafka } from "kafkajs";
import { eventually, uniqueName } from "./helpers.js";

/** Every record value of a topic, read to its end: committed ones only, or all (aborted included). */
export const readTopic = async (kafka: Kafka, topic: string, readUncommitted: boolean): Promise<string[]> => {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const consumer = kafka.consumer({ groupId: uniqueName("reader"), readUncommitted });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const values: string[] = [];
  const reached = new Map<number, bigint>();
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      values.push(message.value?.toString("utf8") ?? "");
      reached.set(partition, BigInt(message.offset) + 1n);
    },
  });
  try {
    // Transaction markers occupy offsets too: a partition is done once the last data record before
    // its end was seen and nothing more arrives; poll until the count is stable at the end offsets.
    let last = -1;
    await eventually(async () => {
      const done = ends.every(
        (e) => (reached.get(e.partition) ?? 0n) >= BigInt(e.high) - 2n || e.high === "0",
      );
      const stable = values.length === last;
      last = values.length;
      await new Promise((r) => setTimeout(r, 500));
      return done && stable;
    }, `reading ${topic}`);
  } finally {
    await consumer.disconnect();
  }
  return values;
};

/** JSON with object keys sorted at every level: the NDJSON sink and Kafka may order fields differently. */
export const canonical = (json: string): string => {
  const sort = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sort)
      : v !== null && typeof v === "object"
        ? Object.fromEntries(
            Object.entries(v)
              .sort(([a], [b]) => (a < b ? -1 : 1))
              .map(([k, x]) => [k, sort(x)]),
          )
        : v;
  return JSON.stringify(sort(JSON.parse(json)));
};
