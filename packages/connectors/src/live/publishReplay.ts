import type { Event } from "@thetaflow/schemas";
import type { Kafka } from "kafkajs";
import { ensureTopics } from "../kafka/admin.js";
import { DEFAULT_BATCH_MAX_EVENTS } from "../kafka/codec.js";
import { EventProducer } from "../kafka/producer.js";
import { DEFAULT_TOPIC_PREFIX, topicForEvent } from "../kafka/topics.js";
import { replayFile } from "../replay/replaySource.js";

export interface PublishOptions {
  readonly kafka: Kafka;
  readonly file: string;
  /** One topic for every event; default: one topic per event kind (`<prefix>.<kind>`). */
  readonly topic?: string;
  readonly topicPrefix?: string;
  /** Partitions for topics this call creates. */
  readonly partitions?: number;
  /** Event-time speed factor (1 = real time, 60 = a minute per second); default: as fast as possible. */
  readonly speed?: number;
  /** Events per producer send (default 5,000). */
  readonly batchSize?: number;
  /**
   * Most events in one Kafka record (default 1,000): consecutive events with the same partition
   * key — a chain snapshot — share one batch record (codec.ts `toKafkaMessages`). 1 writes one
   * record per event, as before batch records existed.
   */
  readonly batchMax?: number;
  /** Most characters of JSON in one batch record (default 512 KiB). */
  readonly batchMaxBytes?: number;
  readonly onProgress?: (published: number) => void;
  /** Injected for pacing only; publish never stamps wall time into events. */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface PublishResult {
  readonly published: number;
  readonly deadLetters: number;
  readonly topics: readonly string[];
}

/** Plays a replay file into Kafka in file order; rows that do not decode are counted, not sent. */
export const publishReplay = async (options: PublishOptions): Promise<PublishResult> => {
  const prefix = options.topicPrefix ?? DEFAULT_TOPIC_PREFIX;
  const topicOf = (e: Event) => options.topic ?? topicForEvent(e.kind, prefix);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const batchMax = options.batchMax ?? DEFAULT_BATCH_MAX_EVENTS;
  const producer = await EventProducer.connect(options.kafka, {
    topicOf,
    ...(batchMax > 1
      ? {
          batching: {
            maxEvents: batchMax,
            ...(options.batchMaxBytes !== undefined ? { maxBytes: options.batchMaxBytes } : {}),
          },
        }
      : {}),
  });
  const ensured = new Set<string>();
  let published = 0;
  let deadLetters = 0;
  let firstEventTime: number | undefined;
  const startedAt = performance.now();
  try {
    for await (const batch of replayFile({ path: options.file }, { sourceId: "publish", maxLatenessUs: 0 })) {
      const events = batch.filter((e) => e.kind !== "DeadLetter");
      deadLetters += batch.length - events.length;
      const fresh = [...new Set(events.map(topicOf))].filter((t) => !ensured.has(t));
      if (fresh.length > 0) {
        // Records carry their event time as timestamp; for a historical replay that is years ago,
        // so time-based retention would delete them at the broker's next check. Keep them.
        await ensureTopics(
          options.kafka,
          fresh.map((topic) => ({
            topic,
            partitions: options.partitions ?? 1,
            configs: { "retention.ms": "-1" },
          })),
        );
        for (const t of fresh) ensured.add(t);
      }
      const size = options.batchSize ?? 5_000;
      for (let i = 0; i < events.length; i += size) {
        const chunk = events.slice(i, i + size);
        if (options.speed !== undefined && chunk.length > 0) {
          firstEventTime ??= chunk[0]!.eventTime;
          const dueMs = (chunk[0]!.eventTime - firstEventTime) / 1000 / options.speed;
          const waitMs = dueMs - (performance.now() - startedAt);
          if (waitMs > 0) await sleep(waitMs);
        }
        await producer.send(chunk);
        published += chunk.length;
        options.onProgress?.(published);
      }
    }
  } finally {
    await producer.disconnect();
  }
  return { published, deadLetters, topics: [...ensured].sort() };
};
