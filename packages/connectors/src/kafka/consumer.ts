import type { Event } from "@thetaflow/schemas";
import type { Consumer, Kafka, PartitionAssigner } from "kafkajs";
import { type DecodedRecord, decodeKafkaRecordEvents, type KafkaRecordOrigin } from "./codec.js";

/**
 * One consumed event: decoded, or the DeadLetter that replaced what did not decode. A single-event
 * record gives one; a batch record gives one per element, all with the record's origin.
 */
export interface ConsumedEvent {
  readonly event: Event;
  /** False when `event` is the DeadLetter standing in for a record (or element) that did not decode. */
  readonly decoded: boolean;
  readonly key: string | null;
  readonly origin: KafkaRecordOrigin;
  /** Position inside a batch record; undefined for a single-event record. */
  readonly index: number | undefined;
}

/**
 * Consecutive records of one fetch from one partition (a slice of it: see `sliceEvents`), in offset
 * order and element order inside a record.
 */
export interface ConsumedBatch {
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly ConsumedEvent[];
  /** Offset of the last record; pass the batch to `commit` once its effects are acknowledged. */
  readonly lastOffset: string;
  readonly highWatermark: string;
  /** `performance.now()` when kafkajs handed the fetch over, before decoding: latency metrics only. */
  readonly receivedAtMs: number;
  /** Keeps group membership alive while a long batch is processed. */
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping or the partition was revoked: stop work on this batch. */
  isActive(): boolean;
}

export interface EventConsumerOptions {
  readonly groupId: string;
  readonly topics: readonly string[];
  /** Where a group with no committed offset starts; default true (replay everything retained). */
  readonly fromBeginning?: boolean;
  /** Stable id of the source node; names it in the dead letters it produces. */
  readonly nodeId: string;
  readonly sessionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  /** Most bytes one fetch returns per partition (default 4 MiB); a larger single record still comes whole. */
  readonly maxBytesPerPartition?: number;
  /** Most bytes one fetch returns in all (default 16 MiB). */
  readonly maxBytes?: number;
  /** The broker answers a fetch once it has this many bytes or `maxWaitTimeInMs` passed (default 1). */
  readonly minBytes?: number;
  /** Longest a fetch waits at the broker for `minBytes` (kafkajs default 5,000 ms). */
  readonly maxWaitTimeInMs?: number;
  /** How many partitions are handled at once; per-partition order holds either way. Default 1. */
  readonly partitionsConsumedConcurrently?: number;
  /** Group partition assigners, preferred first (default: kafkajs's round robin). */
  readonly partitionAssigners?: readonly PartitionAssigner[];
  /**
   * A fetch is handed to the handler in slices of whole records holding at least this many events
   * (default 256; a batch record larger than that is one slice): records wait for their slice's
   * decode, not for the whole fetch's.
   */
  readonly sliceEvents?: number;
  /** Skip records of aborted transactions (default true: exactly-once outputs stay exactly once). */
  readonly readCommitted?: boolean;
}

export const DEFAULT_MAX_BYTES_PER_PARTITION = 4 * 1024 * 1024;
export const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;
export const DEFAULT_SLICE_EVENTS = 256;

export type BatchHandler = (batch: ConsumedBatch) => Promise<void>;

/** Lets timers and I/O callbacks (and the engine's queued runs) run before the next slice is decoded. */
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

const nextOffset = (offset: string): string => (BigInt(offset) + 1n).toString();

/**
 * A consumer-group member that decodes every record and never commits on its own. The runtime
 * calls `commit` only after the outputs derived from a batch are acknowledged (producer acks,
 * QuestDB flush), which turns at-least-once input plus idempotent outputs into exactly-once effects.
 *
 * A batch handler that resolves marks its slice consumed (the next fetch continues after it); one
 * that throws makes kafkajs re-deliver from the first record not yet consumed. After a crash or a rebalance, consumption restarts
 * from the last committed offset.
 */
export class EventConsumer {
  private constructor(
    private readonly consumer: Consumer,
    private readonly options: EventConsumerOptions,
  ) {}

