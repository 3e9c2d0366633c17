import { existsSync, readFileSync, renameSync } from "node:fs";
import { rename } from "node:fs/promises";
import { serialize } from "node:v8";
import type { GraphSnapshot } from "@thetaflow/core";
import { writeFileAtomically, writeFileAtomicallyAsync } from "./atomicFile.js";
import type { LiveInputCheckpoint } from "./kafkaLiveInput.js";
import { decodeCheckpoint, encodeCheckpointSliced } from "./slicedCheckpoint.js";

/** Everything needed to resume a live run exactly: operator state, input positions, sink positions. */
export interface RunCheckpoint {
  readonly topologyHash: string;
  /** Counts checkpoints of a run; a transactional sink commits it with the offsets (see `candidates`). */
  readonly generation?: number;
  readonly graph: GraphSnapshot;
  readonly input: LiveInputCheckpoint;
  readonly sinks: Readonly<Record<string, unknown>>;
}

/**
 * A checkpoint file written atomically (temporary file, fsync, rename), so a crash at any instant
 * leaves a whole checkpoint, never a torn one. The previous checkpoint is kept beside it: with an
 * exactly-once Kafka sink the newest checkpoint counts only once its transaction committed, and
 * until then the run resumes from the previous one. v8 serialization keeps typed arrays and Maps
 * in operator state intact. `saveInBackground` encodes and writes without pausing event processing.
 */
export class CheckpointStore {
  constructor(readonly path: string) {}

  get previousPath(): string {
    return `${this.path}.prev`;
  }

  /** The newest checkpoint. */
  load(): RunCheckpoint | undefined {
    return this.candidates()[0];
  }

  /** The newest checkpoint and the one before it, newest first. */
  candidates(): RunCheckpoint[] {
    return [this.path, this.previousPath]
      .filter((p) => existsSync(p))
      .map((p) => decodeCheckpoint<RunCheckpoint>(readFileSync(p)));
  }

  /** Drops the newest checkpoint in favour of the previous one (its transaction never committed). */
  revertToPrevious(): void {
    renameSync(this.previousPath, this.path);
  }

  save(checkpoint: RunCheckpoint): void {
    // Between the two renames only the previous file exists: a crash there resumes from it, which
    // is right, because the new checkpoint's transaction commits only after this returns.
    if (existsSync(this.path)) renameSync(this.path, this.previousPath);
    writeFileAtomically(this.path, serialize(checkpoint));
  }

  /**
   * `save` with the encoding sliced between events and the file written on the thread pool. The
   * checkpoint's states are immutable, so events processed meanwhile do not change what is written.
   * Call one at a time; the checkpoint counts (resume, commits) only once this resolves.
   */
  async saveInBackground(checkpoint: RunCheckpoint): Promise<void> {
    const chunks = await encodeCheckpointSliced(checkpoint);
    if (existsSync(this.path)) await rename(this.path, this.previousPath);
    await writeFileAtomicallyAsync(this.path, chunks);
  }
}
