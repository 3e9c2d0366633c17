import { readFileSync } from "node:fs";
import { builtinSinks, type RunOptions, type RunReport, runTopology } from "@thetaflow/connectors";
import { compileTopology } from "@thetaflow/core";
import { builtinOperators } from "@thetaflow/operators";
import { Effect, Either } from "effect";
import { inject } from "vitest";

/** A topology file run in this process with the built-in operators and sinks: `thetaflow run` without a child. */
export const runTopologyFile = (
  file: string,
  options: Omit<RunOptions, "registries">,
): Promise<RunReport> => {
  const registries = { operators: builtinOperators(), sinks: builtinSinks() };
  const topology = Either.getOrThrow(compileTopology(file, readFileSync(file, "utf8"), registries));
  return Effect.runPromise(runTopology(topology, { registries, ...options }));
};

/**
 * `runTopologyFile` against the test services, its QuestDB tables named with `prefix` so that a replay
 * run and a live run of one topology can be compared table by table.
 */
export const runWithTablePrefix = async (
  mode: "replay" | "live",
  file: string,
  outDir: string,
  prefix: string,
  live = {},
): Promise<RunReport> => {
  process.env.THETAFLOW_QUESTDB_TABLE_PREFIX = prefix;
  try {
    return await runTopologyFile(file, { outDir, mode, live: { brokers: inject("kafkaBrokers"), ...live } });
  } finally {
    delete process.env.THETAFLOW_QUESTDB_TABLE_PREFIX;
  }
};
