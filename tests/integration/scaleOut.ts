import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import type { Kafka } from "kafkajs";
import { expect } from "vitest";
import { writeDailyBars } from "./marketReplay.js";
import { runTopologyFile } from "./topologyRun.js";

/** The underlyings of the scale-out tests: enough keys that each of 4 partitions carries some. */
export const scaleOutSymbols = ["SPY", "QQQ", "IWM", "DIA", "AAPL", "MSFT", "XLF", "TLT"];

export const replayLines = (file: string): string[] =>
  gunzipSync(readFileSync(file)).toString("utf8").trimEnd().split("\n");

/** Splits a replay into consecutive files at the given line fractions, to publish it in steps. */
export const splitReplay = (file: string, fractions: readonly number[]): string[] => {
  const lines = replayLines(file);
  const cuts = [0, ...fractions.map((f) => Math.round(lines.length * f)), lines.length];
  return cuts.slice(1).map((end, i) => {
    const path = file.replace(".ndjson.gz", `.part${i}.ndjson.gz`);
    writeFileSync(path, gzipSync(`${lines.slice(cuts[i], end).join("\n")}\n`));
    return path;
  });
};

/**
 * Complete records of an NDJSON output so far: the text after the last newline is a record still
 * being written (or cut by a SIGKILL); the engine appends whole records at each checkpoint.
 */
export const recordsIn = (file: string): string[] =>
  existsSync(file) ? readFileSync(file, "utf8").split("\n").slice(0, -1) : [];

/** Members of a consumer group once it is stable; -1 while it is rebalancing. */
export const groupMembers = async (kafka: Kafka, groupId: string): Promise<number> => {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([groupId]);
    return groups[0]?.state === "Stable" ? groups[0].members.length : -1;
  } finally {
    await admin.disconnect();
  }
};

/**
 * A scale-out test's input in a new directory `base`: 600 days of bars of the scale-out symbols, split
 * at `fractions` into parts to publish in steps, and the `features.ndjson` records of a replay run of
 * `topologyOf(replay)` — what the engines' outputs together must come to.
 */
export const scaleOutReplay = async (
  base: string,
  fractions: readonly number[],
  topologyOf: (replay: string) => string,
) => {
  mkdirSync(base);
  const replay = join(base, "bars.ndjson.gz");
  const count = writeDailyBars(replay, scaleOutSymbols, 600);
  const parts = splitReplay(replay, fractions);
  const file = join(base, "reference.yaml");
  writeFileSync(file, topologyOf(replay));
  const run = await runTopologyFile(file, { outDir: join(base, "reference"), mode: "replay" });
  expect(run.events.in).toBe(count);
  return { replay, count, parts, reference: recordsIn(join(base, "reference", "features.ndjson")) };
};
