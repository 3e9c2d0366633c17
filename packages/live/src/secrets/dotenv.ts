import { existsSync } from "node:fs";
import { resolve } from "node:path";

/**
 * Loads `.env` from `dir` into process.env without overriding variables already set (the
 * environment wins). Node's own loader is used, so no parser of ours ever sees the values.
 */
export const loadDotEnv = (dir: string = process.cwd()): boolean => {
  const file = resolve(dir, ".env");
  if (!existsSync(file)) return false;
  const before = { ...process.env };
  process.loadEnvFile(file);
  for (const [k, v] of Object.entries(before)) process.env[k] = v;
  return true;
};
