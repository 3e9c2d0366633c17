import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import {
  type CompiledTopology,
  compileTopology,
  drive,
  type EventBatches,
  type EventSink,
  type Graph,
  type NodeStats,
  type Registries,
  type TopologyError,
} from "@thetaflow/core";
import { Data, Effect } from "effect";
import { createKafkaClient } from "../kafka/client.js";
import { CheckpointStore, type RunCheckpoint } from "../live/checkpointStore.js";
import { KafkaLiveInput, type KafkaLiveInputOptions } from "../live/kafkaLiveInput.js";
import { type ReadTracker, replaySource } from "../replay/replaySource.js";
import { digestOutputs, type OutputFile } from "./outputs.js";
import { kafkaBrokers } from "./serviceSinks.js";

export class RunError extends Data.TaggedError("RunError")<{ readonly message: string }> {}

export type RunMode = "replay" | "live";

export interface RunReport {
  readonly topology: string;
  readonly topologyName: string;
  readonly topologyHash: string;
  readonly mode: RunMode;
  readonly events: { readonly in: number; readonly out: number; readonly deadLetters: number };
  readonly nodes: Readonly<Record<string, NodeStats>>;
  readonly outputs: readonly OutputFile[];
  readonly outputsSha256: string;
  readonly wallSeconds: number;
  readonly eventsPerSecond: number;
}

export interface LiveOptions {
  readonly brokers?: readonly string[];
  /** Consumer group; default `thetaflow-<topology name>`. Processes sharing it share the partitions. */
  readonly groupId?: string;
  /** End the run once all partitions are caught up and quiet for this long (ms); default: run until stopped. */
  readonly untilIdleMs?: number;
  /** Checkpoint after this many input events (default 50,000) or this much wall time (default 1,000 ms). */
  readonly checkpointEvents?: number;
  readonly checkpointIntervalMs?: number;
  /** Default `<outDir>/checkpoint.bin`. */
  readonly checkpointPath?: string;
  /** Consumer-group session timeout (ms); a restarted process waits this long for its partitions. */
  readonly sessionTimeoutMs?: number;
  /** Receives the input so a signal handler can stop it gracefully. */
  readonly onInput?: (input: KafkaLiveInput) => void;
  /** Wall-clock arrival of each consumed batch, for latency metrics only; never reaches an operator. */
  readonly onArrival?: KafkaLiveInputOptions["onArrival"];
}

export interface RunOptions {
  readonly registries: Registries;
  readonly outDir: string;
  readonly mode?: RunMode;
  readonly live?: LiveOptions;
  readonly onProgress?: (p: {
    readonly eventsIn: number;
    readonly eventTime: number;
    readonly bytesRead: number;
    readonly bytesTotal: number;
  }) => void;
  readonly onGraph?: (graph: Graph) => void;
  /** Wall clock for run statistics only — never reaches an operator. */
  readonly now?: () => number;
}

/** Reads and compiles a topology file; errors name the file and line. */
export const loadTopology = (
  file: string,
  registries: Registries,
): Effect.Effect<CompiledTopology, TopologyError | RunError> =>
  Effect.try({
    try: () => readFileSync(file, "utf8"),
    catch: (e) => new RunError({ message: `cannot read topology ${file}: ${(e as Error).message}` }),
  }).pipe(Effect.flatMap((text) => compileTopology(file, text, registries)));

const RUN_MARKER = ".thetaflow-run";

/** Only a directory we made (it has run.json or our marker) or an empty one may be replaced. */
const prepareOutDir = (outDir: string): Effect.Effect<void, RunError> =>
  Effect.try({
    try: () => {
      if (existsSync(outDir)) {
        const entries = readdirSync(outDir);
        if (entries.length > 0 && !entries.includes("run.json") && !entries.includes(RUN_MARKER))
          throw new Error(
            `${outDir} is not empty and is not a thetaflow run directory; refusing to replace it`,
          );
        rmSync(outDir, { recursive: true, force: true });
      }
      mkdirSync(outDir, { recursive: true });
      // Marks the directory as ours from the first moment, so a run killed before it wrote
      // run.json can still be replaced by the next one.
      writeFileSync(join(outDir, RUN_MARKER), "");
    },
    catch: (e) => new RunError({ message: (e as Error).message }),
  });

