import { type MergedRun, type PartitionedEvent, PartitionWatermark } from "@thetaflow/core";
import type { Event } from "@thetaflow/schemas";
import type { Admin, Kafka } from "kafkajs";
import { formatOrigin } from "../kafka/codec.js";
import { type ConsumedBatch, EventConsumer } from "../kafka/consumer.js";
import { CoPartitionedAssigner } from "./coPartitioning.js";

export interface LiveSourceBinding {
  readonly sourceId: string;
  /** Position of the source in the topology: breaks event-time ties exactly as replay does. */
  readonly rank: number;
  readonly topics: readonly string[];
}

/** A released run waiting for the runtime; scaled-out inputs tag it with its partition. */
export interface QueuedRun extends MergedRun {
  readonly partition?: string;
}

/** What a checkpoint needs from the input: per-partition positions and the events still held. */
export interface LiveInputCheckpoint {
  /** Last offset handed to the watermark, per `topic/partition`. */
  readonly positions: Readonly<Record<string, string>>;
  /** Taken from Kafka, still waiting for the watermark. */
  readonly held: readonly PartitionedEvent[];
  /** Released by the watermark, not yet delivered to the runtime. */
  readonly queued: readonly QueuedRun[];
  readonly released: number;
}

/** Partition numbers (the same number across co-partitioned topics) that moved at a group join. */
export interface AssignmentChange {
  readonly memberId: string;
  readonly revoked: readonly number[];
  readonly gained: readonly number[];
}

/**
 * Scale-out: several processes share the group and the state of a partition's keys moves with the
 * partition. Called between runs (no event in flight) after a group join that changed this
 * process's partitions; the handler moves input state with `takePartitions`/`givePartitions` and
 * actor state in the graph. Records of gained partitions wait until it returns.
 */
export interface PartitionHandover {
  onAssignment(change: AssignmentChange): Promise<void>;
}

