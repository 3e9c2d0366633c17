import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { deserialize, serialize } from "node:v8";
import type { ActorStates } from "@thetaflow/core";
import { writeFileAtomically } from "./atomicFile.js";
import { type LiveInputCheckpoint, partitionNumberOf } from "./kafkaLiveInput.js";

/**
 * The state of one partition number (of every co-partitioned input topic): the actors of the keys
 * that hash to it and the input's positions, held and queued events there. It is what moves from
 * one engine process to another when the group reassigns the partition.
 */
export interface PartitionState {
  readonly topologyHash: string;
  readonly partition: number;
  /** Group member id of the process that wrote it. */
  readonly owner: string;
  /** Written by an owner giving the partition up (rebalance or clean end): final, safe to take. */
  readonly released: boolean;
  readonly input: LiveInputCheckpoint;
  readonly actors: ActorStates;
}

/**
 * One file per partition in a directory every engine process of the group can read (a shared
 * volume when the processes run on several hosts), each written atomically.
 */
export class PartitionStateStore {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  pathOf(partition: number): string {
    return join(this.dir, `partition-${partition}.bin`);
  }

  load(partition: number): PartitionState | undefined {
    const path = this.pathOf(partition);
    return existsSync(path) ? (deserialize(readFileSync(path)) as PartitionState) : undefined;
  }

  save(state: PartitionState): void {
    writeFileAtomically(this.pathOf(state.partition), serialize(state));
  }
}

/** The part of an input checkpoint that belongs to one partition number. */
export const inputOfPartition = (cp: LiveInputCheckpoint, partition: number): LiveInputCheckpoint => {
  const ours = (id: string) => partitionNumberOf(id) === partition;
  return {
    positions: Object.fromEntries(Object.entries(cp.positions).filter(([id]) => ours(id))),
    held: cp.held.filter((x) => ours(x.partition)),
    queued: cp.queued.filter((r) => r.partition !== undefined && ours(r.partition)),
    released: cp.released,
  };
};

/**
 * How far a partition's state has consumed: the sum of next offsets over its topics. Offsets only
 * grow, whoever consumes, so of two states of one partition the larger is the newer.
 */
export const progressOf = (cp: LiveInputCheckpoint): bigint =>
  Object.values(cp.positions).reduce((sum, offset) => sum + BigInt(offset) + 1n, 0n);

/** The offsets a consumer group commits for a checkpoint: the next offset to read per topic-partition. */
export const nextOffsetsOf = (cp: LiveInputCheckpoint) =>
  Object.entries(cp.positions).map(([p, offset]) => {
    const slash = p.lastIndexOf("/");
    return {
      topic: p.slice(0, slash),
      partition: Number(p.slice(slash + 1)),
      offset: (BigInt(offset) + 1n).toString(),
    };
  });
