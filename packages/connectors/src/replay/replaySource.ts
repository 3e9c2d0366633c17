import { statSync } from "node:fs";
import { resolve } from "node:path";
import {
  type EventBatches,
  flattenRuns,
  mergeOrdered,
  ReorderBuffer,
  type ReplayBinding,
} from "@thetaflow/core";
import type { Event, EventKind } from "@thetaflow/schemas";
import { readCsv } from "./csv.js";
import { readNdjson } from "./ndjson.js";

export interface ReplayFileSpec {
  readonly path: string;
  readonly kind?: EventKind;
}

const isCsv = (path: string) => /\.csv(\.gz)?$/i.test(path);
const isNdjson = (path: string) => /\.(nd)?jsonl?(\.gz)?$/i.test(path) || /\.ndjson(\.gz)?$/i.test(path);

/** One replay file, decoded and put in event-time order within the allowed lateness. */
export async function* replayFile(
  file: ReplayFileSpec,
  options: { readonly sourceId: string; readonly maxLatenessUs: number; readonly tracker?: ReadTracker },
): AsyncGenerator<readonly Event[]> {
  const tracker = options.tracker;
  const ctx = {
    sourceId: options.sourceId,
    path: file.path,
    onBytes:
      tracker &&
      ((n: number) => {
        tracker.bytesRead += n;
      }),
  };
  let rows: AsyncIterable<Event[]>;
  if (isCsv(file.path)) rows = readCsv({ ...ctx, kind: file.kind });
  else if (isNdjson(file.path)) rows = readNdjson(ctx);
  else
    throw new Error(`${file.path}: unknown replay format (expected .csv, .ndjson or .jsonl, optionally .gz)`);
  const order = new ReorderBuffer({ maxLatenessUs: options.maxLatenessUs, sourceId: options.sourceId });
  for await (const batch of rows) {
    const late: Event[] = [];
    for (const event of batch) {
      const dl = order.add(event);
      if (dl !== undefined) late.push({ ...dl, origin: ctx.path });
    }
    const ready = order.release();
    if (late.length > 0) yield late;
    if (ready.length > 0) yield ready;
  }
  const rest = order.drain();
  if (rest.length > 0) yield rest;
}

/** Bytes read so far over all files of a run, for a progress bar. */
export interface ReadTracker {
  bytesRead: number;
  bytesTotal: number;
}

/** A replay binding's files merged by (eventTime, file rank, seq). Paths resolve against `baseDir`. */
export const replaySource = (
  binding: ReplayBinding,
  options: { readonly sourceId: string; readonly baseDir: string; readonly tracker?: ReadTracker },
): EventBatches => {
  const files = binding.files.map((f) =>
    typeof f === "string"
      ? { path: resolve(options.baseDir, f) }
      : { path: resolve(options.baseDir, f.path), kind: f.kind },
  );
  for (const f of files) {
    let size: number;
    try {
      size = statSync(f.path).size;
    } catch {
      throw new Error(`replay file not found: ${f.path} (source '${options.sourceId}')`);
    }
    if (options.tracker !== undefined) options.tracker.bytesTotal += size;
  }
  const streams = files.map((f) =>
    replayFile(f, {
      sourceId: options.sourceId,
      maxLatenessUs: binding.maxLatenessUs,
      tracker: options.tracker,
    }),
  );
  return streams.length === 1 ? streams[0]! : flattenRuns(mergeOrdered(streams));
};
