import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { afterEach, describe, expect, it, vi } from "vitest";
import { register } from "./generate.js";

const program = () => {
  const p = new Command().exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  register(p);
  return p;
};
const run = (args: string[]) => program().parseAsync(["node", "thetaflow", "generate", ...args]);

describe("thetaflow generate", () => {
  const dir = mkdtempSync(join(tmpdir(), "cli-generate-"));
  afterEach(() => vi.restoreAllMocks());

  it("writes the same bytes for the same arguments and reports what it wrote", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const args = (out: string, seed: string) => [
      "--underlying",
      "SPY",
      "--from",
      "2019-01-02",
      "--to",
      "2019-01-04",
      "--seed",
      seed,
      "--out",
      join(dir, out),
    ];
    await run(args("a.ndjson", "7"));
    await run(args("b.ndjson", "7"));
    await run(args("c.ndjson", "8"));
    const [a, b, c] = ["a", "b", "c"].map((n) => readFileSync(join(dir, `${n}.ndjson`), "utf8"));
    expect(a).toBe(b);
    expect(c).not.toBe(a);
    expect(log.mock.calls[0]![0]).toMatch(
      /wrote .*a\.ndjson: \d+ events \(UnderlyingTick=3 IndexTick=3 OptionQuote=\d+\), 3 trading days/,
    );
  });

  it("rejects bad input with a message naming the flag", async () => {
    const out = join(dir, "x.ndjson");
    await expect(
      run(["--underlying", "SPY", "--from", "2019-02-30", "--to", "2019-03-01", "--out", out]),
    ).rejects.toThrow(/--from/);
    await expect(
      run(["--underlying", "XYZ", "--from", "2019-01-02", "--to", "2019-01-04", "--out", out]),
    ).rejects.toThrow(/XYZ is not in the universe/);
    await expect(
      run([
        "--underlying",
        "SPY",
        "--from",
        "2019-01-02",
        "--to",
        "2019-01-04",
        "--seed",
        "abc",
        "--out",
        out,
      ]),
    ).rejects.toThrow(/--seed/);
    await expect(
      run([
        "--underlying",
        "SPY",
        "--from",
        "2019-01-02",
        "--to",
        "2019-01-04",
        "--times",
        "25:00",
        "--out",
        out,
      ]),
    ).rejects.toThrow(/snapshot time/);
    await expect(
      run([
        "--underlying",
        "SPY",
        "--from",
        "2019-01-02",
        "--to",
        "2019-01-04",
        "--sp500-history",
        "x.csv",
        "--out",
        out,
      ]),
    ).rejects.toThrow(/go together/);
    await expect(run(["--from", "2019-01-02"])).rejects.toThrow(/required option/);
  });
});
