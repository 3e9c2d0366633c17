import type { Event } from "@thetaflow/schemas";
import {
  CompressionTypes,
  type Kafka,
  Partitioners,
  type Producer,
  type RecordMetadata,
  type Transaction,
} from "kafkajs";
import {
  partitionKeyOf,
  type RecordBatching,
  type ToKafkaMessagesOptions,
  toKafkaMessages,
} from "./codec.js";
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
  /** Consecutive same-key events of a send share batch records (codec.ts `toKafkaMessages`); default off. */
  readonly batching?: RecordBatching;
}

/** Where and how a producer writes: the event's topic, the compression, the encoding options. */
interface Routing {
  readonly topicOf: (event: Event) => string;
  readonly compression: CompressionTypes;
  readonly messageOptions: ToKafkaMessagesOptions;
}

const routingOf = (options: Omit<EventProducerOptions, "idempotent">): Routing => {
  const prefix = options.topicPrefix ?? DEFAULT_TOPIC_PREFIX;
  return {
    topicOf: options.topicOf ?? ((e: Event) => topicForEvent(e.kind, prefix)),
    compression: options.compression === "gzip" ? CompressionTypes.GZIP : CompressionTypes.None,
    messageOptions: {
      validate: options.validate ?? true,
      ...(options.batching !== undefined ? { batching: options.batching } : {}),
    },
  };
};

/** One acks=-1 batch per call, records grouped by topic in the events' order. */
const batchOf = (events: readonly Event[], routing: Routing) => {
  const byTopic = new Map<string, Event[]>();
  for (const event of events) {
    const topic = routing.topicOf(event);
    let topicEvents = byTopic.get(topic);
    if (topicEvents === undefined) {
      topicEvents = [];
      byTopic.set(topic, topicEvents);
    }
    topicEvents.push(event);
  }
  return {
    acks: -1,
    compression: routing.compression,
    topicMessages: [...byTopic].map(([topic, topicEvents]) => ({
      topic,
      messages: toKafkaMessages(topicEvents, routing.messageOptions),
    })),
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
/**
 * Runs `operation` again while the transaction coordinator answers CONCURRENT_TRANSACTIONS: a
 * transaction that only commits offsets adds them (AddOffsetsToTxn) right after the previous
 * transaction's EndTxn, and until that one's markers are written the coordinator refuses with this
 * retriable error, which kafkajs 2.2.4 does not retry there (seen under load: a live engine stopped as
 * if fenced). Nothing changed on the refused attempt, so repeating it is safe.
 */
const whileConcurrentTransaction = async <T>(operation: () => Promise<T>): Promise<T> => {
  for (let attempt = 0, waitMs = 20; ; attempt++, waitMs = Math.min(2 * waitMs, 500)) {
    try {
      return await operation();
    } catch (err) {
      const e = err as { type?: string; originalError?: { type?: string } };
      const concurrent =
        e.type === "CONCURRENT_TRANSACTIONS" || e.originalError?.type === "CONCURRENT_TRANSACTIONS";
      if (!concurrent || attempt >= 60) throw err;
      await new Promise<void>((resolve) => setTimeout(resolve, waitMs));
    }
  }
};

export class TransactionalEventProducer {
  #transaction: Transaction | undefined;
  #queue: Promise<unknown> = Promise.resolve();

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

  /**
   * One operation at a time: a send that overlapped a commit (a sink's batch while a checkpoint
   * commits, or two checkpoints) could open a second kafkajs transaction beside the first or write
   * into one that is committing, and its records would never be committed.
   */
  #serial<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(operation);
    this.#queue = result.catch(() => {});
    return result;
  }

  /** Sends inside the open transaction (opening one if needed); invisible to read_committed until `commit`. */
  send(events: readonly Event[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    const batch = batchOf(events, this.routing);
    return this.#serial(async () => {
      this.#transaction ??= await this.producer.transaction();
      await this.#transaction.sendBatch(batch);
    });
  }

  /** Commits the open transaction, with the given consumer offsets when there are any. */
  commit(offsets?: TransactionOffsets): Promise<void> {
    return this.#serial(() => this.#commit(offsets));
  }

  async #commit(offsets?: TransactionOffsets): Promise<void> {
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
      const transaction = this.#transaction;
      // kafkajs passes `metadata` through to TxnOffsetCommit although its typings omit it.
      await whileConcurrentTransaction(() =>
        transaction.sendOffsets({
          consumerGroupId: offsets.groupId,
          topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
        }),
      );
    }
    const transaction = this.#transaction;
    this.#transaction = undefined;
    await transaction?.commit();
  }

  /** Aborts the open transaction: its records are never seen by read_committed consumers. */
  abort(): Promise<void> {
    return this.#serial(async () => {
      const transaction = this.#transaction;
      this.#transaction = undefined;
      await transaction?.abort();
    });
  }

  async disconnect(): Promise<void> {
    await this.abort().catch(() => {});
    await this.producer.disconnect();
  }
}

