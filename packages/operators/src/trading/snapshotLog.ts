/**
 * Append-only log of the records seen at one event time (a chain snapshot), shared between operator
 * states. A state holds a view `{ log, length }`; appending returns a longer view over the same
 * arrays, so the view a previous state holds keeps seeing exactly its own prefix. That keeps the
 * operator contract (never mutate the state you were given) at O(1) per quote instead of copying a
 * 1,000-contract chain on every event. If a step fails after appending, the restored (shorter) view
 * truncates the log on its next append.
 */
export interface SnapshotLog<T> {
  readonly time: number;
  readonly items: T[];
  readonly index: Map<string, number>;
}

export interface SnapshotView<T> {
  readonly log: SnapshotLog<T>;
  readonly length: number;
}

export const emptySnapshot = <T>(time: number): SnapshotView<T> => ({
  log: { time, items: [], index: new Map() },
  length: 0,
});

export const appendToSnapshot = <T>(view: SnapshotView<T>, key: string, item: T): SnapshotView<T> => {
  const { log } = view;
  if (log.items.length !== view.length) log.items.length = view.length;
  log.items.push(item);
  log.index.set(key, view.length);
  return { log, length: view.length + 1 };
};

/** Latest item under `key` visible in this view. */
export const lookupSnapshot = <T>(
  view: SnapshotView<T>,
  key: string,
  keyOf: (item: T) => string,
): T | undefined => {
  const i = view.log.index.get(key);
  // Keys are never removed from the index, so a key it lacks was never appended to this log.
  if (i === undefined) return undefined;
  if (i < view.length) {
    const item = view.log.items[i]!;
    if (keyOf(item) === key) return item;
  }
  // The index may point past this view or at a truncated slot: scan this view's own prefix.
  for (let j = view.length - 1; j >= 0; j--) {
    const item = view.log.items[j]!;
    if (keyOf(item) === key) return item;
  }
  return undefined;
};

/** Items visible in this view, in arrival order; a later item for the same key shadows earlier ones. */
export const snapshotItems = <T>(view: SnapshotView<T>): readonly T[] =>
  view.length === view.log.items.length ? view.log.items : view.log.items.slice(0, view.length);
