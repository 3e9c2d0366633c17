import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type PartitionGeneration, PartitionGenerationStore } from "./partitionGenerations.js";
import { nextOffsetsOf } from "./partitionStates.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "thetaflow-generations-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const generation = (partition: number, n: number, writer: string, offset: string): PartitionGeneration => ({
  topologyHash: "h",
  partition,
  generation: n,
  token: `${n}-${writer}`,
  input: { positions: { [`ticks/${partition}`]: offset }, held: [], queued: [], released: 7 },
  actors: { indicators: [["SPY", { bars: new Float64Array([1, 2]) }]] },
});

describe("PartitionGenerationStore", () => {
  it("loads the generation a token names, with typed arrays intact", () => {
    const store = new PartitionGenerationStore(dir);
    store.save(generation(2, 1, "aa", "10"));
    store.save(generation(2, 2, "aa", "20"));
    const loaded = store.load(2, "1-aa")!;
    expect(loaded.input.positions).toEqual({ "ticks/2": "10" });
    expect(loaded.actors.indicators?.[0]?.[1]).toEqual({ bars: new Float64Array([1, 2]) });
    expect(store.load(2, "3-aa")).toBeUndefined();
  });

  it("keeps a zombie's generation apart from the owner's of the same number", () => {
    const store = new PartitionGenerationStore(dir);
    store.save(generation(1, 5, "owner", "50"));
    store.save(generation(1, 5, "zombie", "57"));
    expect(store.load(1, "5-owner")!.input.positions).toEqual({ "ticks/1": "50" });
    expect(store.load(1, "5-zombie")!.input.positions).toEqual({ "ticks/1": "57" });
  });

  it("prunes only the partition's generations older than the committed one", () => {
    const store = new PartitionGenerationStore(dir);
    for (const [p, n, w] of [
      [0, 1, "aa"],
      [0, 2, "aa"],
      [0, 3, "bb"],
      [0, 12, "bb"],
      [1, 1, "aa"],
      [10, 1, "aa"],
    ] as const)
      store.save(generation(p, n, w, String(n)));
    store.saveLease(0, { owner: "m-1", released: false });
    store.pruneBefore(0, 3);
    expect(readdirSync(dir).sort()).toEqual([
      "partition-0.12-bb.bin",
      "partition-0.3-bb.bin",
      "partition-0.lease",
      "partition-1.1-aa.bin",
      "partition-10.1-aa.bin",
    ]);
  });

  it("records who holds a partition and whether it was released", () => {
    const store = new PartitionGenerationStore(dir);
    expect(store.loadLease(3)).toBeUndefined();
    store.saveLease(3, { owner: "m-1", released: false });
    store.saveLease(3, { owner: "m-1", released: true });
    expect(store.loadLease(3)).toEqual({ owner: "m-1", released: true });
  });
});

describe("nextOffsetsOf", () => {
  it("commits the offset after each position, topic names with slashes kept whole", () => {
    expect(
      nextOffsetsOf({
        positions: { "a/b/3": "41", "ticks/0": "9007199254740993" },
        held: [],
        queued: [],
        released: 0,
      }),
    ).toEqual([
      { topic: "a/b", partition: 3, offset: "42" },
      { topic: "ticks", partition: 0, offset: "9007199254740994" },
    ]);
  });
});
