import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { deserialize, serialize } from "node:v8";
import type { GraphSnapshot } from "@thetaflow/core";
import type { LiveInputCheckpoint } from "./kafkaLiveInput.js";

/** Everything needed to resume a live run exactly: operator state, input positions, sink positions. */
export interface RunCheckpoint {
  readonly topologyHash: string;
  readonly graph: GraphSnapshot;
  readonly input: LiveInputCheckpoint;
  readonly sinks: Readonly<Record<string, unknown>>;
}

/**
 * A checkpoint file written atomically: serialize to a temporary file, fsync, rename over the old
 * one. A crash at any instant leaves either the previous checkpoint or the new one, never a torn
 * file. v8 serialization keeps typed arrays and Maps in operator state intact.
 */
export class CheckpointStore {
  constructor(readonly path: string) {}

  load(): RunCheckpoint | undefined {
    if (!existsSync(this.path)) return undefined;
    return deserialize(readFileSync(this.path)) as RunCheckpoint;
  }

  save(checkpoint: RunCheckpoint): void {
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, "w");
    try {
      writeSync(fd, serialize(checkpoint));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
  }
}
