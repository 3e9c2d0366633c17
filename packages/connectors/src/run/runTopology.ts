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
import { TransactionalEventProducer } from "../kafka/producer.js";
import { CheckpointStore, type RunCheckpoint } from "../live/checkpointStore.js";
import { KafkaLiveInput, type KafkaLiveInputOptions } from "../live/kafkaLiveInput.js";
import { nextOffsetsOf } from "../live/partitionStates.js";
import { ScaleOut } from "../live/scaleOut.js";
import { type ReadTracker, replaySource } from "../replay/replaySource.js";
import { digestOutputs, type OutputFile } from "./outputs.js";
import {
  isTransactionalSink,
  kafkaBrokers,
  processTransactionalId,
  type TransactionalSink,
} from "./serviceSinks.js";

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
  /**
   * Scale-out: a directory every process of the group shares (docs/live-scaling.md). Partitions are
   * assigned co-partitioned, and the state of their keys moves with them on a rebalance.
   */
  readonly stateDir?: string;
  /** Receives the input so a signal handler can stop it gracefully. */
  readonly onInput?: (input: KafkaLiveInput) => void;
  /** Wall-clock arrival of each consumed batch, for latency metrics only; never reaches an operator. */
  readonly onArrival?: KafkaLiveInputOptions["onArrival"];
  /** Wall-clock release of events by the ordering watermark, for latency metrics only. */
  readonly onRelease?: KafkaLiveInputOptions["onRelease"];
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
      const exactlyOnce = topology.sinks.some(
        (s) => s.sink.name === "kafka" && (s.params as { exactlyOnce?: boolean }).exactlyOnce === true,
      );
      const resume = yield* Effect.tryPromise({
        try: () =>
          store === undefined
            ? Promise.resolve(undefined)
            : exactlyOnce && options.live?.stateDir === undefined
              ? committedCheckpoint(store, topology, options.live ?? {}, options.outDir)
              : Promise.resolve(store.load()),
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
      const transactional = [...sinks].filter((e): e is [string, TransactionalSink] =>
        isTransactionalSink(e[1]),
      );
      if (transactional.length > 1)
        return yield* Effect.fail(
          new RunError({
            message: "exactlyOnce Kafka output: one such sink per topology (docs/live-scaling.md)",
          }),
        );
      const [txSinkId, txSink] = transactional[0] ?? [];
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
        const live = options.live ?? {};
        /** The graph while it runs: a quiet input checkpoints it between runs. */
        let running: Graph | undefined;
        const scaleOut =
          live.stateDir === undefined
            ? undefined
            : yield* Effect.acquireRelease(
                Effect.tryPromise({
                  try: () =>
                    ScaleOut.open({
                      kafka: liveKafka(topology, live),
                      groupId: groupIdOf(topology, live),
                      topics: topology.sources.flatMap((s) => s.kafka?.topics ?? []),
                      topologyHash: topology.hash,
                      stateDir: live.stateDir!,
                      ...(resume !== undefined ? { local: resume } : {}),
                    }),
                  catch: (e) => new RunError({ message: `cannot start scale-out: ${(e as Error).message}` }),
                }),
                (s) => Effect.promise(() => s.close()),
              );
        // Scaled out, exactly-once output is one transaction per input partition, under
        // transactional ids every process of the group derives alike (the group id, not the out dir).
        if (scaleOut !== undefined && txSink !== undefined)
          scaleOut.useTransactions(
            txSink.perPartition({
              transactionalIdBase: `thetaflow-${txSinkId}-${groupIdOf(topology, live)}`,
              partitionOfKey: (key) => scaleOut.partitionOfKey(key),
            }),
          );
        const input = yield* Effect.acquireRelease(
          Effect.tryPromise({
            try: () =>
              startLiveInput(topology, live, scaleOut === undefined ? resume : undefined, scaleOut, () =>
                running !== undefined && running.counters.eventsIn > lastEvents
                  ? checkpoint(running)
                  : undefined,
              ),
            catch: (e) => new RunError({ message: `cannot start Kafka input: ${(e as Error).message}` }),
          }),
          (i) => Effect.promise(() => i.close().catch(() => {})),
        );
        options.live?.onInput?.(input);
        const every = options.live?.checkpointEvents ?? 50_000;
        const intervalMs = options.live?.checkpointIntervalMs ?? 1_000;
        let pendingCommit: RunCheckpoint["input"] | undefined;
        let committing = false;
        let ended = false;
        const commitLoop = async () => {
          committing = true;
          // A commit refused during a rebalance (stale generation) is retried, a few times, unless a
          // newer checkpoint replaces it: otherwise a quiet partition's lag would stay stale.
          for (let attempt = 0; pendingCommit !== undefined; ) {
            const next = pendingCommit;
            pendingCommit = undefined;
            const ok = await input.commit(next).then(
              () => true,
              () => false,
            );
            attempt = ok ? 0 : attempt + 1;
            if (!ok && pendingCommit === undefined && !ended && attempt < 20) {
              pendingCommit = next;
              await new Promise((r) => setTimeout(r, 250));
            }
          }
          committing = false;
        };
        let lastEvents = resume?.graph.counters.eventsIn ?? 0;
        let generation = resume?.generation ?? 0;
        const groupId = groupIdOf(topology, live);
        let lastAt = now();
        const capture = (g: Graph): RunCheckpoint => {
          generation++;
          return {
            topologyHash: topology.hash,
            generation,
            graph: g.snapshot(),
            input: input.checkpoint(),
            sinks: Object.fromEntries([...sinks].map(([id, s]) => [id, s.checkpoint?.()])),
          };
        };
        const commitInBackground = (cp: RunCheckpoint) => {
          // The checkpoint file is the source of truth for resuming; the group commit only feeds lag
          // monitoring and restarts without a checkpoint. Never let a slow coordinator (e.g. right
          // after a broker restart) stall processing: one commit in flight, newer ones replace it.
          pendingCommit = cp.input;
          if (!committing) void commitLoop();
        };
        const checkpoint = async (g: Graph, final = false) => {
          await background;
          if (backgroundFailure !== undefined) throw backgroundFailure;
          await flushAll();
          const cp = capture(g);
          store!.save(cp);
          if (scaleOut?.exactlyOnce) {
            // Per partition: its state generation, then its transaction (outputs, offsets, token).
            await scaleOut.commitOwned(cp, input.ownedPartitions(), final);
          } else if (txSink !== undefined) {
            // Exactly-once: the outputs since the last checkpoint and the offsets of this one commit
            // in one transaction, tagged with its generation; a restart resumes from the checkpoint
            // whose generation the group's offsets carry (committedCheckpoint).
            await txSink.commitTransaction({
              groupId,
              offsets: nextOffsetsOf(cp.input),
              metadata: `${CHECKPOINT_TAG}${generation}`,
            });
          } else {
            // The process's own file first: after a crash between the two, a restart finds it newer.
            scaleOut?.saveOwned(cp, input.ownedPartitions(), final);
            commitInBackground(cp);
          }
          lastEvents = g.counters.eventsIn;
          lastAt = now();
        };
        /**
         * Without transactional outputs or scale-out, a checkpoint need not pause the run: the cut is
         * taken between two runs (each sink's flush starts there and covers exactly what was written
         * before it; states are immutable references), then flush acks, the file and the group commit
         * follow while later events are processed. It counts once its file is written, after the
         * outputs it covers are acknowledged, as before. One at a time: while one is in flight the
         * next opportunity is skipped.
         */
        const inBackground = txSink === undefined && scaleOut === undefined;
        let background: Promise<void> | undefined;
        let backgroundFailure: Error | undefined;
        const checkpointInBackground = (g: Graph): undefined => {
          if (backgroundFailure !== undefined) throw backgroundFailure;
          if (background !== undefined) return undefined;
          const flushed = flushAll();
          const cp = capture(g);
          lastEvents = g.counters.eventsIn;
          lastAt = now();
          background = (async () => {
            try {
              await flushed;
              await store!.saveInBackground(cp);
              commitInBackground(cp);
            } catch (e) {
              backgroundFailure = e as Error;
            } finally {
              background = undefined;
            }
          })();
          return undefined;
        };
        const checkpointDue = (g: Graph) => (inBackground ? checkpointInBackground(g) : checkpoint(g));
        graph = yield* Effect.tryPromise({
          try: async () => {
            const g = await drive({
              topology,
              sources: { merged: input.runs() },
              sinks,
              onGraph: (g) => {
                // Scaled out, actors arrive with their partitions; only process counters resume here.
                const own = scaleOut === undefined ? resume?.graph : scaleOut.processState();
                if (own !== undefined) g.restore(own);
                scaleOut?.attach(g, input, flushAll);
                running = g;
                options.onGraph?.(g);
              },
              onProgress:
                options.onProgress && ((p) => options.onProgress!({ ...p, bytesRead: 0, bytesTotal: 0 })),
              afterRun: (g) =>
                g.counters.eventsIn - lastEvents >= every || now() - lastAt >= intervalMs
                  ? checkpointDue(g)
                  : undefined,
            });
            await checkpoint(g, true);
            // On a clean end, leave the group's offsets at the final checkpoint too.
            ended = true;
            while (committing) await new Promise((r) => setTimeout(r, 10));
            if (txSink === undefined) await input.commit(input.checkpoint()).catch(() => {});
            return g;
          },
          catch: (e) => new RunError({ message: `live run failed: ${(e as Error).message}` }),
        });
      }
      yield* Effect.tryPromise({
        // A replay has no offsets: its transactional output commits once, complete, at the end.
        try: async () => {
          if (mode === "replay") await txSink?.commitTransaction();
          await Promise.all([...sinks.values()].map((s) => s.close()));
        },
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

const CHECKPOINT_TAG = "thetaflow-checkpoint:";

/**
 * With an exactly-once sink, the checkpoint to resume from is the one whose transaction committed:
 * the generation the group's offsets were committed with. A newer checkpoint file whose transaction
 * never committed (crash in between) is skipped — its outputs were aborted, so they are redone.
 */
const committedCheckpoint = async (
  store: CheckpointStore,
  topology: CompiledTopology,
  live: LiveOptions,
  outDir: string,
): Promise<RunCheckpoint | undefined> => {
  const candidates = store.candidates();
  if (candidates.length === 0) return undefined;
  await fencePredecessor(topology, outDir);
  const admin = liveKafka(topology, live).admin();
  await admin.connect();
  try {
    const topics = topology.sources.flatMap((s) => s.kafka?.topics ?? []);
    const committed = await admin.fetchOffsets({ groupId: groupIdOf(topology, live), topics });
    const generations = committed.flatMap((t) =>
      t.partitions.flatMap((p) =>
        p.metadata?.startsWith(CHECKPOINT_TAG) ? [Number(p.metadata.slice(CHECKPOINT_TAG.length))] : [],
      ),
    );
    const generation = generations.length === 0 ? undefined : Math.max(...generations);
    const index = candidates.findIndex((c) => c.generation !== undefined && c.generation === generation);
    // Resuming from the previous checkpoint: it becomes the newest again, so the next save keeps it.
    if (index === 1) store.revertToPrevious();
    return index < 0 ? undefined : candidates[index];
  } finally {
    await admin.disconnect().catch(() => {});
  }
};

/**
 * Registers the exactly-once sink's transactional id before the committed offsets are read: a
 * commit the previous process left in flight completes (or its open transaction aborts) before
 * this returns, so the offsets read next cannot change underneath the resume.
 */
const fencePredecessor = async (topology: CompiledTopology, outDir: string) => {
  for (const s of topology.sinks) {
    const params = s.params as { exactlyOnce?: boolean; transactionalId?: string; brokers?: string[] };
    if (s.sink.name !== "kafka" || params.exactlyOnce !== true) continue;
    // The sink's own client settings, so the id is registered where the sink will write.
    const kafka = createKafkaClient({
      brokers: kafkaBrokers(params.brokers),
      clientId: `thetaflow-sink-${s.spec.id}`,
    });
    const fence = await TransactionalEventProducer.connect(kafka, {
      transactionalId: processTransactionalId(params, s.spec.id, outDir),
    });
    await fence.disconnect();
  }
};

// A live engine outlives broker restarts: retry for minutes (backoff capped at 5 s) before giving up.
const liveKafka = (topology: CompiledTopology, live: LiveOptions) =>
  createKafkaClient({
    brokers: kafkaBrokers(live.brokers),
    clientId: `thetaflow-${topology.spec.name}`,
    retries: 60,
  });

const groupIdOf = (topology: CompiledTopology, live: LiveOptions) =>
  live.groupId ??
  topology.sources.find((s) => s.kafka?.groupId !== undefined)?.kafka?.groupId ??
  `thetaflow-${topology.spec.name}`;

const startLiveInput = (
  topology: CompiledTopology,
  live: LiveOptions,
  resume: RunCheckpoint | undefined,
  scaleOut: ScaleOut | undefined,
  onQuiet: () => Promise<void> | undefined,
) => {
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
    kafka: liveKafka(topology, live),
    groupId: groupIdOf(topology, live),
    bindings,
    // One watermark orders all sources, so it waits as long as the most tolerant source allows.
    maxLatenessUs: Math.max(...bindings.map((b) => b.lateness)),
    ...(live.untilIdleMs !== undefined ? { untilIdleMs: live.untilIdleMs } : {}),
    ...(live.sessionTimeoutMs !== undefined ? { sessionTimeoutMs: live.sessionTimeoutMs } : {}),
    ...(live.onArrival !== undefined ? { onArrival: live.onArrival } : {}),
    ...(live.onRelease !== undefined ? { onRelease: live.onRelease } : {}),
    ...(resume !== undefined ? { resumeFrom: resume.input } : {}),
    ...(scaleOut !== undefined ? { handover: { onAssignment: (c) => scaleOut.onAssignment(c) } } : {}),
    onQuiet,
    ...(live.checkpointIntervalMs !== undefined ? { quietMs: live.checkpointIntervalMs } : {}),
  });
};