const openSinks = (topology: CompiledTopology, outDir: string, resume?: RunCheckpoint) =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        const sinks = new Map<string, EventSink>();
        for (const s of topology.sinks)
          sinks.set(
            s.spec.id,
            await s.sink.open(s.params, {
              sinkId: s.spec.id,
              outDir,
              baseDir: dirname(resolve(topology.file)),
              resume: resume?.sinks[s.spec.id],
            }),
          );
        return sinks;
      },
      catch: (e) => new RunError({ message: `cannot open sinks: ${(e as Error).message}` }),
    }),
    (sinks) => Effect.promise(() => Promise.allSettled([...sinks.values()].map((s) => s.close()))),
  );

const replaySources = (topology: CompiledTopology, tracker: ReadTracker): Map<string, EventBatches> => {
  // Replay paths are relative to the topology file, so a topology runs the same from any directory.
  const baseDir = dirname(resolve(topology.file));
  const sources = new Map<string, EventBatches>();
  for (const s of topology.sources) {
    if (s.replay === undefined)
      throw new Error(`source '${s.id}' has no replay binding; run it live or add one`);
    sources.set(s.id, replaySource(s.replay, { sourceId: s.id, baseDir, tracker }));
  }
  return sources;
};

/**
 * Runs a topology to completion and writes `run.json` beside the sink outputs. Resources (sinks) are
 * scoped: they are closed whatever happens, and a failure is a typed RunError.
 */
export const runTopology = (
  topology: CompiledTopology,
  options: RunOptions,
): Effect.Effect<RunReport, RunError> =>
  Effect.scoped(
    Effect.gen(function* () {
      const mode = options.mode ?? "replay";
      const now = options.now ?? (() => performance.now());
      const store =
        mode === "live"
          ? new CheckpointStore(options.live?.checkpointPath ?? join(options.outDir, "checkpoint.bin"))
          : undefined;
      const resume = yield* Effect.try({
        try: () => store?.load(),
        catch: (e) => new RunError({ message: `cannot read checkpoint: ${(e as Error).message}` }),
      });
      if (resume !== undefined && resume.topologyHash !== topology.hash)
        return yield* Effect.fail(
          new RunError({
            message: `checkpoint ${store!.path} belongs to another topology (hash ${resume.topologyHash.slice(0, 12)}); remove it to start over`,
          }),
        );
      if (resume === undefined) yield* prepareOutDir(options.outDir);
      const sinks = yield* openSinks(topology, options.outDir, resume);
      const tracker: ReadTracker = { bytesRead: 0, bytesTotal: 0 };
      const started = now();
      const flushAll = () => Promise.all([...sinks.values()].map((s) => s.flush()));
      let graph: Graph | undefined;
      if (mode === "replay") {
        const sources = yield* Effect.try({
          try: () => replaySources(topology, tracker),
          catch: (e) => new RunError({ message: (e as Error).message }),
        });
        graph = yield* Effect.tryPromise({
          try: () =>
            drive({
              topology,
              sources,
              sinks,
              onGraph: options.onGraph,
              onProgress: options.onProgress && ((p) => options.onProgress!({ ...p, ...tracker })),
            }),
          catch: (e) => new RunError({ message: `run failed: ${(e as Error).message}` }),
        });
      } else {
        const input = yield* Effect.acquireRelease(
          Effect.tryPromise({
            try: () => startLiveInput(topology, options.live ?? {}, resume),
            catch: (e) => new RunError({ message: `cannot start Kafka input: ${(e as Error).message}` }),
          }),
          (i) => Effect.promise(() => i.close().catch(() => {})),
        );
        options.live?.onInput?.(input);
        const every = options.live?.checkpointEvents ?? 50_000;
        const intervalMs = options.live?.checkpointIntervalMs ?? 1_000;
        let pendingCommit: RunCheckpoint["input"] | undefined;
        let committing = false;
        const commitLoop = async () => {
          committing = true;
          while (pendingCommit !== undefined) {
            const next = pendingCommit;
            pendingCommit = undefined;
            await input.commit(next).catch(() => {});
          }
          committing = false;
        };
        let lastEvents = resume?.graph.counters.eventsIn ?? 0;
        let lastAt = now();
        const checkpoint = async (g: Graph) => {
          await flushAll();
          const cp: RunCheckpoint = {
            topologyHash: topology.hash,
            graph: g.snapshot(),
            input: input.checkpoint(),
            sinks: Object.fromEntries([...sinks].map(([id, s]) => [id, s.checkpoint?.()])),
          };
          store!.save(cp);
          // The checkpoint file is the source of truth for resuming; the group commit only feeds lag
          // monitoring and restarts without a checkpoint. Never let a slow coordinator (e.g. right
          // after a broker restart) stall processing: one commit in flight, newer ones replace it.
          pendingCommit = cp.input;
          if (!committing) void commitLoop();
          lastEvents = g.counters.eventsIn;
          lastAt = now();
        };
        graph = yield* Effect.tryPromise({
          try: async () => {
            const g = await drive({
              topology,
              sources: { merged: input.runs() },
              sinks,
              onGraph: (g) => {
                if (resume !== undefined) g.restore(resume.graph);
                options.onGraph?.(g);
              },
              onProgress:
                options.onProgress && ((p) => options.onProgress!({ ...p, bytesRead: 0, bytesTotal: 0 })),
              afterRun: (g) =>
                g.counters.eventsIn - lastEvents >= every || now() - lastAt >= intervalMs
                  ? checkpoint(g)
                  : undefined,
            });
            await checkpoint(g);
            // On a clean end, leave the group's offsets at the final checkpoint too.
            while (committing) await new Promise((r) => setTimeout(r, 10));
            await input.commit(input.checkpoint()).catch(() => {});
            return g;
          },
          catch: (e) => new RunError({ message: `live run failed: ${(e as Error).message}` }),
        });
      }
      yield* Effect.tryPromise({
        try: () => Promise.all([...sinks.values()].map((s) => s.close())),
        catch: (e) => new RunError({ message: `cannot flush sinks: ${(e as Error).message}` }),
      });
      const wallSeconds = (now() - started) / 1000;
      const digest = yield* Effect.tryPromise({
        try: () =>
          digestOutputs(
            options.outDir,
            [...sinks.values()].flatMap((s) => s.files()),
          ),
        catch: (e) => new RunError({ message: `cannot checksum outputs: ${(e as Error).message}` }),
      });
      const report: RunReport = {
        topology: topology.file,
        topologyName: topology.spec.name,
        topologyHash: topology.hash,
        mode,
        events: {
          in: graph.counters.eventsIn,
          out: graph.counters.eventsOut,
          deadLetters: graph.counters.deadLetters,
        },
        nodes: Object.fromEntries([...graph.nodes].map(([id, n]) => [id, { ...n.stats }])),
        outputs: digest.files,
        outputsSha256: digest.outputsSha256,
        wallSeconds: Math.round(wallSeconds * 1000) / 1000,
        eventsPerSecond: Math.round(graph.counters.eventsIn / Math.max(wallSeconds, 1e-9)),
      };
      writeFileSync(join(options.outDir, "run.json"), `${JSON.stringify(report, null, 2)}\n`);
      return report;
    }),
  );

