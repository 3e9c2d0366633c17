import { closeSync, fsyncSync, openSync, renameSync, writeSync } from "node:fs";

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
