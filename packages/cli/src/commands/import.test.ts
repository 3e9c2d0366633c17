import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { afterEach, describe, expect, it, vi } from "vitest";
import { register } from "./import.js";

const fixtures = fileURLToPath(new URL("../../../marketdata/src/importers/fixtures/", import.meta.url));
const program = () => {
  const p = new Command().exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  register(p);
  return p;
};
const run = (args: string[]) => program().parseAsync(["node", "thetaflow", "import", ...args]);

describe("thetaflow import", () => {
  const dir = mkdtempSync(join(tmpdir(), "cli-import-"));
  afterEach(() => vi.restoreAllMocks());

  it("imports a CBOE file and prints event and dead-letter counts", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const out = join(dir, "spx.ndjson.gz");
    await run(["--format", "cboe", "--in", join(fixtures, "cboe-spx-delayed.json"), "--out", out]);
    const printed = log.mock.calls.map((c) => String(c[0])).join("\n");
    expect(printed).toMatch(/3 events \(UnderlyingTick=1 OptionQuote=2\)/);
    expect(printed).toMatch(/dead letters: 3 -> .*spx\.ndjson\.gz\.deadletters\.ndjson/);
    expect(existsSync(out)).toBe(true);
    expect(readFileSync(`${out}.deadletters.ndjson`, "utf8").trim().split("\n")).toHaveLength(3);
  });

  it("imports CSV with a preset plus --map overrides", async () => {
    vi.spyOn(console, "log").mockImplementation(() => {});
    const out = join(dir, "aapl.ndjson");
    await run([
      "-f",
      "csv",
      "-i",
      join(fixtures, "thetadata-eod.csv"),
      "-o",
      out,
      "--preset",
      "thetadata",
      "--map",
      "vendor.iv=delta",
    ]);
    const first = JSON.parse(readFileSync(out, "utf8").split("\n")[0]!);
    expect(first.vendor.iv).toBe(0.5521);
  });

  it("rejects unknown formats, CSV flags on JSON formats, and missing files", async () => {
    await expect(run(["--format", "xls", "--in", "a", "--out", "b"])).rejects.toThrow(/Allowed choices/);
    await expect(
      run([
        "--format",
        "yahoo",
        "--in",
        join(fixtures, "yahoo-spy-chain.json"),
        "--out",
        join(dir, "y.ndjson"),
        "--preset",
        "polygon",
      ]),
    ).rejects.toThrow(/apply to --format csv only/);
    await expect(
      run(["--format", "yahoo", "--in", join(dir, "missing.json"), "--out", join(dir, "y.ndjson")]),
    ).rejects.toThrow(/--in: no such file/);
  });
});
