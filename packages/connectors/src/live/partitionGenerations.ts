import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { deserialize, serialize } from "node:v8";
import type { ActorStates } from "@thetaflow/core";
import { writeFileAtomically } from "./atomicFile.js";
import type { LiveInputCheckpoint } from "./kafkaLiveInput.js";

/**
 * One generation of a partition's state under exactly-once output: the state as of the input
 * offsets that the partition's transaction commits with it. It counts only once that transaction
 * committed; the group's committed offsets carry its token, which names the file.
 */
export interface PartitionGeneration {
  readonly topologyHash: string;
  readonly partition: number;
  /** Grows by one per checkpoint of the partition, across owners (a new owner continues the count). */
  readonly generation: number;
  /** `<generation>-<writer>`: unique even when a fenced zombie writes the same generation number. */
  readonly token: string;
  readonly input: LiveInputCheckpoint;
  readonly actors: ActorStates;
}

/** Who holds a partition; `released` once its last transaction committed and it was given up. */
export interface PartitionLease {
  readonly owner: string;
  readonly released: boolean;
}

const FILE = /^partition-(\d+)\.(\d+)-([0-9a-z]+)\.bin$/;

/**
 * Partition states for exactly-once runs: one file per generation (`partition-<n>.<token>.bin`),
 * never overwritten, so the generation the group's offsets name is still there whichever process
 * wrote later, plus a small lease file per partition for hand-overs. Files older than the newest
 * committed generation are deleted by the process that committed it.
 */
export class PartitionGenerationStore {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  pathOf(partition: number, token: string): string {
    return join(this.dir, `partition-${partition}.${token}.bin`);
  }

  save(state: PartitionGeneration): void {
    writeFileAtomically(this.pathOf(state.partition, state.token), serialize(state));
  }

  load(partition: number, token: string): PartitionGeneration | undefined {
    const path = this.pathOf(partition, token);
    return existsSync(path) ? (deserialize(readFileSync(path)) as PartitionGeneration) : undefined;
  }

  /**
   * Deletes the partition's generations older than `generation` (committed): only generations
   * above it can still become the committed one, and a zombie's leftovers at or above it are
   * deleted by the owner's next commit.
   */
  pruneBefore(partition: number, generation: number): void {
    for (const name of readdirSync(this.dir)) {
      const m = FILE.exec(name);
      if (m !== null && Number(m[1]) === partition && Number(m[2]) < generation)
        rmSync(join(this.dir, name), { force: true });
    }
  }

  /** The highest generation number among the partition's files (committed or not), if any. */
  newestGeneration(partition: number): number | undefined {
    let newest: number | undefined;
    for (const name of readdirSync(this.dir)) {
      const m = FILE.exec(name);
      if (m !== null && Number(m[1]) === partition && (newest === undefined || Number(m[2]) > newest))
        newest = Number(m[2]);
    }
    return newest;
  }

  leasePathOf(partition: number): string {
    return join(this.dir, `partition-${partition}.lease`);
  }

  loadLease(partition: number): PartitionLease | undefined {
    const path = this.leasePathOf(partition);
    return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as PartitionLease) : undefined;
  }

  saveLease(partition: number, lease: PartitionLease): void {
    writeFileAtomically(this.leasePathOf(partition), Buffer.from(JSON.stringify(lease)));
  }
}