export const partitionNumberOf = (id: string): number => Number(id.slice(id.lastIndexOf("/") + 1));

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
  /** Wall-clock stamp of the watermark releasing events to the queue, for latency metrics only. */
  readonly onRelease?: (events: readonly Event[], releasedAtMs: number) => void;
  /** Events per slice of a fetch handed on at once (EventConsumer `sliceEvents`). */
  readonly sliceEvents?: number;
  /**
   * Scale-out mode: partitions are assigned co-partitioned (number n of every topic to one member)
   * and their state is handed over through this handler. Without it one process owns everything.
   */
  readonly handover?: PartitionHandover;
  /**
   * Called when no run has been ready for `quietMs` (default 1,000): nothing is in flight then, so
   * it is a checkpoint opportunity — outputs of the last events must not wait for the next event.
   */
  readonly onQuiet?: () => Promise<void> | undefined;
  readonly quietMs?: number;
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
  readonly #queue: QueuedRun[] = [];
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
  /** Per caught-up partition, the fetch (its receipt stamp) during which the broker confirmed it. */
  readonly #confirmedCaughtUp = new Map<string, number>();
  /** Newest event time released by the watermark. */
  #releasedTime = Number.NEGATIVE_INFINITY;
  // Scale-out bookkeeping (handover mode only).
  #memberId = "";
  /** The latest assignment from the group, not yet applied. */
  #target: Readonly<Record<string, number[]>> | undefined;
  /** Partition numbers whose state this process holds. */
  readonly #owned = new Set<number>();
  #applied: Promise<void> = Promise.resolve();
  #signalApplied: () => void = () => {};
  /**
   * Gained partitions behind this process's stream clock: their records go straight to the queue
   * (in partition order, which is their keys' order) until they reach the watermark's time.
   */
  readonly #catchingUp = new Set<string>();

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
      this.#releasedTime = resume.released;
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
      ...(options.sliceEvents !== undefined ? { sliceEvents: options.sliceEvents } : {}),
      ...(options.handover !== undefined ? { partitionAssigners: [CoPartitionedAssigner] } : {}),
      ...(options.sessionTimeoutMs !== undefined
        ? {
            sessionTimeoutMs: options.sessionTimeoutMs,
            heartbeatIntervalMs: Math.max(500, Math.floor(options.sessionTimeoutMs / 10)),
          }
        : {}),
    });
    const input = new KafkaLiveInput(consumer, options);
    await input.#admin.connect();
    consumer.onGroupJoin((assignment, memberId) => {
      if (options.handover === undefined) void input.#onAssignment(assignment);
      else input.#onGroupJoin(assignment, memberId);
    });
    consumer.onCrash((error, willRestart) => {
      if (!willRestart) input.#fail(error);
    });
    await consumer.run((batch) => input.#onBatch(batch));
    return input;
  }

  /** The runs in replay order; ends only with `untilIdleMs` or `stop()`. */
  async *runs(): AsyncGenerator<MergedRun> {
    for (;;) {
      if (this.#target !== undefined && !this.#ended) await this.#applyAssignment();
      const run = this.#queue.shift();
      if (run !== undefined) {
        this.#queued -= run.events.length;
        if (this.#queued <= (this.options.maxQueued ?? 50_000) / 2) this.#wakeProducers();
        yield run;
        continue;
      }
      if (this.#failure !== undefined) throw this.#failure;
      if (this.#ended) return;
      let timer: NodeJS.Timeout | undefined;
      const woken = await new Promise<boolean>((resolve) => {
        this.#wake = () => resolve(true);
        if (this.options.onQuiet !== undefined)
          timer = setTimeout(() => resolve(false), this.options.quietMs ?? 1_000);
      });
      clearTimeout(timer);
      if (!woken) {
        this.#wake = undefined;
        await this.options.onQuiet?.();
      }
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

  /** Partition numbers whose state this process holds (scale-out mode). */
  ownedPartitions(): ReadonlySet<number> {
    return this.#owned;
  }

  /**
   * Removes everything the input holds for these partition numbers — positions, held and queued
   * events — and returns it: with the actor states of their keys, what the next owner resumes from.
   */
  takePartitions(numbers: ReadonlySet<number>): LiveInputCheckpoint {
    const ours = (id: string) => numbers.has(partitionNumberOf(id));
    const positions: Record<string, string> = {};
    for (const [id, offset] of [...this.#positions])
      if (ours(id)) {
        positions[id] = offset;
        this.#positions.delete(id);
      }
    const w = this.#watermark.snapshot();
    const held = w.held.filter((x) => ours(x.partition));
    this.#watermark.restore({ held: w.held.filter((x) => !ours(x.partition)), released: w.released });
    for (const b of this.options.bindings)
      for (const t of b.topics) for (const n of numbers) this.#watermark.revoke(partitionId(t, n));
    const queued = this.#queue.filter((r) => r.partition !== undefined && ours(r.partition));
    const rest = this.#queue.filter((r) => r.partition === undefined || !ours(r.partition));
    this.#queue.splice(0, this.#queue.length, ...rest);
    this.#queued = rest.reduce((n, r) => n + r.events.length, 0);
    for (const id of [...this.#catchingUp]) if (ours(id)) this.#catchingUp.delete(id);
    return { positions, held, queued, released: w.released };
  }

  /**
   * Takes over partitions from their previous owner's checkpoint. Its queued and held events come
   * first; those older than this process's stream clock skip the watermark (they concern only
   * their own keys, whose order is the partition's), the rest are ordered as usual.
   */
  givePartitions(from: LiveInputCheckpoint): void {
    for (const [id, offset] of Object.entries(from.positions)) {
      this.#positions.set(id, offset);
      this.#catchingUp.add(id);
    }
    const items: PartitionedEvent[] = [];
    for (const run of from.queued)
      for (const event of run.events)
        items.push({ event, sourceRank: run.input, partition: run.partition ?? "" });
    items.push(...from.held);
    for (const item of items) this.#catchingUp.add(item.partition);
    this.#pushDirect(this.#admit(items));
  }

  /** Commits checkpoint positions to the group (for lag monitoring and for restarts without a snapshot). */
  async commit(checkpoint: LiveInputCheckpoint): Promise<void> {
    // Scaled out, a partition handed over since the checkpoint is the new owner's to commit.
    const owned = ([p]: [string, string]) =>
      this.options.handover === undefined || this.#owned.has(partitionNumberOf(p));
    await this.consumer.commit(
      Object.entries(checkpoint.positions)
        .filter(owned)
        .map(([p, offset]) => {
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
    if (this.options.handover !== undefined) {
      // A gained partition's records wait for its state; a revoked one's are no longer ours.
      while (!this.#owned.has(batch.partition)) {
        if (this.#ended || !batch.isActive() || !this.#targetHas(batch.partition)) return;
        await this.#applied;
      }
    }
    const rank = this.#rankOfTopic.get(batch.topic) ?? 0;
    // Records up to the last one taken are never taken twice: after a broker restart or a rebalance
    // kafkajs re-delivers from the last committed offset, and a resumed run starts from its checkpoint.
    const consumed = this.#positions.get(id);
    const skip = consumed === undefined ? undefined : BigInt(consumed);
    this.#lastArrival = performance.now();
    this.options.onArrival?.(batch, this.#lastArrival);
    const catchingUp = this.#catchingUp.has(id);
    const handedOver: PartitionedEvent[] = [];
    for (const r of batch.records) {
      if (skip !== undefined && BigInt(r.origin.offset) <= skip) continue;
      const item = { event: r.event, sourceRank: rank, partition: id };
      if (catchingUp) {
        handedOver.push(item);
        continue;
      }
      const dl = this.#watermark.add(item);
      if (dl !== undefined)
        this.#watermark.add({
          event: { ...dl, origin: formatOrigin(r.origin, r.index) },
          sourceRank: rank,
          partition: id,
        });
    }
    if (catchingUp) this.#pushDirect(this.#admit(handedOver));
    if (skip === undefined || BigInt(batch.lastOffset) > skip) this.#positions.set(id, batch.lastOffset);
    this.#watermark.setCaughtUp(id, BigInt(batch.lastOffset) + 1n >= BigInt(batch.highWatermark));
    await this.#recheckCaughtUp(batch.receivedAtMs);
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
  async #recheckCaughtUp(fetchedAtMs: number): Promise<void> {
    // One round trip per fetch: a later slice of the same fetch relies on the answer the first one
    // got, which is newer than the fetch itself (a fetch used to be handed on whole, with one check).
    const caughtUp = this.#watermark
      .caughtUpBehindRelease()
      .filter((p) => this.#confirmedCaughtUp.get(p) !== fetchedAtMs);
    if (caughtUp.length === 0) return;
    const topics = [...new Set(caughtUp.map((p) => p.slice(0, p.lastIndexOf("/"))))];
    try {
      for (const topic of topics) {
        for (const o of await this.#admin.fetchTopicOffsets(topic)) {
          const id = partitionId(topic, o.partition);
          const position = this.#positions.get(id);
          const next = position === undefined ? 0n : BigInt(position) + 1n;
          if (!caughtUp.includes(id)) continue;
          if (BigInt(o.high) > next) this.#watermark.setCaughtUp(id, false);
          else this.#confirmedCaughtUp.set(id, fetchedAtMs);
        }
      }
    } catch {
      // Broker unreachable: keep the last knowledge; the consumer's own retries handle the outage.
    }
  }

  #releaseReady(): void {
    if (this.#assigned) this.#push(this.#watermark.release());
  }

  /**
   * Catch-up lane of a handed-over partition: events older than what this process already released
   * go straight to the queue; from the first one that is not, the partition's events (this one and
   * all later) are ordered by the watermark again.
   */
  #admit(items: readonly PartitionedEvent[]): PartitionedEvent[] {
    const direct: PartitionedEvent[] = [];
    for (const item of items) {
      if (this.#catchingUp.has(item.partition) && item.event.eventTime < this.#releasedTime) {
        direct.push(item);
        continue;
      }
      this.#catchingUp.delete(item.partition);
      this.#watermark.add(item);
    }
    return direct;
  }

  #pushDirect(items: readonly PartitionedEvent[]): void {
    const released = this.#releasedTime;
    this.#push(items);
    this.#releasedTime = released;
  }

  #targetHas(partition: number): boolean {
    const target = this.#target;
    return target !== undefined && Object.values(target).some((ps) => ps.includes(partition));
  }

  #onGroupJoin(assignment: Readonly<Record<string, number[]>>, memberId: string): void {
    this.#memberId = memberId;
    if (this.#target === undefined) {
      // Waiters of an earlier join (if still unresolved) re-check against this newer assignment.
      const earlier = this.#signalApplied;
      this.#applied = new Promise<void>((resolve) => {
        this.#signalApplied = resolve;
      });
      earlier();
    }
    this.#target = assignment;
    this.#wake?.();
    this.#wake = undefined;
  }

  /** Runs between runs: hands revoked partitions over, takes gained ones, then orders as usual. */
  async #applyAssignment(): Promise<void> {
    const target = this.#target!;
    const numbers = new Set(Object.values(target).flat());
    const change: AssignmentChange = {
      memberId: this.#memberId,
      revoked: [...this.#owned].filter((n) => !numbers.has(n)).sort((a, b) => a - b),
      gained: [...numbers].filter((n) => !this.#owned.has(n)).sort((a, b) => a - b),
    };
    try {
      if (change.revoked.length > 0 || change.gained.length > 0)
        await this.options.handover!.onAssignment(change);
      for (const n of change.revoked) this.#owned.delete(n);
      for (const n of change.gained) this.#owned.add(n);
      // A newer join arrived while the handover ran: apply it too before going on.
      if (this.#target !== target) return await this.#applyAssignment();
      this.#target = undefined;
      await this.#onAssignment(target);
    } catch (err) {
      this.#fail(err as Error);
    } finally {
      if (this.#target === undefined) this.#signalApplied();
    }
  }

  #push(items: readonly PartitionedEvent[]): void {
    if (items.length === 0) return;
    this.#releasedTime = Math.max(this.#releasedTime, items[items.length - 1]!.event.eventTime);
    let start = 0;
    for (let i = 1; i <= items.length; i++) {
      // Runs are capped so the runtime gets a checkpoint opportunity at least every RUN_LIMIT events.
      if (
        i === items.length ||
        items[i]!.sourceRank !== items[start]!.sourceRank ||
        i - start >= RUN_LIMIT ||
        // Scale-out: a run belongs to one partition, so a revoked partition's runs can leave the queue.
        (this.options.handover !== undefined && items[i]!.partition !== items[start]!.partition)
      ) {
        const events = items.slice(start, i).map((x) => x.event);
        this.options.onRelease?.(events, performance.now());
        this.#queue.push(
          this.options.handover === undefined
            ? { input: items[start]!.sourceRank, events }
            : { input: items[start]!.sourceRank, events, partition: items[start]!.partition },
        );
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
    this.#signalApplied();
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
