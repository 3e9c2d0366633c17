import { serialize } from "node:v8";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeCheckpoint, encodeCheckpointSliced } from "./slicedCheckpoint.js";

const checkpointWith = (actorsPerNode: readonly number[]) => ({
  topologyHash: "abc",
  generation: 7,
  graph: {
    counters: { eventsIn: 10, eventsOut: 4, deadLetters: 1 },
    nodes: Object.fromEntries(
      actorsPerNode.map((n, i) => [
        `node${i}`,
        {
          seq: i * 3,
          lastEventTime: 1_000 + i,
          actors: Array.from({ length: n }, (_, k) => [
            `key${String(k).padStart(4, "0")}`,
            { ring: new Float64Array([k, k + 0.5]), seen: new Map([["a", k]]), k },
          ]),
        },
      ]),
    ),
  },
  input: { positions: { "t/0": "41" }, held: [], queued: [], released: 5 },
  sinks: { out: 1234 },
});

describe("sliced checkpoint encoding", () => {
  it("decodes to the checkpoint it encoded, for any number of nodes and actors", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat({ max: 200 }), { maxLength: 5 }), async (actorsPerNode) => {
        const cp = checkpointWith(actorsPerNode);
        const chunks = await encodeCheckpointSliced(cp);
        expect(decodeCheckpoint(Buffer.concat(chunks))).toEqual(cp);
      }),
      { numRuns: 30 },
    );
  });

  it("still reads a checkpoint written as one v8 value", () => {
    const cp = checkpointWith([3, 0, 40]);
    expect(decodeCheckpoint(serialize(cp))).toEqual(cp);
  });
});
