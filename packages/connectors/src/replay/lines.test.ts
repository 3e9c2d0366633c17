import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { readLineBatches } from "./lines.js";

const dir = mkdtempSync(join(tmpdir(), "thetaflow-lines-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What the reader must produce: one entry per line, a line's own trailing CR dropped, no entry after a final LF. */
const expectedLines = (text: string): string[] => {
  const parts = text.split("\n");
  if (parts[parts.length - 1] === "") parts.pop();
  return parts.map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
};

const readAll = async (path: string, chunkBytes: number, batchSize: number) => {
  const lines: string[] = [];
  const firsts: number[] = [];
  for await (const batch of readLineBatches(path, { chunkBytes, batchSize })) {
    expect(batch.firstLine).toBe(lines.length + 1);
    firsts.push(batch.firstLine);
    lines.push(...batch.lines);
  }
  return { lines, firsts };
};

// Pieces that straddle chunk edges in every way: CRLF split between reads, empty lines, multi-byte characters.
const piece = fc.constantFrom("\n", "\r\n", "\r", "", "a", '{"k":1}', "é", "😀", " ", "xyz0123456789");
const text = fc.array(piece, { maxLength: 60 }).map((p) => p.join(""));

let n = 0;
describe("readLineBatches", () => {
  it("cuts the same lines whatever the read size, batch size and compression", async () => {
    await fc.assert(
      fc.asyncProperty(
        text,
        fc.integer({ min: 1, max: 17 }),
        fc.integer({ min: 1, max: 5 }),
        fc.boolean(),
        async (t, chunkBytes, batchSize, gz) => {
          const path = join(dir, `f${n++}.ndjson${gz ? ".gz" : ""}`);
          writeFileSync(path, gz ? gzipSync(t) : t);
          const { lines } = await readAll(path, chunkBytes, batchSize);
          expect(lines).toEqual(expectedLines(t));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("numbers batches by their first line", async () => {
    const path = join(dir, "numbered.ndjson");
    writeFileSync(path, "a\nb\r\n\nc\nd\ne");
    const { lines, firsts } = await readAll(path, 3, 2);
    expect(lines).toEqual(["a", "b", "", "c", "d", "e"]);
    expect(firsts).toEqual([1, 3, 5]);
  });
});
