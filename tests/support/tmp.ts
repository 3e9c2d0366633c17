import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach } from "vitest";

/** A temporary directory, emptied before each test and removed after it. */
export const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), "thetaflow-test-"));
  beforeEach(() => mkdirSync(dir, { recursive: true }));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
};
