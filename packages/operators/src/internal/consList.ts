/**
 * An immutable singly linked list: prepend is O(1) and shares the tail, so an operator can collect
 * the quotes of a chain one event at a time without copying or mutating its previous state.
 */
export type ConsList<T> = { readonly head: T; readonly tail: ConsList<T>; readonly size: number } | null;

export const cons = <T>(head: T, tail: ConsList<T>): ConsList<T> => ({
  head,
  tail,
  size: (tail?.size ?? 0) + 1,
});

/** Elements in insertion order (oldest first). */
export const toArray = <T>(list: ConsList<T>): T[] => {
  const out = new Array<T>(list?.size ?? 0);
  let i = out.length - 1;
  for (let l = list; l !== null; l = l.tail) out[i--] = l.head;
  return out;
};
