/**
 * A fixed-capacity window of numbers, oldest first, updated copy-on-write: `push` returns a new ring
 * and never touches the one it was given, so an operator state holding it stays immutable. Copying a
 * daily window (a few hundred floats) is a memcpy; the arithmetic on top of it stays O(1) per update.
 */
export interface Ring {
  readonly buf: Float64Array;
  /** Index in `buf` of the oldest value. */
  readonly head: number;
  readonly size: number;
}

export const init = (capacity: number): Ring => {
  if (!(Number.isInteger(capacity) && capacity > 0))
    throw new RangeError(`ring capacity must be a positive integer, got ${capacity}`);
  return { buf: new Float64Array(capacity), head: 0, size: 0 };
};

export const capacity = (r: Ring): number => r.buf.length;
export const isFull = (r: Ring): boolean => r.size === r.buf.length;

/** Value `back` steps before the newest (0 = newest); NaN outside the window. */
export const back = (r: Ring, steps: number): number => {
  if (steps < 0 || steps >= r.size) return Number.NaN;
  return r.buf[(r.head + r.size - 1 - steps) % r.buf.length]!;
};

/** The value the next push evicts (the oldest when full), NaN when nothing is evicted. */
export const evictee = (r: Ring): number => (isFull(r) ? r.buf[r.head]! : Number.NaN);

export const push = (r: Ring, x: number): Ring => {
  const buf = r.buf.slice();
  const n = buf.length;
  if (r.size < n) {
    buf[(r.head + r.size) % n] = x;
    return { buf, head: r.head, size: r.size + 1 };
  }
  buf[r.head] = x;
  return { buf, head: (r.head + 1) % n, size: n };
};

/** Oldest-first copy of the window, for batch checks and debugging. */
export const toArray = (r: Ring): number[] => {
  const out: number[] = [];
  for (let i = 0; i < r.size; i++) out.push(r.buf[(r.head + i) % r.buf.length]!);
  return out;
};
