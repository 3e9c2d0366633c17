import { resolve } from "node:path";
import { type LiveOptions, loadTopology, type RunReport, runTopology } from "@thetaflow/connectors";
import type { IbSinkHooks } from "@thetaflow/ib";
import {
  type BrokerOversight,
  type LiveFlags,
  type LiveSession,
  runWithLiveSession,
  sessionOversight,
  standaloneOversight,
} from "@thetaflow/live";
import type { Command } from "commander";
import { Effect } from "effect";
import { parseDuration } from "../duration.js";
import { progressReporter } from "../progress.js";
import { defaultRegistries } from "../registries.js";

export interface RunCommandOptions {
  readonly out?: string;
  readonly progress: boolean;
  readonly live?: LiveOptions;
  /** Dashboard/metrics/pacing session (--dashboard, --metrics-port, --speed). */
  readonly session?: LiveSession;
  /** Audit log for broker activity when there is no session (default $THETAFLOW_AUDIT_LOG or the user's state dir). */
  readonly auditLog?: string;
  /** Broker plumbing a test replaces: the IBApi an `ib` sink uses, its environment. */
  readonly ib?: Pick<IbSinkHooks, "createApi" | "env">;
}

/** An `ib` sink reports to live operations under the name `ib:<sink id>` (kill target, audit actor, alert key). */
const ibHooks = (oversight: BrokerOversight, extra: RunCommandOptions["ib"]): IbSinkHooks => ({
  ...extra,
  opened: (link) => oversight.attach(`ib:${link.sinkId}`, link.kill),
  closed: (sinkId) => oversight.detach(`ib:${sinkId}`),
  brokerEvent: (sinkId, event) => oversight.brokerEvent(`ib:${sinkId}`, event),
  reconciled: (sinkId, report) => oversight.reconciliation(`ib:${sinkId}`, report),
  log: (level, message, fields) => oversight.log(level, message, fields),
});

/** Compiles and runs a topology in replay mode; shared by `run`, `demo` and tests. */
export const runFile = (file: string, options: RunCommandOptions): Promise<RunReport> => {
  const oversight =
    options.session !== undefined
      ? sessionOversight(options.session)
      : standaloneOversight(options.auditLog !== undefined ? { auditFile: options.auditLog } : {});
  const registries = defaultRegistries({ ib: ibHooks(oversight, options.ib) });
  const progress = progressReporter(options.progress);
  const program = loadTopology(file, registries).pipe(
    Effect.flatMap((topology) =>
      runTopology(options.session?.instrument(topology) ?? topology, {
        registries,
        outDir: resolve(options.out ?? `out/${topology.spec.name}`),
        mode: options.live !== undefined ? "live" : "replay",
        ...(options.live !== undefined ? { live: options.live } : {}),
        onProgress: options.session?.observeProgress(progress.update) ?? progress.update,
        ...(options.session !== undefined ? { onGraph: options.session.attachGraph } : {}),
      }),
    ),
    Effect.ensuring(
      Effect.sync(() => {
        progress.stop();
        oversight.close();
      }),
    ),
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
    .option(
      "--brokers <list>",
      "Kafka bootstrap servers, comma-separated (default $THETAFLOW_KAFKA_BROKERS or 127.0.0.1:9092)",
    )
    .option("--group <id>", "consumer group (default thetaflow-<topology name>)")
    .option("--until-idle <duration>", "live: stop once caught up and quiet this long (e.g. 5s)")
    .option(
      "--checkpoint <file>",
      "live: checkpoint file (default <out>/checkpoint.bin); a run resumes from it",
    )
    .option(
      "--checkpoint-every <events>",
      "live: checkpoint after this many input events (default 50000; also every second)",
    )
    .option("--session-timeout <duration>", "live: consumer-group session timeout (default 30s; min 6s)")
    .option(
      "--state-dir <dir>",
      "live scale-out: per-partition state shared by the group's processes; state moves with partitions",
    )
    .option("--dashboard", "serve the live dashboard (HTTP + WebSocket, token required) and print its URL")
    .option("--dashboard-port <port>", "dashboard port (default 8765; 0 = any free port)")
    .option("--dashboard-host <host>", "dashboard bind address (default 127.0.0.1)")
    .option(
      "--metrics-port <port>",
      "serve Prometheus /metrics on this port (the engine's usual port is 9464)",
    )
    .option("--metrics-host <host>", "metrics bind address (default 127.0.0.1)")
    .option(
      "--speed <events/s>",
      "feed the sources at this many events per second (replay played like a live feed)",
    )
    .option("--hold", "keep the dashboard/metrics servers up after the run ends, until Ctrl-C")
    .option(
      "--audit-log <file>",
      "append-only audit log (default $THETAFLOW_AUDIT_LOG or ~/.local/state/thetaflow/audit.ndjson)",
    )
    .action(
      async (
        file: string,
        opts: {
          out?: string;
          progress: boolean;
          live?: boolean;
          brokers?: string;
          group?: string;
          untilIdle?: string;
          checkpoint?: string;
          checkpointEvery?: string;
          sessionTimeout?: string;
          stateDir?: string;
        } & LiveFlags,
      ) => {
        let stop: (() => void) | undefined;
        let runEnded = false;
        // A live input ends gracefully (checkpoint, close sinks). A replay has no such end: Ctrl-C stops
        // the process, as with any command, instead of being swallowed while a paced run goes on. Once
        // the run has ended, a held session's own handler closes the servers.
        const onSignal = (exitCode: number) => {
          if (stop !== undefined) stop();
          else if (!runEnded) {
            console.error(
              `interrupted: the ${opts.live ? "run (live input not yet started)" : "replay"} stopped before its end; its outputs are partial`,
            );
            process.exit(exitCode);
          }
        };
        const live: LiveOptions | undefined = opts.live
          ? {
              ...(opts.brokers !== undefined ? { brokers: opts.brokers.split(",") } : {}),
              ...(opts.group !== undefined ? { groupId: opts.group } : {}),
              ...(opts.untilIdle !== undefined ? { untilIdleMs: parseDuration(opts.untilIdle) } : {}),
              ...(opts.checkpoint !== undefined ? { checkpointPath: opts.checkpoint } : {}),
              ...(opts.checkpointEvery !== undefined
                ? { checkpointEvents: Number(opts.checkpointEvery) }
                : {}),
              ...(opts.sessionTimeout !== undefined
                ? { sessionTimeoutMs: parseDuration(opts.sessionTimeout) }
                : {}),
              ...(opts.stateDir !== undefined ? { stateDir: opts.stateDir } : {}),
              // SIGINT/SIGTERM end the input; the run then checkpoints and closes its sinks.
              onInput: (input) => {
                stop = () => input.stop();
              },
            }
          : undefined;
        process.once("SIGINT", () => onSignal(130)).once("SIGTERM", () => onSignal(143));
        await runWithLiveSession(
          opts,
          (session) =>
            runFile(file, {
              ...(opts.out !== undefined ? { out: opts.out } : {}),
              ...(opts.auditLog !== undefined ? { auditLog: opts.auditLog } : {}),
              progress: opts.progress && !opts.live && session === undefined,
              ...(live ? { live } : {}),
              ...(session ? { session } : {}),
            }).finally(() => {
              runEnded = true;
            }),
          printReport,
        );
      },
    );
};
