import { type MergedRun, type PartitionedEvent, PartitionWatermark } from "@thetaflow/core";
import type { Admin, Kafka } from "kafkajs";
import { type ConsumedBatch, EventConsumer } from "../kafka/consumer.js";

export interface LiveSourceBinding {
  readonly sourceId: string;
  /** Position of the source in the topology: breaks event-time ties exactly as replay does. */
  readonly rank: number;
  readonly topics: readonly string[];
}

/** What a checkpoint needs from the input: per-partition positions and the events still held. */
export interface LiveInputCheckpoint {
  /** Last offset handed to the watermark, per `topic/partition`. */
  readonly positions: Readonly<Record<string, string>>;
  /** Taken from Kafka, still waiting for the watermark. */
  readonly held: readonly PartitionedEvent[];
  /** Released by the watermark, not yet delivered to the runtime. */
  readonly queued: readonly MergedRun[];
  readonly released: number;
}

export interface KafkaLiveInputOptions {
  readonly kafka: Kafka;
  readonly groupId: string;
  readonly bindings: readonly LiveSourceBinding[];
  readonly maxLatenessUs: number;
  /** End the input once every partition is caught up and nothing arrived for this long (wall ms). */
  readonly untilIdleMs?: number;
  /** Resume exactly after a checkpoint: its held events come back and older records are skipped. */
  readonly resumeFrom?: LiveInputCheckpoint;
  /** Bound on released-but-unprocessed events; fetching waits above it (backpressure). */
  readonly maxQueued?: number;
  readonly nodeId?: string;
  /**
   * How long the group waits for a silent member before reassigning its partitions (default 30 s).
   * A restarted process rejoins only after its dead predecessor times out.
   */
  readonly sessionTimeoutMs?: number;
  /** Wall-clock arrival stamp for latency metrics only; never reaches an operator. */
  readonly onArrival?: (batch: ConsumedBatch, arrivedAtMs: number) => void;
}

const RUN_LIMIT = 1024;

const partitionId = (topic: string, partition: number) => `${topic}/${partition}`;

/**
 * Live Kafka input for `drive`: consumes every source's topics in one consumer group, orders the
 * records across partitions and sources with a PartitionWatermark, and yields runs in the order a
 * replay of the same events would have. Offsets are never auto-committed: the runtime commits the
 * positions of a checkpoint only after the outputs up to it are acknowledged.
 */
export class KafkaLiveInput {
  readonly #watermark: PartitionWatermark;
  readonly #rankOfTopic = new Map<string, number>();
  readonly #positions = new Map<string, string>();
  readonly #queue: MergedRun[] = [];
  #queued = 0;
  #wake: (() => void) | undefined;
  #roomWaiters: (() => void)[] = [];
  #ended = false;
  #failure: Error | undefined;
  #lastArrival = 0;
  #idleTimer: NodeJS.Timeout | undefined;
  readonly #admin: Admin;
  /** Until the group assignment is known, a partition that has not spoken yet could hold anything. */
  #assigned = false;