  static async connect(kafka: Kafka, options: EventConsumerOptions): Promise<EventConsumer> {
    const consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: options.heartbeatIntervalMs ?? 3_000,
      // kafkajs fetches, hands the fetch's batches over, waits for them all, then fetches again
      // (no fetch overlaps the processing), so bigger fetches mean fewer idle round trips: 4 MiB per
      // partition instead of 1 MiB took the consumer alone from 68-83k to 154-161k events/s on batch
      // records, 5.7 -> 5.0-5.3 µs CPU per event (BENCHMARKS.md "Live path", session 3).
      maxBytesPerPartition: options.maxBytesPerPartition ?? DEFAULT_MAX_BYTES_PER_PARTITION,
      maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES,
      ...(options.minBytes !== undefined ? { minBytes: options.minBytes } : {}),
      ...(options.maxWaitTimeInMs !== undefined ? { maxWaitTimeInMs: options.maxWaitTimeInMs } : {}),
      allowAutoTopicCreation: false,
      readUncommitted: options.readCommitted === false,
      ...(options.partitionAssigners !== undefined
        ? { partitionAssigners: [...options.partitionAssigners] }
        : {}),
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [...options.topics], fromBeginning: options.fromBeginning ?? true });
    return new EventConsumer(consumer, options);
  }

  /** Starts fetching; resolves once the consumer loop runs (before the group is joined). */
  async run(onBatch: BatchHandler): Promise<void> {
    const nodeId = this.options.nodeId;
    const sliceEvents = this.options.sliceEvents ?? DEFAULT_SLICE_EVENTS;
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        if (batch.messages.length === 0) return;
        const receivedAtMs = performance.now();
        const { topic, partition } = batch;
        const isActive = () => isRunning() && !isStale();
        const messages = batch.messages;
        let records: ConsumedEvent[] = [];
        let origin: KafkaRecordOrigin = { topic, partition, offset: "" };
        let key: string | null = null;
        const push = (d: DecodedRecord, index: number | undefined) => {
          records.push({ event: d.event, decoded: d.ok, key, origin, index });
        };
        // A fetch is handed on in slices of whole records (a slice never splits a record: positions
        // are record offsets), so the first record of a 4 MiB fetch is processed before the rest is
        // even decoded; between slices the event loop runs, so the engine takes the slice first.
        for (let i = 0; i < messages.length; ) {
          const m = messages[i]!;
          origin = { topic, partition, offset: m.offset };
          key = m.key?.toString("utf8") ?? null;
          decodeKafkaRecordEvents(m, origin, nodeId, push);
          i++;
          if (i < messages.length && records.length < sliceEvents) continue;
          const slice = records;
          records = [];
          await onBatch({
            topic,
            partition,
            records: slice,
            lastOffset: m.offset,
            highWatermark: batch.highWatermark,
            receivedAtMs,
            heartbeat,
            isActive,
          });
          resolveOffset(m.offset);
          if (i < messages.length) {
            await yieldToLoop();
            // A revoked partition's remaining records are the next owner's.
            if (!isActive()) return;
          }
        }
      },
    });
  }

  /**
   * Commits, per partition, the position after the highest given offset: "everything up to and
   * including these records has taken effect". Offsets lower than one already committed in the
   * same call are ignored.
   */
  async commit(processed: readonly KafkaRecordOrigin[]): Promise<void> {
    const highest = new Map<string, KafkaRecordOrigin>();
    for (const o of processed) {
      const id = `${o.topic}\u0000${o.partition}`;
      const seen = highest.get(id);
      if (seen === undefined || BigInt(o.offset) > BigInt(seen.offset)) highest.set(id, o);
    }
    if (highest.size === 0) return;
    await this.consumer.commitOffsets(
      [...highest.values()].map((o) => ({
        topic: o.topic,
        partition: o.partition,
        offset: nextOffset(o.offset),
      })),
    );
  }

  /** Commits a whole batch (convenience over `commit`). */
  async commitBatch(batch: Pick<ConsumedBatch, "topic" | "partition" | "lastOffset">): Promise<void> {
    await this.commit([{ topic: batch.topic, partition: batch.partition, offset: batch.lastOffset }]);
  }

  /** Stops fetching from these topics (backpressure); in-flight batches still complete. */
  pause(topics: readonly string[] = this.options.topics): void {
    this.consumer.pause(topics.map((topic) => ({ topic })));
  }

  resume(topics: readonly string[] = this.options.topics): void {
    this.consumer.resume(topics.map((topic) => ({ topic })));
  }

  /** Calls `listener` when the consumer crashes for good (kafkajs gave up restarting it). */
  onCrash(listener: (error: Error, willRestart: boolean) => void): () => void {
    return this.consumer.on(this.consumer.events.CRASH, (e) => listener(e.payload.error, e.payload.restart));
  }

  /**
   * Calls `listener` each time this member joins the group, with its assigned partitions per topic
   * and its member id. kafkajs (eager rebalancing) has no revocation callback: every join replaces
   * the whole assignment, so what was revoked is what the previous join had and this one lacks.
   */
  onGroupJoin(
    listener: (assignment: Readonly<Record<string, number[]>>, memberId: string) => void,
  ): () => void {
    return this.consumer.on(this.consumer.events.GROUP_JOIN, (e) =>
      listener(e.payload.memberAssignment, e.payload.memberId),
    );
  }

  async disconnect(): Promise<void> {
    await this.consumer.disconnect();
  }
}
