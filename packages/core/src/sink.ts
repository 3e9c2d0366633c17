import type { Event } from "@thetaflow/schemas";
import type { Schema } from "effect";

export interface SinkContext {
  readonly sinkId: string;
  /** Run output directory (replay runs write their files here). */
  readonly outDir: string;
  /** Directory of the topology file; relative paths resolve against it. */
  readonly baseDir: string;
  /** What `checkpoint()` returned at the checkpoint a live run resumes from; undefined on a fresh run. */
  readonly resume?: unknown;
}

/**
 * Where events leave the engine. `write` is synchronous on the hot path; a sink that needs I/O buffers
 * and reports pressure through `backpressure()` so the runtime can pause live sources.
 */
export interface EventSink {
  write(event: Event): void;
  /** Resolves when everything written so far is durable/acknowledged. */
  flush(): Promise<void>;
  close(): Promise<void>;
  /** Files this sink wrote (for run.json's output checksum), in a fixed order. */
  files(): readonly string[];
  /** A promise while the sink's buffer is over its bound; undefined when there is room. */
  backpressure?(): Promise<void> | undefined;
  /**
   * Called right after a successful `flush()` when a live run checkpoints: what the sink needs to
   * continue exactly from here after a crash (e.g. a file length). Idempotent sinks return nothing.
   */
  checkpoint?(): unknown;
}

export interface SinkDefinition<P = any> {
  readonly name: string;
  readonly description: string;
  readonly params: Schema.Schema<P, any, never>;
  readonly open: (params: P, ctx: SinkContext) => Promise<EventSink>;
}