const startLiveInput = (topology: CompiledTopology, live: LiveOptions, resume: RunCheckpoint | undefined) => {
  const bindings = topology.sources.map((s, rank) => {
    if (s.kafka === undefined)
      throw new Error(`source '${s.id}' has no kafka binding; run it as a replay or add one`);
    return {
      sourceId: s.id,
      rank,
      topics: s.kafka.topics,
      lateness: s.kafka.maxLatenessUs,
      groupId: s.kafka.groupId,
    };
  });
  return KafkaLiveInput.start({
    // A live engine outlives broker restarts: retry for minutes (backoff capped at 5 s) before giving up.
    kafka: createKafkaClient({
      brokers: kafkaBrokers(live.brokers),
      clientId: `thetaflow-${topology.spec.name}`,
      retries: 60,
    }),
    groupId:
      live.groupId ??
      bindings.find((b) => b.groupId !== undefined)?.groupId ??
      `thetaflow-${topology.spec.name}`,
    bindings,
    // One watermark orders all sources, so it waits as long as the most tolerant source allows.
    maxLatenessUs: Math.max(...bindings.map((b) => b.lateness)),
    ...(live.untilIdleMs !== undefined ? { untilIdleMs: live.untilIdleMs } : {}),
    ...(live.sessionTimeoutMs !== undefined ? { sessionTimeoutMs: live.sessionTimeoutMs } : {}),
    ...(live.onArrival !== undefined ? { onArrival: live.onArrival } : {}),
    ...(resume !== undefined ? { resumeFrom: resume.input } : {}),
  });
};
