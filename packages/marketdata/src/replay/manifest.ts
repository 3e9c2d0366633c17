import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { SCHEMA_VERSION } from "@thetaflow/schemas";
import { Either, ParseResult, Schema } from "effect";

/** One replay file as `replays/manifest.json` describes it. */
export const ManifestEntry = Schema.Struct({
  file: Schema.String,
  description: Schema.String,
  instruments: Schema.Array(Schema.String),
  dateRange: Schema.Struct({ from: Schema.String, to: Schema.String }),
  /** real: recorded market data; synthesized: generator only; synthesized-from-real: generator driven by real data. */
  origin: Schema.Literal("real", "synthesized", "synthesized-from-real"),
  /** What is real and what is synthesized, in plain words. */
  provenance: Schema.String,
  generator: Schema.NullOr(Schema.Struct({ command: Schema.String, seed: Schema.NullOr(Schema.Number) })),
  licence: Schema.String,
  schemaVersion: Schema.String,
  lines: Schema.Number,
  countsByKind: Schema.Record({ key: Schema.String, value: Schema.Number }),
  bytes: Schema.Number,
  sha256: Schema.String,
});
export type ManifestEntry = typeof ManifestEntry.Type;

export const Manifest = Schema.Struct({
  format: Schema.Literal("thetaflow-replay-manifest/1"),
  replayFormat: Schema.String,
  replays: Schema.Array(ManifestEntry),
});
export type Manifest = typeof Manifest.Type;

const replayFormatNote =
  "NDJSON (gzip when .gz): one encodeEvent() JSON per line; eventTime integer microseconds UTC; seq 1.. per file; " +
  "lines sorted by (eventTime, seq); at one eventTime UnderlyingTick/IndexTick precede EarningsEvent precede OptionQuote.";

export const readManifest = (path: string): Manifest => {
  if (!existsSync(path))
    return { format: "thetaflow-replay-manifest/1", replayFormat: replayFormatNote, replays: [] };
  const r = Schema.decodeUnknownEither(Manifest, { onExcessProperty: "error" })(
    JSON.parse(readFileSync(path, "utf8")),
  );
  if (Either.isLeft(r)) throw new Error(`${path}: ${ParseResult.TreeFormatter.formatErrorSync(r.left)}`);
  return r.right;
};

/** Replaces (or adds) the entry for `entry.file`, keeping entries sorted by file for stable diffs. */
export const upsertManifestEntry = (path: string, entry: Omit<ManifestEntry, "schemaVersion">): void => {
  const manifest = readManifest(path);
  const replays = [
    ...manifest.replays.filter((e) => e.file !== entry.file),
    { ...entry, schemaVersion: SCHEMA_VERSION },
  ];
  replays.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  writeFileSync(
    path,
    `${JSON.stringify({ ...manifest, replayFormat: replayFormatNote, replays }, null, 2)}\n`,
  );
};
