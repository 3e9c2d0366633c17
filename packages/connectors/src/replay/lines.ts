import { createReadStream } from "node:fs";
import { createGunzip } from "node:zlib";

/** A file's text lines in batches (gunzipped when the name ends in .gz), with 1-based line numbers. */
export async function* readLineBatches(
  path: string,
  options: {
    readonly batchSize?: number;
    readonly onBytes?: (n: number) => void;
    /** Bytes per read from disk (default 64 KiB); tests use tiny reads to put lines across chunks. */
    readonly chunkBytes?: number;
  } = {},
): AsyncGenerator<{ readonly firstLine: number; readonly lines: string[] }> {
  const batchSize = options.batchSize ?? 2048;
  const raw = createReadStream(path, { highWaterMark: options.chunkBytes ?? 64 * 1024 });
  if (options.onBytes !== undefined) raw.on("data", (c) => options.onBytes!(c.length));
  const stream = path.endsWith(".gz") ? raw.pipe(createGunzip()) : raw;
  raw.on("error", (err) => stream.destroy(err));
  stream.setEncoding("utf8");
  let carry = "";
  let lineNo = 1;
  let lines: string[] = [];
  let firstLine = 1;
  // Lines are cut from each chunk as it came: prepending the carry to the whole chunk would copy
  // every chunk once more (a flattened 64 KiB string per read); only the first line joins the two.
  for await (const chunk of stream as AsyncIterable<string>) {
    let start = 0;
    for (let nl = chunk.indexOf("\n"); nl !== -1; nl = chunk.indexOf("\n", start)) {
      let line = start === 0 && carry.length > 0 ? carry + chunk.slice(0, nl) : chunk.slice(start, nl);
      if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
      lines.push(line);
      start = nl + 1;
      if (lines.length >= batchSize) {
        yield { firstLine, lines };
        firstLine = lineNo + 1;
        lines = [];
      }
      lineNo++;
    }
    carry = start === 0 ? carry + chunk : chunk.slice(start);
  }
  if (carry.length > 0) lines.push(carry.endsWith("\r") ? carry.slice(0, -1) : carry);
  if (lines.length > 0) yield { firstLine, lines };
}
