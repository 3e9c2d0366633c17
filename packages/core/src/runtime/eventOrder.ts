import type { Event } from "@thetaflow/schemas";

/** An event with the rank of the source it came from (its position in the topology's source list). */
export interface Ranked {
  readonly event: Event;
  readonly rank: number;
}

/** The engine's one total order: (eventTime, source rank, seq). Ties never depend on arrival. */
export const compareRanked = (a: Ranked, b: Ranked): number =>
  a.event.eventTime - b.event.eventTime || a.rank - b.rank || a.event.seq - b.event.seq;
