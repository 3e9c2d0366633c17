import type { Event } from "@thetaflow/schemas";
import { MinHeap } from "./minHeap.js";

/** An ordered stream of events delivered in batches (so no await per event). */
export type EventBatches = AsyncIterable<readonly Event[]>;

/** Consecutive events of one input in the merged order. */
export interface MergedRun {
  readonly input: number;
  readonly events: readonly Event[];
}

interface Cursor {
  readonly input: number;
  readonly iterator: AsyncIterator<readonly Event[]>;
  batch: readonly Event[];
  index: number;
}

const RUN_LIMIT = 4096;

/**
 * Stable k-way merge of ordered inputs by (eventTime, input index); each input keeps its own order
 * (its seq). Equal event times across inputs always come out in input order, so the merged stream
 * is a pure function of the inputs — the basis of byte-identical replays.
 */
export async function* mergeOrdered(inputs: ReadonlyArray<EventBatches>): AsyncGenerator<MergedRun> {
  const heap = new MinHeap<Cursor>(
    (a, b) => a.batch[a.index]!.eventTime - b.batch[b.index]!.eventTime || a.input - b.input,
  );
  const refill = async (c: Cursor): Promise<boolean> => {
    for (;;) {
      const r = await c.iterator.next();
      if (r.done === true) return false;
      if (r.value.length > 0) {
        c.batch = r.value;
        c.index = 0;
        return true;
      }
    }
  };
  const cursors = inputs.map((s, input) => ({
    input,
    iterator: s[Symbol.asyncIterator](),
    batch: [],
    index: 0,
  }));
  try {
    for (const c of cursors) if (await refill(c)) heap.push(c);
    if (heap.size === 1) {
      // One input: pass its batches through untouched.
      const c = heap.pop()!;
      do yield { input: c.input, events: c.index === 0 ? c.batch : c.batch.slice(c.index) };
      while (await refill(c));
      return;
    }
    while (heap.size > 0) {
      const c = heap.pop()!;
      const next = heap.peek();
      // Take this cursor's events while they stay ahead of every other input's head.
      const limit = next === undefined ? Number.POSITIVE_INFINITY : next.batch[next.index]!.eventTime;
      const tieOk = next !== undefined && c.input < next.input;
      const start = c.index;
      while (
        c.index < c.batch.length &&
        c.index - start < RUN_LIMIT &&
        (c.batch[c.index]!.eventTime < limit || (tieOk && c.batch[c.index]!.eventTime === limit))
      )
        c.index++;
      yield { input: c.input, events: c.batch.slice(start, c.index) };
      if (c.index < c.batch.length || (await refill(c))) heap.push(c);
    }
  } finally {
    await Promise.all(cursors.map((c) => c.iterator.return?.()));
  }
}

/** Flattens merged runs back into plain batches (for a source made of several files). */
export async function* flattenRuns(runs: AsyncIterable<MergedRun>): AsyncGenerator<readonly Event[]> {
  for await (const run of runs) yield run.events;
}
