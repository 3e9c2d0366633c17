import type { Command } from "commander";
import { resolve } from "node:path";
import { Effect } from "effect";
import { loadTopology, type RunReport, runTopology } from "@thetaflow/connectors";
import { progressReporter } from "../progress.js";
import { defaultRegistries } from "../registries.js";

export interface RunCommandOptions {
  readonly out?: string;
  readonly progress: boolean;
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
        mode: "replay",
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
    .description("Run a topology from its replay sources to completion; writes NDJSON per sink and run.json")
    .argument("<topology>", "topology YAML file")
    .option("-o, --out <dir>", "output directory (default out/<topology name>)")
    .option("--no-progress", "no progress bar")
    .action(async (file: string, opts: { out?: string; progress: boolean }) => {
      const report = await runFile(file, opts);
      printReport(report);
    });
};
