import type { Command } from "commander";
import { resolve } from "node:path";
import { Effect } from "effect";
import { type LiveOptions, loadTopology, type RunReport, runTopology } from "@thetaflow/connectors";
import { parseDuration } from "../duration.js";
import { progressReporter } from "../progress.js";
import { defaultRegistries } from "../registries.js";

export interface RunCommandOptions {
  readonly out?: string;
  readonly progress: boolean;
  readonly live?: LiveOptions;
}

/** Compiles and runs a topology in replay mode; shared by `run`, `demo` and tests. */
export const runFile = (file: string, options: RunCommandOptions): Promise<RunReport> => {
  const registries = defaultRegistries();
  const progress = progressReporter(options.progress);
  const program = loadTopology(file, registries).pipe(
    Effect.flatMap((topology) =>
      runTopology(topology, {
        registries,
        outDir: resolve(options.out ?? `out/${topology.spec.name}`),
        mode: options.live !== undefined ? "live" : "replay",
        ...(options.live !== undefined ? { live: options.live } : {}),
        onProgress: progress.update,
      }),
    ),
    Effect.ensuring(Effect.sync(() => progress.stop())),
  );
  return Effect.runPromise(program.pipe(Effect.mapError((e) => new Error(e.message))));
};

export const printReport = (r: RunReport): void => {
  console.log(
    [
      `topology   ${r.topologyName} (${r.topologyHash.slice(0, 16)})`,
      `events     in ${r.events.in.toLocaleString("en-US")} | out ${r.events.out.toLocaleString("en-US")} | dead letters ${r.events.deadLetters.toLocaleString("en-US")}`,
      `wall       ${r.wallSeconds.toFixed(2)} s (${r.eventsPerSecond.toLocaleString("en-US")} events/s)`,
      `outputs    ${r.outputs.length} file(s), sha256 ${r.outputsSha256}`,
    ].join("\n"),
  );
};

export const register = (program: Command): void => {
  program
    .command("run")
    .description(
      "Run a topology: from its replay sources to completion (default), or live from its Kafka sources with --live",
    )
    .argument("<topology>", "topology YAML file")
    .option("-o, --out <dir>", "output directory (default out/<topology name>)")
    .option("--no-progress", "no progress bar")
    .option("--live", "consume the sources' Kafka topics instead of their replay files")
    .option("--brokers <list>", "Kafka bootstrap servers, comma-separated (default $THETAFLOW_KAFKA_BROKERS or 127.0.0.1:9092)")
    .option("--group <id>", "consumer group (default thetaflow-<topology name>)")
    .option("--until-idle <duration>", "live: stop once caught up and quiet this long (e.g. 5s)")
    .option("--checkpoint <file>", "live: checkpoint file (default <out>/checkpoint.bin); a run resumes from it")
    .action(
      async (
        file: string,
        opts: { out?: string; progress: boolean; live?: boolean; brokers?: string; group?: string; untilIdle?: string; checkpoint?: string },
      ) => {
        let stop: (() => void) | undefined;
        const onSignal = () => stop?.();
        const live: LiveOptions | undefined = opts.live
          ? {
              ...(opts.brokers !== undefined ? { brokers: opts.brokers.split(",") } : {}),
              ...(opts.group !== undefined ? { groupId: opts.group } : {}),
              ...(opts.untilIdle !== undefined ? { untilIdleMs: parseDuration(opts.untilIdle) } : {}),
              ...(opts.checkpoint !== undefined ? { checkpointPath: opts.checkpoint } : {}),
              // SIGINT/SIGTERM end the input; the run then checkpoints and closes its sinks.
              onInput: (input) => {
                stop = () => void input.stop();
              },
            }
          : undefined;
        process.once("SIGINT", onSignal).once("SIGTERM", onSignal);
        const report = await runFile(file, { ...(opts.out !== undefined ? { out: opts.out } : {}), progress: opts.progress && !opts.live, ...(live ? { live } : {}) });
        printReport(report);
      },
    );
};
