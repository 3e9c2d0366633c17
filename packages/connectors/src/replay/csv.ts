import { createReadStream } from "node:fs";
import { createGunzip } from "node:zlib";
import { decodeEvent, type Event, type EventKind, isEventKind } from "@thetaflow/schemas";
import { parse } from "fast-csv";
import { csvRowToObject } from "./csvFields.js";
import { type RowContext, replayDeadLetter } from "./ndjson.js";

const BATCH = 2048;

/**
 * Decoded events of a CSV replay file. The kind comes from a `kind` column or, for single-kind files,
 * from the topology (`{ path, kind }`). Malformed rows come out as DeadLetters in place.
 */
export async function* readCsv(ctx: RowContext & { readonly kind?: EventKind }): AsyncGenerator<Event[]> {
  const raw = createReadStream(ctx.path);
  const input = ctx.path.endsWith(".gz") ? raw.pipe(createGunzip()) : raw;
  raw.on("error", (err) => input.destroy(err));
  if (ctx.onBytes !== undefined) raw.on("data", (c) => ctx.onBytes!(c.length));
  const rows = input.pipe(
    parse<Record<string, string>, Record<string, string>>({
      headers: true,
      ignoreEmpty: true,
      trim: true,
      strictColumnHandling: true,
      discardUnmappedColumns: false,
    }),
  );
  input.on("error", (err: Error) => rows.destroy(err));
  let line = 1;
  let lastTime = 0;
  let out: Event[] = [];
  const invalid: { line: number; raw: string; reason: string }[] = [];
  rows.on("data-invalid", (row: unknown, rowNumber: number) =>
    invalid.push({
      line: rowNumber + 1,
      raw: JSON.stringify(row),
      reason: "row has a different number of columns than the header",
    }),
  );
  for await (const row of rows as AsyncIterable<Record<string, string>>) {
    line++;
    while (invalid.length > 0) {
      const bad = invalid.shift()!;
      out.push(replayDeadLetter(ctx, bad.line, bad.raw, bad.reason, lastTime));
      line++;
    }
    const kind = row.kind !== undefined && row.kind !== "" ? row.kind : ctx.kind;
    if (!isEventKind(kind)) {
      out.push(
        replayDeadLetter(
          ctx,
          line,
          JSON.stringify(row),
          `unknown event kind ${JSON.stringify(kind)} (add a 'kind' column or give the file's kind in the topology)`,
          lastTime,
        ),
      );
    } else {
      const r = decodeEvent(csvRowToObject(kind, row), kind);
      if (r.ok) {
        lastTime = r.value.eventTime;
        out.push(r.value);
      } else out.push(replayDeadLetter(ctx, line, JSON.stringify(row), r.reason, lastTime));
    }
    if (out.length >= BATCH) {
      yield out;
      out = [];
    }
  }
  for (const bad of invalid) out.push(replayDeadLetter(ctx, bad.line, bad.raw, bad.reason, lastTime));
  if (out.length > 0) yield out;
}
