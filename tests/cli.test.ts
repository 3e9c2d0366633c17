import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "./support/tmp.js";

// Runs the built CLI exactly as users do (`npm test` builds before running tests).
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ["packages/cli/bin/thetaflow.js", ...args], { encoding: "utf8" });

describe("thetaflow CLI", () => {
  const dir = tempDir();

  it("validate exits 1 and names an unknown operator with file and line", () => {
    const file = join(dir, "bad.yaml");
    writeFileSync(
      file,
      [
        "name: bad",
        "sources:",
        "  - id: market",
        "    replay: { files: [x.ndjson] }",
        "nodes:",
        "  - id: n1",
        "    op: frobnicate",
        "    inputs: [market]",
        "sinks:",
        "  - id: out",
        "    type: ndjson",
        "    inputs: [n1]",
        "",
      ].join("\n"),
    );
    const r = cli("validate", file);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${file}:7: unknown operator 'frobnicate' (known: `);
  });

  it("validate exits 0 on a valid topology", () => {
    const file = join(dir, "ok.yaml");
    writeFileSync(
      file,
      "name: ok\nsources:\n  - id: market\n    replay: { files: [x.ndjson] }\nsinks:\n  - id: out\n    type: ndjson\n    inputs: [market]\n",
    );
    const r = cli("validate", file);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("ok");
  });

  it("every command answers --help", () => {
    const top = cli("--help");
    expect(top.status).toBe(0);
    const section = top.stdout.slice(top.stdout.indexOf("Commands:"));
    const commands = [...section.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)]
      .map((m) => m[1]!)
      .filter((c) => c !== "help");
    expect(commands).toEqual(expect.arrayContaining(["run", "validate", "schemas"]));
    for (const c of commands) {
      const r = cli(c, "--help");
      expect(r.status, `${c} --help`).toBe(0);
      expect(r.stdout).toContain(`Usage: thetaflow ${c}`);
    }
  });

  it("run on a missing topology fails with a message, not a stack trace", () => {
    const r = cli("run", join(dir, "nope.yaml"));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/cannot read topology/);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
  });
});
