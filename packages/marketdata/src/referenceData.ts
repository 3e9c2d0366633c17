import { fileURLToPath } from "node:url";

/**
 * Where the committed reference data lives. Both `src/` and `dist/` sit two levels under the
 * package root, so one relative URL serves the source (vitest) and the build (node).
 */
export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
export const referenceDir = fileURLToPath(new URL("../../../replays/reference/", import.meta.url));

export const referenceFile = (name: string): string => `${referenceDir}${name}`;
