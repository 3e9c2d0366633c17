import { deserialize, serialize } from "node:v8";
import type { GraphSnapshot } from "@thetaflow/core";

/**
 * A checkpoint encoded a few actors at a time, yielding to the event loop between slices, so a
 * multi-megabyte graph snapshot never pauses event processing for the whole v8 serialization.
 * Actor states are immutable (an update replaces an actor's state), so the references taken at the
 * checkpoint still describe that instant while later events are processed.
 *
 * Layout: MAGIC, then frames of [u32 length][v8 value]: first the checkpoint with every node's
 * actor list empty, then `[nodeId, actors]` slices in key order.
 */
const MAGIC = Buffer.from("thetaflow-checkpoint/sliced-1\n");
/** Actors per frame: small enough that one frame serializes in well under a millisecond. */
const ACTORS_PER_FRAME = 32;
/** Longest stretch of serialization between two yields to the event loop (ms). */
const SLICE_MS = 0.5;

interface WithGraph {
  readonly graph: GraphSnapshot;
}

const frame = (value: unknown): Uint8Array[] => {
  const body = serialize(value);
  const length = Buffer.allocUnsafe(4);
  length.writeUInt32LE(body.length, 0);
  return [length, body];
};

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Encodes `checkpoint` into chunks to write in order, yielding to the loop every ~SLICE_MS. */
export const encodeCheckpointSliced = async <C extends WithGraph>(checkpoint: C): Promise<Uint8Array[]> => {
  const nodes = Object.entries(checkpoint.graph.nodes);
  const head = {
    ...checkpoint,
    graph: {
      ...checkpoint.graph,
      nodes: Object.fromEntries(nodes.map(([id, n]) => [id, { ...n, actors: [] }])),
    },
  };
  const chunks: Uint8Array[] = [MAGIC, ...frame(head)];
  let sliceStart = performance.now();
  for (const [id, node] of nodes) {
    for (let i = 0; i < node.actors.length; i += ACTORS_PER_FRAME) {
      chunks.push(...frame([id, node.actors.slice(i, i + ACTORS_PER_FRAME)]));
      if (performance.now() - sliceStart >= SLICE_MS) {
        await yieldToLoop();
        sliceStart = performance.now();
      }
    }
  }
  return chunks;
};

/** Reads a checkpoint file: the sliced layout, or one v8 value (files written before it). */
export const decodeCheckpoint = <C extends WithGraph>(data: Buffer): C => {
  if (!data.subarray(0, MAGIC.length).equals(MAGIC)) return deserialize(data) as C;
  let at = MAGIC.length;
  const next = (): unknown => {
    const length = data.readUInt32LE(at);
    const value: unknown = deserialize(data.subarray(at + 4, at + 4 + length));
    at += 4 + length;
    return value;
  };
  const head = next() as C;
  const actors = new Map<string, (readonly [string, unknown])[]>();
  while (at < data.length) {
    const [id, slice] = next() as [string, (readonly [string, unknown])[]];
    const list = actors.get(id);
    if (list === undefined) actors.set(id, slice);
    else for (const a of slice) list.push(a);
  }
  const nodes = Object.fromEntries(
    Object.entries(head.graph.nodes).map(([id, n]) => [id, { ...n, actors: actors.get(id) ?? [] }]),
  );
  return { ...head, graph: { ...head.graph, nodes } };
};