const FENCED_HINT = "; if fenced, another engine process took the partition over and this one must stop";

export interface PartitionedProducerOptions extends Omit<EventProducerOptions, "idempotent"> {
  /** Shared by every process of the group: partition n's producer is `<base>-p<n>` wherever it runs. */
  readonly transactionalIdBase: string;
  /** The input partition whose actors produce events of this key (the scale-out key partitioner). */
  readonly partitionOfKey: (key: string) => number;
  readonly transactionTimeoutMs?: number;
}

/**
 * Exactly-once output of a scaled-out run: one transactional producer per input partition, so each
 * partition's outputs commit with that partition's offsets and state, whichever process owns it.
 * Claiming a partition registers its transactional id, which fences the previous owner (a zombie
 * that lost the partition can no longer commit) and aborts the transaction it left open. kafkajs
 * 2.2.4 sends TxnOffsetCommit v0/v1 only — without the group generation of KIP-447 — so a
 * transactional id per partition is the fencing it supports.
 */
export class PartitionedTransactionalProducer {
  readonly #producers = new Map<number, TransactionalEventProducer>();

  constructor(
    private readonly kafka: Kafka,
    private readonly options: PartitionedProducerOptions,
  ) {}

  transactionalIdOf(partition: number): string {
    return `${this.options.transactionalIdBase}-p${partition}`;
  }

  /** Takes partition n's transactional id over: returns once any predecessor is fenced and its open transaction ended. */
  async claim(partition: number): Promise<void> {
    if (this.#producers.has(partition)) return;
    const producer = await TransactionalEventProducer.connect(this.kafka, {
      ...this.options,
      transactionalId: this.transactionalIdOf(partition),
    });
    this.#producers.set(partition, producer);
  }

  /** Sends each event inside its partition's open transaction; events of a partition not claimed here fail. */
  async send(events: readonly Event[]): Promise<void> {
    const byPartition = new Map<number, Event[]>();
    for (const event of events) {
      const key = partitionKeyOf(event);
      const n = this.options.partitionOfKey(key);
      if (!this.#producers.has(n))
        throw new Error(
          `exactly-once output keyed '${key}' belongs to input partition ${n}, not owned here: with --state-dir, a transactional Kafka sink takes only outputs keyed like the actor that made them (per-underlying stages; docs/live-scaling.md)`,
        );
      let batch = byPartition.get(n);
      if (batch === undefined) {
        batch = [];
        byPartition.set(n, batch);
      }
      batch.push(event);
    }
    await Promise.all(
      [...byPartition].map(([n, batch]) =>
        this.#producers
          .get(n)!
          .send(batch)
          .catch((err: Error) => {
            throw new Error(`cannot send outputs of partition ${n} (${err.message})${FENCED_HINT}`);
          }),
      ),
    );
  }

  /** Commits partition n's transaction with its offsets; a fenced producer means another process took n over. */
  async commit(partition: number, offsets: TransactionOffsets): Promise<void> {
    const producer = this.#producers.get(partition);
    if (producer === undefined) throw new Error(`partition ${partition} was not claimed`);
    try {
      await producer.commit(offsets);
    } catch (err) {
      throw new Error(
        `cannot commit the transaction of partition ${partition} (${(err as Error).message})${FENCED_HINT}`,
      );
    }
  }

  /** Gives partition n up (after its last commit): its producer disconnects. */
  async release(partition: number): Promise<void> {
    const producer = this.#producers.get(partition);
    this.#producers.delete(partition);
    await producer?.disconnect();
  }

  /** Aborts every open transaction (nothing uncommitted is ever seen) and disconnects. */
  async disconnect(): Promise<void> {
    const producers = [...this.#producers.values()];
    this.#producers.clear();
    await Promise.allSettled(producers.map((p) => p.disconnect()));
  }
}
