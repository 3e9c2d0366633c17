/**
 * A fixed-capacity window of numbers, oldest first, persistent: `push` returns a new ring and the one
 * it was given keeps its window, so an operator state holding it stays immutable.
 *
 * Persistence without copying the window on every push (the window is a year of daily values in some
 * indicators): successive rings share an append-only log and a ring is the slice `[end - size, end)`
 * of it. A push writes slot `end` only when nobody has written it yet (`log.written === end`);
 * otherwise the ring pushed is an older one (a step that threw, a restored snapshot, a state shared by
 * several actors) and it moves its window to a fresh log first. A full log is compacted the same way:
 * the live window is copied to the front of a fresh log, once every `log length − capacity` pushes, so
 * a push costs O(1) amortised. No ring ever sees a value in its window change under it.
 */
export interface Ring {
  readonly log: Log;
  /** One past the newest value in `log.data`. */
  readonly end: number;
  readonly size: number;
  readonly capacity: number;
}

/** Values appended by any ring sharing it; slots below `written` never change again. */
export interface Log {
  written: number;
  readonly data: Float64Array;
}

/** Log slots beyond the window: a compaction copies at most `capacity` values every this many pushes. */
const logLength = (capacity: number): number => 2 * capacity + 32;

export const init = (capacity: number): Ring => {
  if (!(Number.isInteger(capacity) && capacity > 0))
    throw new RangeError(`ring capacity must be a positive integer, got ${capacity}`);
  return { log: { written: 0, data: new Float64Array(logLength(capacity)) }, end: 0, size: 0, capacity };
};

export const capacity = (r: Ring): number => r.capacity;
export const isFull = (r: Ring): boolean => r.size === r.capacity;

/** Value `back` steps before the newest (0 = newest); NaN outside the window. */
export const back = (r: Ring, steps: number): number => {
  if (steps < 0 || steps >= r.size) return Number.NaN;
  return r.log.data[r.end - 1 - steps]!;
};

/** The value the next push evicts (the oldest when full), NaN when nothing is evicted. */
export const evictee = (r: Ring): number => (isFull(r) ? r.log.data[r.end - r.size]! : Number.NaN);

export const push = (r: Ring, x: number): Ring => {
  const size = r.size < r.capacity ? r.size + 1 : r.capacity;
  const log = r.log;
  if (log.written === r.end && r.end < log.data.length) {
    log.data[r.end] = x;
    log.written = r.end + 1;
    return { log, end: r.end + 1, size, capacity: r.capacity };
  }
  // The values that stay in the window, then x, at the front of a log nobody else holds.
  const kept = size - 1;
  const data = new Float64Array(logLength(r.capacity));
  data.set(log.data.subarray(r.end - kept, r.end), 0);
  data[kept] = x;
  return { log: { written: size, data }, end: size, size, capacity: r.capacity };
};

/** Oldest-first copy of the window, for batch checks and debugging. */
export const toArray = (r: Ring): number[] => Array.from(r.log.data.subarray(r.end - r.size, r.end));
