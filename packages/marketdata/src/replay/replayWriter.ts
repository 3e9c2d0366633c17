import { createHash } from "node:crypto";
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { createGzip } from "node:zlib";
import { type Event, encodeEvent } from "@thetaflow/schemas";

export interface ReplayWriteResult {
  readonly path: string;
  readonly lines: number;
  readonly bytes: number;
  readonly sha256: string;
  readonly countsByKind: Readonly<Record<string, number>>;
  readonly firstEventTime: number | undefined;
  readonly lastEventTime: number | undefined;
}

/**
 * Writes events as NDJSON (gzip when the path ends in `.gz`): one `encodeEvent` JSON per line,
 * `seq` renumbered 1.. per file, event times required non-decreasing so the file is sorted by
 * (eventTime, seq). Awaiting the stream's drain gives backpressure to the generator.
 */
export const writeReplay = async (
  path: string,
  batches: Iterable<ReadonlyArray<Event>> | AsyncIterable<ReadonlyArray<Event>>,
): Promise<ReplayWriteResult> => {
  const file = createWriteStream(path);
  const hash = createHash("sha256");
  let bytes = 0;
  const gzip = path.endsWith(".gz") ? createGzip({ level: 9 }) : undefined;
  const sink = gzip ?? file;
  if (gzip !== undefined) gzip.pipe(file);
  const tap = gzip ?? file;
  const onData = (chunk: Buffer) => {
    hash.update(chunk);
    bytes += chunk.length;
  };
  if (gzip !== undefined) gzip.on("data", onData);
  const counts: Record<string, number> = {};
  let seq = 0;
  let lastTime: number | undefined;
  let firstTime: number | undefined;
  let pending: string[] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    const text = pending.join("");
    pending = [];
    if (gzip === undefined) onData(Buffer.from(text, "utf8"));
    if (!sink.write(text)) await once(tap, "drain");
  };
  for await (const batch of batches) {
    for (const event of batch) {
      if (lastTime !== undefined && event.eventTime < lastTime) {
        file.destroy();
        throw new Error(`events out of time order: ${event.eventTime} after ${lastTime} (${event.kind})`);
      }
      lastTime = event.eventTime;
      firstTime ??= event.eventTime;
      seq++;
      pending.push(`${JSON.stringify(encodeEvent({ ...event, seq } as Event))}\n`);
      counts[event.kind] = (counts[event.kind] ?? 0) + 1;
    }
    if (pending.length >= 2000) await flush();
  }
  await flush();
  sink.end();
  await once(file, "finish");
  return {
    path,
    lines: seq,
    bytes,
    sha256: hash.digest("hex"),
    countsByKind: counts,
    firstEventTime: firstTime,
    lastEventTime: lastTime,
  };
};
