import type { DeadLetter, Event } from "@thetaflow/schemas";

export interface ReorderOptions {
  /** How far (µs) behind the newest event time an event may arrive and still be put in order. */
  readonly maxLatenessUs: number;
  /** Names the source in dead letters. */
  readonly sourceId: string;
}

const byTimeThenSeq = (a: Event, b: Event) => a.eventTime - b.eventTime || a.seq - b.seq;

/**
 * Event-time ordering with a bounded lateness watermark. Events are held until the watermark
 * (newest event time - lateness) passes them, then released sorted by (eventTime, seq); an event
 * already behind the watermark is too late to be put in order and becomes a DeadLetter.
 * Used by replay files and by live Kafka partitions alike, so both see the same order.
 */
export class ReorderBuffer {
  #held: Event[] = [];
  #sorted = true;
  #maxSeen = Number.NEGATIVE_INFINITY;
  #released = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: ReorderOptions) {}

  /** Adds an event; returns the dead letter if it is too late. */
  add(event: Event): DeadLetter | undefined {
    if (event.kind === "DeadLetter") {
      this.#hold(event);
      return undefined;
    }
    const watermark = this.#maxSeen - this.options.maxLatenessUs;
    if (event.eventTime < watermark || event.eventTime < this.#released) {
      return {
        kind: "DeadLetter",
        eventTime: Math.max(this.#released, 0),
        seq: event.seq,
        nodeId: this.options.sourceId,
        reason: `out of order: eventTime ${event.eventTime} is ${this.#maxSeen - event.eventTime}µs behind the newest event, beyond the allowed lateness of ${this.options.maxLatenessUs}µs`,
        raw: JSON.stringify(event),
      };
    }
    if (event.eventTime > this.#maxSeen) this.#maxSeen = event.eventTime;
    this.#hold(event);
    return undefined;
  }

  /**
   * Releases, in order, every held event strictly older than the watermark. Events at the watermark
   * itself wait: a later arrival with the same time but a lower seq must still go first.
   */
  release(): Event[] {
    return this.#releaseBelow(this.#maxSeen - this.options.maxLatenessUs);
  }

  /** End of input: everything held goes out. */
  drain(): Event[] {
    return this.#releaseBelow(Number.POSITIVE_INFINITY);
  }

  #hold(event: Event): void {
    const last = this.#held[this.#held.length - 1];
    if (last !== undefined && byTimeThenSeq(event, last) < 0) this.#sorted = false;
    this.#held.push(event);
  }

  #releaseBelow(limit: number): Event[] {
    const held = this.#held;
    if (held.length === 0) return held;
    if (!this.#sorted) {
      held.sort(byTimeThenSeq);
      this.#sorted = true;
    }
    let n = 0;
    while (n < held.length && held[n]!.eventTime < limit) n++;
    if (n === 0) return [];
    const out = n === held.length ? held : held.slice(0, n);
    this.#held = n === held.length ? [] : held.slice(n);
    this.#released = out[out.length - 1]!.eventTime;
    return out;
  }
}