  private constructor(
    private readonly consumer: EventConsumer,
    private readonly options: KafkaLiveInputOptions,
  ) {
    this.#admin = options.kafka.admin();
    this.#watermark = new PartitionWatermark({
      maxLatenessUs: options.maxLatenessUs,
      nodeId: options.nodeId ?? "kafka",
    });
    for (const b of options.bindings) for (const t of b.topics) this.#rankOfTopic.set(t, b.rank);
    const resume = options.resumeFrom;
    if (resume !== undefined) {
      this.#watermark.restore({ held: resume.held, released: resume.released });
      for (const run of resume.queued) {
        this.#queue.push(run);
        this.#queued += run.events.length;
      }
      for (const [p, offset] of Object.entries(resume.positions)) {
        this.#positions.set(p, offset);
      }
    }
  }

  static async start(options: KafkaLiveInputOptions): Promise<KafkaLiveInput> {
    const topics = options.bindings.flatMap((b) => b.topics);
    const consumer = await EventConsumer.connect(options.kafka, {
      groupId: options.groupId,
      topics,
      nodeId: options.nodeId ?? "kafka",
      fromBeginning: true,
      ...(options.sessionTimeoutMs !== undefined
        ? {
            sessionTimeoutMs: options.sessionTimeoutMs,
            heartbeatIntervalMs: Math.max(500, Math.floor(options.sessionTimeoutMs / 10)),
          }
        : {}),
    });
    const input = new KafkaLiveInput(consumer, options);
    await input.#admin.connect();
    consumer.onGroupJoin((assignment) => void input.#onAssignment(assignment));
    consumer.onCrash((error, willRestart) => {
      if (!willRestart) input.#fail(error);
    });
    await consumer.run((batch) => input.#onBatch(batch));
    return input;
  }

  /** The runs in replay order; ends only with `untilIdleMs` or `stop()`. */
  async *runs(): AsyncGenerator<MergedRun> {
    for (;;) {
      const run = this.#queue.shift();
      if (run !== undefined) {
        this.#queued -= run.events.length;
        if (this.#queued <= (this.options.maxQueued ?? 50_000) / 2) this.#wakeProducers();
        yield run;
        continue;
      }
      if (this.#failure !== undefined) throw this.#failure;
      if (this.#ended) return;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  /** Positions and held events as of now (call between runs, when nothing is in flight). */
  checkpoint(): LiveInputCheckpoint {
    const w = this.#watermark.snapshot();
    // Every event taken from Kafka is in exactly one place: processed (in the graph snapshot),
    // queued here, or held by the watermark. Positions cover all three.
    return {
      positions: Object.fromEntries(this.#positions),
      held: w.held,
      queued: [...this.#queue],
      released: w.released,
    };
  }

  /** Commits checkpoint positions to the group (for lag monitoring and for restarts without a snapshot). */
  async commit(checkpoint: LiveInputCheckpoint): Promise<void> {
    await this.consumer.commit(
      Object.entries(checkpoint.positions).map(([p, offset]) => {
        const slash = p.lastIndexOf("/");
        return { topic: p.slice(0, slash), partition: Number(p.slice(slash + 1)), offset };
      }),
    );
  }

  /** Ends the input gracefully: queued runs are still delivered, then `runs()` completes. */
  stop(): void {
    this.#end();
  }

  /** Ends the input and leaves the consumer group. */
  async close(): Promise<void> {
    this.#end();
    await this.consumer.disconnect();
    await this.#admin.disconnect().catch(() => {});
  }

  async #onAssignment(assignment: Readonly<Record<string, number[]>>): Promise<void> {
    const admin = this.options.kafka.admin();
    try {
      await admin.connect();
      const committed = await admin.fetchOffsets({
        groupId: this.options.groupId,
        topics: Object.keys(assignment),
      });
      const committedOf = new Map(
        committed.flatMap((t) =>
          t.partitions.map((p) => [partitionId(t.topic, p.partition), p.offset] as const),
        ),
      );
      for (const [topic, partitions] of Object.entries(assignment)) {
        const offsets = await admin.fetchTopicOffsets(topic);
        for (const partition of partitions) {
          const id = partitionId(topic, partition);
          const o = offsets.find((x) => x.partition === partition);
          const high = BigInt(o?.high ?? "0");
          const low = BigInt(o?.low ?? "0");
          const resumeAt = this.#positions.has(id)
            ? BigInt(this.#positions.get(id)!) + 1n
            : committedOf.get(id) !== undefined && committedOf.get(id) !== "-1"
              ? BigInt(committedOf.get(id)!)
              : low;
          this.#watermark.assign(id, resumeAt >= high);
        }
      }
      this.#assigned = true;
      this.#releaseReady();
      this.#armIdle();
    } catch (err) {
      this.#fail(err as Error);
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }

  async #onBatch(batch: ConsumedBatch): Promise<void> {
    const id = partitionId(batch.topic, batch.partition);
    const rank = this.#rankOfTopic.get(batch.topic) ?? 0;
    // Records up to the last one taken are never taken twice: after a broker restart or a rebalance
    // kafkajs re-delivers from the last committed offset, and a resumed run starts from its checkpoint.
    const consumed = this.#positions.get(id);
    const skip = consumed === undefined ? undefined : BigInt(consumed);
    this.#lastArrival = performance.now();
    this.options.onArrival?.(batch, this.#lastArrival);
    for (const r of batch.records) {
      if (skip !== undefined && BigInt(r.origin.offset) <= skip) continue;
      const dl = this.#watermark.add({ event: r.event, sourceRank: rank, partition: id });
      if (dl !== undefined)
        this.#watermark.add({
          event: { ...dl, origin: `${id}/${r.origin.offset}` },
          sourceRank: rank,
          partition: id,
        });
    }
    if (skip === undefined || BigInt(batch.lastOffset) > skip) this.#positions.set(id, batch.lastOffset);
    this.#watermark.setCaughtUp(id, BigInt(batch.lastOffset) + 1n >= BigInt(batch.highWatermark));
    await this.#recheckCaughtUp();
    this.#releaseReady();
    this.#armIdle();
    while (this.#queued > (this.options.maxQueued ?? 50_000) && !this.#ended) {
      await new Promise<void>((resolve) => this.#roomWaiters.push(resolve));
      await batch.heartbeat();
    }
  }

  /**
   * A partition marked caught up may have received records since (its fetches only report its own
   * high watermark). Before letting other partitions run ahead of it, ask the broker (one ListOffsets
   * round trip), so records produced meanwhile are waited for instead of arriving late.
   */
  async #recheckCaughtUp(): Promise<void> {
    const caughtUp = this.#watermark.caughtUpBehindRelease();
    if (caughtUp.length === 0) return;
    const topics = [...new Set(caughtUp.map((p) => p.slice(0, p.lastIndexOf("/"))))];
    try {
      for (const topic of topics) {
        for (const o of await this.#admin.fetchTopicOffsets(topic)) {
          const id = partitionId(topic, o.partition);
          const position = this.#positions.get(id);
          const next = position === undefined ? 0n : BigInt(position) + 1n;
          if (caughtUp.includes(id) && BigInt(o.high) > next) this.#watermark.setCaughtUp(id, false);
        }
      }
    } catch {
      // Broker unreachable: keep the last knowledge; the consumer's own retries handle the outage.
    }
  }

  #releaseReady(): void {
    if (this.#assigned) this.#push(this.#watermark.release());
  }

  #push(items: readonly PartitionedEvent[]): void {
    if (items.length === 0) return;
    let start = 0;
    for (let i = 1; i <= items.length; i++) {
      // Runs are capped so the runtime gets a checkpoint opportunity at least every RUN_LIMIT events.
      if (i === items.length || items[i]!.sourceRank !== items[start]!.sourceRank || i - start >= RUN_LIMIT) {
        const events = items.slice(start, i).map((x) => x.event);
        this.#queue.push({ input: items[start]!.sourceRank, events });
        this.#queued += events.length;
        start = i;
      }
    }
    this.#wake?.();
    this.#wake = undefined;
  }

  #armIdle(): void {
    const idleMs = this.options.untilIdleMs;
    if (idleMs === undefined || this.#idleTimer !== undefined) return;
    const check = () => {
      this.#idleTimer = undefined;
      const quietFor = performance.now() - this.#lastArrival;
      if (quietFor >= idleMs && this.#assigned && this.#watermark.releaseLimit().inclusive) {
        this.#push(this.#watermark.drain());
        this.#end();
      } else this.#idleTimer = setTimeout(check, Math.max(idleMs - quietFor, 10));
    };
    this.#idleTimer = setTimeout(check, idleMs);
  }

  #end(): void {
    this.#ended = true;
    if (this.#idleTimer !== undefined) clearTimeout(this.#idleTimer);
    this.#wake?.();
    this.#wakeProducers();
  }

  #fail(error: Error): void {
    this.#failure = error;
    this.#end();
  }

  #wakeProducers(): void {
    const waiters = this.#roomWaiters;
    this.#roomWaiters = [];
    for (const w of waiters) w();
  }
}
