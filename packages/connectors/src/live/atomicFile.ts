import { closeSync, fsyncSync, openSync, renameSync, writeSync } from "node:fs";
import { open, rename } from "node:fs/promises";

/**
 * Writes a file so that a crash at any instant leaves either the old content or the new, never a
 * torn file: write a temporary file, fsync it, rename it over the old one.
 */
export const writeFileAtomically = (path: string, data: Uint8Array): void => {
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, "w");
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
};

/**
 * `writeFileAtomically` on the thread pool: the event loop keeps running while the chunks are
 * written and synced. One call per path at a time (they share the temporary file).
 */
export const writeFileAtomicallyAsync = async (
  path: string,
  chunks: readonly Uint8Array[],
): Promise<void> => {
  const tmp = `${path}.${process.pid}.tmp`;
  const file = await open(tmp, "w");
  try {
    await file.writev(chunks);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(tmp, path);
};
