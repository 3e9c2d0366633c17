import { createReadStream } from "node:fs";
import { createGunzip } from "node:zlib";

/** A file's text lines in batches (gunzipped when the name ends in .gz), with 1-based line numbers. */
export async function* readLineBatches(
  path: string,
  options: { readonly batchSize?: number; readonly onBytes?: (n: number) => void } = {},
): AsyncGenerator<{ readonly firstLine: number; readonly lines: string[] }> {
  const batchSize = options.batchSize ?? 2048;
  const raw = createReadStream(path);
  if (options.onBytes !== undefined) raw.on("data", (c) => options.onBytes!(c.length));
  const stream = path.endsWith(".gz") ? raw.pipe(createGunzip()) : raw;
  raw.on("error", (err) => stream.destroy(err));
  stream.setEncoding("utf8");
  let carry = "";
  let lineNo = 1;
  let lines: string[] = [];
  let firstLine = 1;
  for await (const chunk of stream as AsyncIterable<string>) {
    const text = carry + chunk;
    let start = 0;
    for (let nl = text.indexOf("\n", start); nl !== -1; nl = text.indexOf("\n", start)) {
      lines.push(text.charCodeAt(nl - 1) === 13 ? text.slice(start, nl - 1) : text.slice(start, nl));
      start = nl + 1;
      if (lines.length >= batchSize) {
        yield { firstLine, lines };
        firstLine = lineNo + 1;
        lines = [];
      }
      lineNo++;
    }
    carry = text.slice(start);
  }
  if (carry.length > 0) lines.push(carry.endsWith("\r") ? carry.slice(0, -1) : carry);
  if (lines.length > 0) yield { firstLine, lines };
}
