import { createHash } from "node:crypto";
import { createReadStream, statSync } from "node:fs";
import { relative } from "node:path";

export interface OutputFile {
  readonly file: string;
  readonly bytes: number;
  readonly sha256: string;
}

const sha256File = (path: string): Promise<string> =>
  new Promise((ok, fail) => {
    const h = createHash("sha256");
    createReadStream(path)
      .on("data", (c) => h.update(c))
      .on("error", fail)
      .on("end", () => ok(h.digest("hex")));
  });

/**
 * Checksums of a run's output files (sorted by name) and one digest over all of them: equal digests
 * mean byte-identical outputs. The digest covers names and contents, never timestamps.
 */
export const digestOutputs = async (
  outDir: string,
  paths: readonly string[],
): Promise<{ readonly files: OutputFile[]; readonly outputsSha256: string }> => {
  const names = [...new Set(paths)].map((p) => ({ path: p, file: relative(outDir, p) }));
  names.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const files: OutputFile[] = [];
  for (const { path, file } of names)
    files.push({ file, bytes: statSync(path).size, sha256: await sha256File(path) });
  const all = createHash("sha256");
  for (const f of files) all.update(`${f.file}\0${f.sha256}\n`);
  return { files, outputsSha256: all.digest("hex") };
};
