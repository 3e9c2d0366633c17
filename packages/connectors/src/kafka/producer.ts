import type { Event } from "@thetaflow/schemas";
import {
  CompressionTypes,
  type Kafka,
  type Message,
  Partitioners,
  type Producer,
  type RecordMetadata,
  type Transaction,
} from "kafkajs";
import { type ToKafkaMessageOptions, toKafkaMessage } from "./codec.js";
import { DEFAULT_TOPIC_PREFIX, topicForEvent } from "./topics.js";

export interface EventProducerOptions {
  /** Topic prefix (`<prefix>.<kind>`); default `thetaflow`. */
  readonly topicPrefix?: string;
  /**
   * Idempotent producer (default true): the broker drops a batch re-sent after a lost ack, so a
   * retry inside the producer never duplicates a record.
   */
  readonly idempotent?: boolean;
  readonly compression?: "none" | "gzip";
  /** Overrides the topic of an event, e.g. to route a replay into scratch topics. */
  readonly topicOf?: (event: Event) => string;
  /** Re-encode every event through its schema (default true); see ToKafkaMessageOptions. */
  readonly validate?: boolean;
}

/** Where and how a producer writes: the event's topic, the compression, the encoding options. */
interface Routing {
  readonly topicOf: (event: Event) => string;
  readonly compression: CompressionTypes;
  readonly messageOptions: ToKafkaMessageOptions;
}

const routingOf = (options: Omit<EventProducerOptions, "idempotent">): Routing => {
  const prefix = options.topicPrefix ?? DEFAULT_TOPIC_PREFIX;
  return {
    topicOf: options.topicOf ?? ((e: Event) => topicForEvent(e.kind, prefix)),
    compression: options.compression === "gzip" ? CompressionTypes.GZIP : CompressionTypes.None,
    messageOptions: { validate: options.validate ?? true },
  };
};

/** One acks=-1 batch per call, records grouped by topic in the events' order. */
const batchOf = (events: readonly Event[], routing: Routing) => {
  const byTopic = new Map<string, Message[]>();
  for (const event of events) {
    const topic = routing.topicOf(event);
    let messages = byTopic.get(topic);
    if (messages === undefined) {
      messages = [];
      byTopic.set(topic, messages);
    }
    messages.push(toKafkaMessage(event, routing.messageOptions));
  }
  return {
    acks: -1,
    compression: routing.compression,
    topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
  };
};

/**
 * Publishes events as JSON records keyed by underlying. `send` resolves once every record is
 * acknowledged by all in-sync replicas (acks=-1), which is the moment a caller may commit input
 * offsets.
 */
export class EventProducer {
  private constructor(
    private readonly producer: Producer,
    private readonly routing: Routing,
  ) {}

  static async connect(kafka: Kafka, options: EventProducerOptions = {}): Promise<EventProducer> {
    const idempotent = options.idempotent ?? true;
    const producer = kafka.producer({
      // The Java-compatible murmur2 partitioner: the same key lands on the same partition as with
      // Kafka's own clients, so other tools can produce into our topics consistently.
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent,
      ...(idempotent ? { maxInFlightRequests: 1 } : {}),
      allowAutoTopicCreation: false,
    });
    await producer.connect();
    return new EventProducer(producer, routingOf(options));
  }

  /** Sends events in their given order (order is kept per topic and key). */
  async send(events: readonly Event[]): Promise<RecordMetadata[]> {
    if (events.length === 0) return [];
    return this.producer.sendBatch(batchOf(events, this.routing));
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
  }
}

export interface TransactionalProducerOptions extends Omit<EventProducerOptions, "idempotent"> {
  /**
   * Stable per writer: a restarted process reusing it fences its predecessor (a zombie can no
   * longer commit) and aborts the transaction the predecessor left open.
   */
  readonly transactionalId: string;
  /** Broker-side limit on an open transaction (default 60 s); a checkpoint interval must stay below it. */
  readonly transactionTimeoutMs?: number;
}

/** Consumer positions committed with a transaction: "the input up to here produced these outputs". */
export interface TransactionOffsets {
  readonly groupId: string;
  /** Next offset to read per partition. */
  readonly offsets: readonly { topic: string; partition: number; offset: string }[];
  /** Stored with each committed offset (Kafka's offset metadata), e.g. the checkpoint generation. */
  readonly metadata?: string;
}

/**
 * A transactional EventProducer: records sent between two `commit`s become visible to
 * read_committed consumers together, at the commit, along with the consumer offsets given to it —
 * or not at all. Kafka's exactly-once building block: a crash before the commit aborts the records.
 */
export class TransactionalEventProducer {
  #transaction: Transaction | undefined;

  private constructor(
    private readonly producer: Producer,
    private readonly routing: Routing,
  ) {}

  static async connect(
    kafka: Kafka,
    options: TransactionalProducerOptions,
  ): Promise<TransactionalEventProducer> {
    const producer = kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      transactionalId: options.transactionalId,
      transactionTimeout: options.transactionTimeoutMs ?? 60_000,
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
    // Connecting registers the transactional id (InitProducerId): fences and aborts a predecessor's transaction.
    await producer.connect();
    return new TransactionalEventProducer(producer, routingOf(options));
  }

  /** Sends inside the open transaction (opening one if needed); invisible to read_committed until `commit`. */
  async send(events: readonly Event[]): Promise<void> {
    if (events.length === 0) return;
    const batch = batchOf(events, this.routing);
    this.#transaction ??= await this.producer.transaction();
    await this.#transaction.sendBatch(batch);
  }

  /** Commits the open transaction, with the given consumer offsets when there are any. */
  async commit(offsets?: TransactionOffsets): Promise<void> {
    if (offsets !== undefined && offsets.offsets.length > 0) {
      this.#transaction ??= await this.producer.transaction();
      const byTopic = new Map<string, { partition: number; offset: string; metadata?: string }[]>();
      for (const o of offsets.offsets) {
        const partitions = byTopic.get(o.topic) ?? [];
        partitions.push({
          partition: o.partition,
          offset: o.offset,
          ...(offsets.metadata !== undefined ? { metadata: offsets.metadata } : {}),
        });
        byTopic.set(o.topic, partitions);
      }
      // kafkajs passes `metadata` through to TxnOffsetCommit although its typings omit it.
      await this.#transaction.sendOffsets({
        consumerGroupId: offsets.groupId,
        topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
      });
    }
    const transaction = this.#transaction;
    this.#transaction = undefined;
    await transaction?.commit();
  }

  /** Aborts the open transaction: its records are never seen by read_committed consumers. */
  async abort(): Promise<void> {
    const transaction = this.#transaction;
    this.#transaction = undefined;
    await transaction?.abort();
  }

  async disconnect(): Promise<void> {
    await this.abort().catch(() => {});
    await this.producer.disconnect();
  }
}
