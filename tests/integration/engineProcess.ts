import { spawn } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, expect, inject } from "vitest";

const cli = join(process.cwd(), "packages/cli/bin/thetaflow.js");

export interface EngineExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly output: string;
}

/** A `thetaflow run` child process (the built CLI); resolves `exited` with its exit and output. */
export const startEngine = (args: readonly string[], env: Readonly<Record<string, string>>) => {
  const child = spawn(process.execPath, [cli, "run", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  let output = "";
  child.stderr.on("data", (c) => {
    output += c;
  });
  child.stdout.on("data", (c) => {
    output += c;
  });
  const exited = new Promise<EngineExit>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal, output })),
  );
  return { child, exited };
};

/**
 * `startEngine` for a test file whose engines must not outlive a test: a failed assertion would
 * otherwise leave a live engine consuming the topic. Call at module level (it registers afterEach).
 */
export const trackedEngines = () => {
  const engines: ReturnType<typeof startEngine>[] = [];
  afterEach(() => {
    for (const e of engines.splice(0)) if (e.child.exitCode === null) e.child.kill("SIGKILL");
  });
  return (args: readonly string[], env: Readonly<Record<string, string>>) => {
    const engine = startEngine(args, env);
    engines.push(engine);
    return engine;
  };
};

export type Engine = ReturnType<typeof startEngine>;

/**
 * `thetaflow run --live` arguments as the live tests use them: a checkpoint every 50 events, and a
 * short session timeout, because a killed member is only replaced after its session times out.
 */
export const liveRunArgs = (
  file: string,
  o: {
    readonly outDir: string;
    readonly group: string;
    readonly untilIdle: string;
    readonly stateDir?: string;
  },
): string[] => [
  file,
  "--live",
  ...(o.stateDir !== undefined ? ["--state-dir", o.stateDir] : []),
  "--group",
  o.group,
  "--out",
  o.outDir,
  "--until-idle",
  o.untilIdle,
  "--checkpoint-every",
  "50",
  "--session-timeout",
  "6s",
];

/** An engine's environment for the test services; with `tablePrefix`, also its QuestDB and table names. */
export const engineEnv = (tablePrefix?: string): Record<string, string> => ({
  THETAFLOW_KAFKA_BROKERS: inject("kafkaBrokers").join(","),
  ...(tablePrefix !== undefined
    ? { THETAFLOW_QUESTDB_URL: inject("questdbUrl"), THETAFLOW_QUESTDB_TABLE_PREFIX: tablePrefix }
    : {}),
});

const sizeOf = (path: string) => (existsSync(path) ? statSync(path).size : 0);

/**
 * Starts an engine once per fraction and SIGKILLs it as soon as `output` has grown past that fraction
 * of `totalBytes` (a replay run's size of it): a crash mid-stream, between checkpoints. Returns how
 * many engines were killed.
 */
export const killMidStream = async (
  start: () => Engine,
  output: string,
  totalBytes: number,
  fractions: readonly number[] = [0.2, 0.45, 0.7],
): Promise<number> => {
  let kills = 0;
  for (const fraction of fractions) {
    const engine = start();
    const target = totalBytes * fraction;
    while (sizeOf(output) < target) {
      const done = await Promise.race([
        engine.exited,
        new Promise((r) => setTimeout(() => r(undefined), 20)),
      ]);
      if (done !== undefined)
        throw new Error(
          `engine exited before being killed at ${target}/${totalBytes} bytes (has ${sizeOf(output)}): ${JSON.stringify(done)}`,
        );
    }
    engine.child.kill("SIGKILL");
    expect((await engine.exited).signal).toBe("SIGKILL");
    kills++;
  }
  return kills;
};
