import type { DeadLetter, Event } from "@thetaflow/schemas";

/** An event with where it came from, for ordering across sources and partitions. */
export interface PartitionedEvent {
  readonly event: Event;
  /** Rank of the topology source it feeds (its position in the topology's source list). */
  readonly sourceRank: number;
  /** Partition id, e.g. `topic/3`. */
  readonly partition: string;
}

export interface WatermarkOptions {
  /** How far (µs) behind the low watermark an event may arrive and still be ordered; later ones are dead letters. */
  readonly maxLatenessUs: number;
  readonly nodeId: string;
}

const order = (a: PartitionedEvent, b: PartitionedEvent) =>
  a.event.eventTime - b.event.eventTime || a.sourceRank - b.sourceRank || a.event.seq - b.event.seq;

/**
 * Live event-time ordering across partitions, so operators see the order a replay would give:
 * (eventTime, source rank, seq). Each partition's newest event time is tracked; the low watermark
 * is the minimum over partitions that may still deliver (not caught up), so a lagging partition
 * holds the others back instead of having its events declared late. Events strictly below the low
 * watermark are released in order. An event older than what was already released (minus the
 * lateness bound) cannot be put in order any more and becomes a DeadLetter.
 */
export class PartitionWatermark {
  #held: PartitionedEvent[] = [];
  #sorted = true;
  readonly #newest = new Map<string, number>();
  readonly #caughtUp = new Map<string, boolean>();
  #released = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: WatermarkOptions) {}

  /** Declares a partition this process reads, before it has delivered anything. */
  assign(partition: string, caughtUp: boolean): void {
    if (!this.#newest.has(partition)) this.#newest.set(partition, Number.NEGATIVE_INFINITY);
    this.#caughtUp.set(partition, caughtUp);
  }

  revoke(partition: string): void {
    this.#newest.delete(partition);
    this.#caughtUp.delete(partition);
  }

  /** Marks whether a partition has delivered everything currently in the log (so it cannot hold others back). */
  setCaughtUp(partition: string, caughtUp: boolean): void {
    if (this.#newest.has(partition)) this.#caughtUp.set(partition, caughtUp);
  }

  add(item: PartitionedEvent): DeadLetter | undefined {
    const t = item.event.eventTime;
    // Anything within the lateness bound of the newest event is still held, so an event older
    // than what was released arrived later than the bound allows: it can no longer be ordered.
    if (t < this.#released && item.event.kind !== "DeadLetter") {
      return {
        kind: "DeadLetter",
        eventTime: Math.max(this.#released, 0),
        seq: item.event.seq,
        nodeId: this.options.nodeId,
        reason: `late event: eventTime ${t} is ${this.#released - t}µs behind events already released, beyond the allowed lateness of ${this.options.maxLatenessUs}µs (partition ${item.partition})`,
        raw: JSON.stringify(item.event),
      };
    }
    const newest = this.#newest.get(item.partition) ?? Number.NEGATIVE_INFINITY;
    if (t > newest) this.#newest.set(item.partition, t);
    if (!this.#caughtUp.has(item.partition)) this.#caughtUp.set(item.partition, false);
    const last = this.#held[this.#held.length - 1];
    if (last !== undefined && order(item, last) < 0) this.#sorted = false;
    this.#held.push(item);
    return undefined;
  }

  /**
   * How far events may be released: strictly below the newest time of the slowest partition that
   * may still deliver (it may send more events at that very time), minus the lateness bound; when
   * every partition has delivered all it has, up to and including the newest time minus the bound.
   */
  releaseLimit(): { readonly time: number; readonly inclusive: boolean } {
    let low = Number.POSITIVE_INFINITY;
    let high = Number.NEGATIVE_INFINITY;
    for (const [p, newest] of this.#newest) {
      if (newest > high) high = newest;
      if (this.#caughtUp.get(p) !== true && newest < low) low = newest;
    }
    return low === Number.POSITIVE_INFINITY
      ? { time: high - this.options.maxLatenessUs, inclusive: true }
      : { time: low - this.options.maxLatenessUs, inclusive: false };
  }

  /** Releases, in order, everything the watermark allows. */
  release(): PartitionedEvent[] {
    const limit = this.releaseLimit();
    return this.#releaseUpTo(limit.time, limit.inclusive);
  }

  /** Releases everything held (source idle long enough, or shutting down). */
  drain(): PartitionedEvent[] {
    return this.#releaseUpTo(Number.POSITIVE_INFINITY, true);
  }

  /**
   * Caught-up partitions the next release would run ahead of: if one of them received records
   * meanwhile, releasing now would make those records late. Worth asking the broker first.
   */
  caughtUpBehindRelease(): string[] {
    if (this.#held.length === 0) return [];
    const limit = this.releaseLimit();
    const out: string[] = [];
    for (const [p, caughtUp] of this.#caughtUp) {
      const newest = this.#newest.get(p) ?? Number.NEGATIVE_INFINITY;
      if (caughtUp && (newest < limit.time || (limit.inclusive && newest === limit.time))) out.push(p);
    }
    return out;
  }

  get held(): number {
    return this.#held.length;
  }

  /** Held events and positions, for a checkpoint. */
  snapshot(): { readonly held: readonly PartitionedEvent[]; readonly released: number } {
    return { held: [...this.#held], released: this.#released };
  }

  restore(s: { readonly held: readonly PartitionedEvent[]; readonly released: number }): void {
    this.#held = [...s.held];
    this.#sorted = false;
    this.#released = s.released;
  }

  #releaseUpTo(limit: number, inclusive: boolean): PartitionedEvent[] {
    const held = this.#held;
    if (held.length === 0) return [];
    if (!this.#sorted) {
      held.sort(order);
      this.#sorted = true;
    }
    let n = 0;
    while (
      n < held.length &&
      (held[n]!.event.eventTime < limit || (inclusive && held[n]!.event.eventTime === limit))
    )
      n++;
    if (n === 0) return [];
    const out = held.slice(0, n);
    this.#held = held.slice(n);
    this.#released = Math.max(this.#released, out[out.length - 1]!.event.eventTime);
    return out;
  }
}
