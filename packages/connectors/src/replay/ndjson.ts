import { type DeadLetter, decodeEvent, type Event } from "@thetaflow/schemas";
import { readLineBatches } from "./lines.js";

export interface RowContext {
  readonly sourceId: string;
  readonly path: string;
  /** Told the size of every chunk read from disk (compressed bytes for .gz), for progress. */
  readonly onBytes?: (n: number) => void;
}

export const replayDeadLetter = (
  ctx: RowContext,
  line: number,
  raw: string,
  reason: string,
  eventTime: number,
): DeadLetter => ({
  kind: "DeadLetter",
  eventTime,
  seq: 0,
  nodeId: ctx.sourceId,
  reason,
  raw,
  origin: `${ctx.path}:${line}`,
});

/** Decoded events of an NDJSON replay file; undecodable lines come out as DeadLetters in place. */
export async function* readNdjson(ctx: RowContext): AsyncGenerator<Event[]> {
  let lastTime = 0;
  for await (const { firstLine, lines } of readLineBatches(ctx.path, { onBytes: ctx.onBytes })) {
    const out: Event[] = [];
    for (let i = 0; i < lines.length; i++) {
      const raw = lines[i]!;
      if (raw.trim() === "") continue;
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch (err) {
        out.push(
          replayDeadLetter(ctx, firstLine + i, raw, `invalid JSON: ${(err as Error).message}`, lastTime),
        );
        continue;
      }
      const r = decodeEvent(json);
      if (r.ok) {
        lastTime = r.value.eventTime;
        out.push(r.value);
      } else {
        out.push(replayDeadLetter(ctx, firstLine + i, raw, r.reason, lastTime));
      }
    }
    if (out.length > 0) yield out;
  }
}
