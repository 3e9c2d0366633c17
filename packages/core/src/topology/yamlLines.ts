import { type Document, isMap, isScalar, isSeq, type LineCounter, type Node } from "yaml";

/** 1-based line of the deepest YAML node found along `path` (a key's own line for map entries). */
export const lineOf = (
  doc: Document,
  counter: LineCounter,
  path: ReadonlyArray<PropertyKey>,
): number | null => {
  let node: unknown = doc.contents;
  let offset: number | undefined = (doc.contents as Node | null)?.range?.[0];
  for (const step of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === step);
      if (pair === undefined) break;
      offset = (pair.key as Node | null)?.range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof step === "number") {
      const item = node.items[step] as Node | undefined;
      if (item === undefined) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset === undefined ? null : counter.linePos(offset).line;
};
