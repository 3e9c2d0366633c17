import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { runTopology } from "@thetaflow/connectors";
import { compileTopology } from "@thetaflow/core";
import { Effect, Either } from "effect";
import { describe, expect, it } from "vitest";
import { fixtureRegistries } from "./support/fixtureRegistries.js";
import { tempDir } from "./support/tmp.js";

const tick = (t: number, seq: number, symbol: string, price: number) =>
  JSON.stringify({ kind: "UnderlyingTick", eventTime: t, seq, symbol, price });

const topology = (files: string[]) => `name: merged
sources:
  - id: market
    replay:
      files: [${files.join(", ")}]
nodes:
  - id: sum
    op: runningSum
    inputs: [market]
sinks:
  - id: sums
    type: ndjson
    inputs: [sum]
  - id: raw
    type: ndjson
    inputs: [market]
  - id: dead
    type: ndjson
    inputs: [deadLetters]
`;

const run = async (dir: string, text: string, out: string) => {
  const registries = fixtureRegistries();
  const file = join(dir, "t.yaml");
  writeFileSync(file, text);
  const compiled = Either.getOrThrow(compileTopology(file, text, registries));
  return Effect.runPromise(runTopology(compiled, { registries, outDir: join(dir, out) }));
};

describe("replay runs", () => {
  const dir = tempDir();

  it("merges two files (one gzipped) by (eventTime, file rank, seq) and is byte-identical run to run", async () => {
    writeFileSync(
      join(dir, "a.ndjson"),
      [tick(1, 0, "SPY", 1), tick(3, 1, "SPY", 2), tick(3, 2, "QQQ", 5)].join("\n"),
    );
    writeFileSync(
      join(dir, "b.ndjson.gz"),
      gzipSync([tick(2, 0, "SPY", 10), tick(3, 1, "SPY", 13), tick(4, 2, "QQQ", 1)].join("\n")),
    );
    const text = topology(["a.ndjson", "b.ndjson.gz"]);
    const first = await run(dir, text, "run1");
    const second = await run(dir, text, "run2");
    expect(first.outputsSha256).toBe(second.outputsSha256);
    // The operator throws on a price of 13: that event becomes a dead letter and the run goes on.
    expect(first.events).toEqual({ in: 6, out: 6 + 7 + 1, deadLetters: 1 });
    const raw = readFileSync(join(dir, "run1", "raw.ndjson"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(raw.map((e) => `${e.eventTime}:${e.symbol}:${e.price}`)).toEqual([
      "1:SPY:1",
      "2:SPY:10",
      "3:SPY:2",
      "3:QQQ:5",
      "3:SPY:13",
      "4:QQQ:1",
    ]);
    const sums = readFileSync(join(dir, "run1", "sums.ndjson"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(sums.map((e) => `${e.symbol}:${e.price}`)).toEqual([
      "SPY:1",
      "SPY:11",
      "SPY:13",
      "QQQ:5",
      "QQQ:6",
      "END:2",
      "END:3",
    ]);
    const dead = JSON.parse(readFileSync(join(dir, "run1", "dead.ndjson"), "utf8"));
    expect(dead).toMatchObject({
      nodeId: "sum",
      eventTime: 3,
      reason: expect.stringContaining("unlucky price"),
    });
    const runJson = JSON.parse(readFileSync(join(dir, "run1", "run.json"), "utf8"));
    expect(runJson).toMatchObject({
      topologyHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      outputsSha256: first.outputsSha256,
    });
    expect(runJson.wallSeconds).toBeGreaterThanOrEqual(0);
    expect(runJson.eventsPerSecond).toBeGreaterThan(0);
  });

  it("file order decides ties, so swapping the files changes the merge deterministically", async () => {
    writeFileSync(join(dir, "a.ndjson"), tick(5, 0, "SPY", 1));
    writeFileSync(join(dir, "b.ndjson"), tick(5, 0, "SPY", 2));
    await run(dir, topology(["a.ndjson", "b.ndjson"]), "ab");
    await run(dir, topology(["b.ndjson", "a.ndjson"]), "ba");
    const prices = (out: string) =>
      readFileSync(join(dir, out, "raw.ndjson"), "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).price);
    expect(prices("ab")).toEqual([1, 2]);
    expect(prices("ba")).toEqual([2, 1]);
  });
});

describe("run diff", () => {
  const dir = tempDir();

  it("finds no divergence between equal runs and names the first differing event and field otherwise", async () => {
    const { diffRuns } = await import("@thetaflow/connectors");
    writeFileSync(
      join(dir, "a.ndjson"),
      [tick(1, 0, "SPY", 1), tick(2, 1, "SPY", 2), tick(3, 2, "SPY", 4)].join("\n"),
    );
    await run(dir, topology(["a.ndjson"]), "r1");
    await run(dir, topology(["a.ndjson"]), "r2");
    expect((await diffRuns(join(dir, "r1"), join(dir, "r2"))).identical).toBe(true);
    writeFileSync(
      join(dir, "a.ndjson"),
      [tick(1, 0, "SPY", 1), tick(2, 1, "SPY", 3), tick(3, 2, "SPY", 4)].join("\n"),
    );
    await run(dir, topology(["a.ndjson"]), "r3");
    const diff = await diffRuns(join(dir, "r1"), join(dir, "r3"));
    expect(diff.identical).toBe(false);
    const sums = diff.divergences.find((d) => d.file === "sums.ndjson");
    expect(sums).toMatchObject({
      line: 2,
      kind: "UnderlyingTick",
      subject: "symbol=SPY",
      eventTime: 2,
      field: { path: "price", a: 3, b: 4 },
    });
  });
});
