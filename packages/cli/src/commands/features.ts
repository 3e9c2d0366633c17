import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { replaySource } from "@thetaflow/connectors";
import { compileTopology, drive, type EventSink } from "@thetaflow/core";
import { FEATURE_NAMES, LABEL_NAMES, REGIME_CODES } from "@thetaflow/operators";
import type { Event, FeatureVector, Regime, RegimeTransition } from "@thetaflow/schemas";
import type { Command } from "commander";
import { Either } from "effect";
import { defaultRegistries } from "../registries.js";

/** The built-in signal topology: greeks -> ivSurface -> volatility -> regime/indicators/temporal -> features. */
export const FEATURES_TOPOLOGY = fileURLToPath(
  new URL("../../../../topologies/features.yaml", import.meta.url),
);

export interface FeatureRun {
  /** One per underlying per decision time, in (eventTime, underlying) order. */
  readonly features: readonly FeatureVector[];
  /** Training labels keyed like the features (`${eventTime}|${underlying}`); forward-looking by design. */
  readonly labels: ReadonlyMap<string, Readonly<Record<string, number | null>>>;
  readonly regimes: readonly Regime[];
  readonly transitions: readonly RegimeTransition[];
  readonly deadLetters: number;
}

const rowKey = (eventTime: number, underlying: string) => `${eventTime}|${underlying}`;

const collector = (onEvent: (e: Event) => void): EventSink => ({
  write: onEvent,
  flush: async () => {},
  close: async () => {},
  files: () => [],
});

/**
 * Runs the signal topology over replay files (merged by event time) and keeps what the exports need.
 * The topology's own replay binding and NDJSON sinks are replaced; its nodes and parameters are used as is.
 */
export const runFeatureGraph = async (
  replays: readonly string[],
  topologyFile = FEATURES_TOPOLOGY,
): Promise<FeatureRun> => {
  if (replays.length === 0) throw new Error("give at least one --replay file");
  for (const r of replays) if (!existsSync(r)) throw new Error(`replay file not found: ${r}`);
  const compiled = compileTopology(topologyFile, readFileSync(topologyFile, "utf8"), defaultRegistries());
  if (Either.isLeft(compiled)) throw new Error(compiled.left.message);
  const topology = compiled.right;
  const source = topology.sources[0];
  if (topology.sources.length !== 1 || source === undefined)
    throw new Error(`${topologyFile}: expected exactly one source`);

  const features: FeatureVector[] = [];
  const labels = new Map<string, Record<string, number | null>>();
  const regimes: Regime[] = [];
  const transitions: RegimeTransition[] = [];
  let deadLetters = 0;
  const sinks = new Map<string, EventSink>();
  for (const s of topology.sinks) {
    sinks.set(
      s.spec.id,
      collector((e) => {
        if (e.kind === "DeadLetter") deadLetters++;
        else if (e.kind === "Regime") regimes.push(e);
        else if (e.kind === "RegimeTransition") transitions.push(e);
        else if (e.kind === "FeatureVector") {
          if (Object.hasOwn(e.values, LABEL_NAMES[0]))
            labels.set(rowKey(e.eventTime, e.underlying), e.values);
          else features.push(e);
        }
      }),
    );
  }
  const binding = { files: replays.map((f) => resolve(f)), maxLatenessUs: 0 };
  await drive({
    topology,
    sources: new Map([[source.id, replaySource(binding, { sourceId: source.id, baseDir: process.cwd() })]]),
    sinks,
  });
  features.sort(
    (a, b) =>
      a.eventTime - b.eventTime || (a.underlying < b.underlying ? -1 : a.underlying > b.underlying ? 1 : 0),
  );
  return { features, labels, regimes, transitions, deadLetters };
};

const cell = (v: number | string | null | undefined): string => {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : "";
  return /[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
};

/** CSV columns: time and key, every catalog feature, the missing-mask, then the label columns. */
export const featureCsvHeader = (): string[] => [
  "eventTime",
  "underlying",
  "date",
  ...FEATURE_NAMES,
  "missing_count",
  "missing",
  ...LABEL_NAMES,
];

/** One CSV line per feature vector. `regime` is written as its name (the vector carries its code). */
export const featureCsvRow = (
  fv: FeatureVector,
  label: Readonly<Record<string, number | null>> | undefined,
): string => {
  const cells: string[] = [String(fv.eventTime), cell(fv.underlying), fv.date];
  for (const name of FEATURE_NAMES) {
    const v = fv.values[name] ?? null;
    cells.push(name === "regime" && v !== null ? (REGIME_CODES[v] ?? "") : cell(v));
  }
  cells.push(String(fv.missing.length), cell(fv.missing.join(";")));
  for (const name of LABEL_NAMES) cells.push(cell(label?.[name] ?? null));
  return cells.join(",");
};

export interface FeatureExportSummary {
  readonly rows: number;
  readonly labelled: number;
  readonly columns: number;
  readonly deadLetters: number;
}

/** `thetaflow features`: the training dataset, one row per underlying per decision time. */
export const exportFeatures = async (
  replays: readonly string[],
  out: string,
  topologyFile?: string,
): Promise<FeatureExportSummary> => {
  const run = await runFeatureGraph(replays, topologyFile);
  const header = featureCsvHeader();
  const lines = [header.join(",")];
  let labelled = 0;
  for (const fv of run.features) {
    const label = run.labels.get(rowKey(fv.eventTime, fv.underlying));
    if (label !== undefined) labelled++;
    lines.push(featureCsvRow(fv, label));
  }
  mkdirSync(dirname(resolve(out)), { recursive: true });
  writeFileSync(out, `${lines.join("\n")}\n`);
  return { rows: run.features.length, labelled, columns: header.length, deadLetters: run.deadLetters };
};

export const register = (program: Command): void => {
  program
    .command("features")
    .description(
      "Export model-training features (one row per underlying per decision time) and strategy labels as CSV",
    )
    .requiredOption("--replay <files...>", "replay file(s) (.ndjson[.gz] or .csv[.gz]), merged by event time")
    .requiredOption("--out <file.csv>", "CSV file to write")
    .option("--topology <file>", "signal topology to run instead of the built-in topologies/features.yaml")
    .action(async (opts: { replay: string[]; out: string; topology?: string }) => {
      const s = await exportFeatures(opts.replay, opts.out, opts.topology);
      console.log(
        `${opts.out}: ${s.rows} rows x ${s.columns} columns (${s.labelled} labelled), ${s.deadLetters} dead letter(s)`,
      );
    });
};
