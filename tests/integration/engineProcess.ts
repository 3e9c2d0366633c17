import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterEach } from "vitest";

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
