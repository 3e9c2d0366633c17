import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { afterEach, describe, expect, it } from "vitest";
import { tradingStory, writeStoryTopology } from "./live-fixtures.js";
import { tempDir } from "./support/tmp.js";

describe("Ctrl-C during a paced replay", () => {
  const dir = tempDir();
  let child: ChildProcess | undefined;
  // A failed expectation must not leave a paced run behind.
  afterEach(() => {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });

  it.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const)("%s stops the run (it used to be swallowed until the replay ended)", async (signal, code) => {
    // ~12,000 events at 100 events/s: two minutes, unless the signal stops it.
    const file = writeStoryTopology(dir, tradingStory(1500));
    const run = spawn(
      process.execPath,
      [
        "packages/cli/bin/thetaflow.js",
        "run",
        file,
        "--out",
        `${dir}/out-${signal}`,
        "--dashboard",
        "--dashboard-port",
        "0",
        "--speed",
        "100",
        "--hold",
        "--no-progress",
      ],
      { env: { ...process.env, THETAFLOW_TOKEN: "interrupt-test-token-5c1e" } },
    );
    child = run;
    const stderr: string[] = [];
    run.stderr.on("data", (c) => stderr.push(String(c)));
    const exited = new Promise<number | null>((resolve) => run.on("exit", (c) => resolve(c)));
    // The dashboard line is printed once the run is under way.
    for await (const line of createInterface({ input: run.stdout })) if (line.startsWith("dashboard")) break;
    run.kill(signal);
    expect(await exited).toBe(code);
    expect(stderr.join("")).toContain("interrupted: the replay stopped before its end");
  });
});
