import { createReadStream, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { RunReport } from "./runTopology.js";

export interface FieldDifference {
  readonly path: string;
  readonly a: unknown;
  readonly b: unknown;
}

export interface Divergence {
  readonly file: string;
  /** 1-based line in both files (runs are compared line by line). */
  readonly line: number;
  readonly kind: string | undefined;
  /** What the event is about: contract, order id, underlying... */
  readonly subject: string | undefined;
  readonly eventTime: number | undefined;
  readonly field: FieldDifference | undefined;
  /** Set when one file ends before the other. */
  readonly missingIn?: "a" | "b";
  readonly a: string | undefined;
  readonly b: string | undefined;
}

export interface RunDiff {
  readonly identical: boolean;
  readonly topologyHashes: readonly [string, string];
  readonly onlyInA: readonly string[];
  readonly onlyInB: readonly string[];
  /** First divergence per differing output file, in file-name order. */
  readonly divergences: readonly Divergence[];
}

const readReport = (dir: string): RunReport => {
  const path = join(dir, "run.json");
  if (!existsSync(path)) throw new Error(`${dir} is not a run directory (no run.json)`);
  return JSON.parse(readFileSync(path, "utf8")) as RunReport;
};

/** First differing field between two JSON values, depth first in key order. */
export const firstFieldDifference = (a: unknown, b: unknown, path = ""): FieldDifference | undefined => {
  if (Object.is(a, b)) return undefined;
  if (
    typeof a !== "object" ||
    typeof b !== "object" ||
    a === null ||
    b === null ||
    Array.isArray(a) !== Array.isArray(b)
  )
    return { path: path || "(value)", a, b };
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  for (const k of keys) {
    const d = firstFieldDifference(
      (a as Record<string, unknown>)[k],
      (b as Record<string, unknown>)[k],
      path ? `${path}.${k}` : k,
    );
    if (d !== undefined) return d;
  }
  return undefined;
};

const subjectOf = (e: Record<string, unknown>): string | undefined => {
  for (const k of [
    "contract",
    "orderId",
    "fillId",
    "positionId",
    "intentId",
    "id",
    "underlying",
    "symbol",
    "nodeId",
  ])
    if (typeof e[k] === "string") return `${k}=${e[k]}`;
  return undefined;
};

const parse = (line: string | undefined): Record<string, unknown> | undefined => {
  if (line === undefined) return undefined;
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
};

async function firstDivergence(file: string, pathA: string, pathB: string): Promise<Divergence | undefined> {
  const ia = createInterface({ input: createReadStream(pathA), crlfDelay: Number.POSITIVE_INFINITY })[
    Symbol.asyncIterator
  ]();
  const ib = createInterface({ input: createReadStream(pathB), crlfDelay: Number.POSITIVE_INFINITY })[
    Symbol.asyncIterator
  ]();
  try {
    for (let line = 1; ; line++) {
      const [ra, rb] = await Promise.all([ia.next(), ib.next()]);
      if (ra.done && rb.done) return undefined;
      const a = ra.done ? undefined : (ra.value as string);
      const b = rb.done ? undefined : (rb.value as string);
      if (a === b) continue;
      const ea = parse(a);
      const eb = parse(b);
      const e = ea ?? eb ?? {};
      return {
        file,
        line,
        kind: typeof e.kind === "string" ? e.kind : undefined,
        subject: subjectOf(e),
        eventTime: typeof e.eventTime === "number" ? e.eventTime : undefined,
        field: ea !== undefined && eb !== undefined ? firstFieldDifference(ea, eb) : undefined,
        ...(a === undefined
          ? { missingIn: "a" as const }
          : b === undefined
            ? { missingIn: "b" as const }
            : {}),
        a,
        b,
      };
    }
  } finally {
    await Promise.all([ia.return?.(), ib.return?.()]);
  }
}

/** Compares two runs' outputs file by file and names the first divergence in each differing file. */
export const diffRuns = async (dirA: string, dirB: string): Promise<RunDiff> => {
  const ra = readReport(dirA);
  const rb = readReport(dirB);
  const filesA = new Map(ra.outputs.map((o) => [o.file, o]));
  const filesB = new Map(rb.outputs.map((o) => [o.file, o]));
  const onlyInA = [...filesA.keys()].filter((f) => !filesB.has(f)).sort();
  const onlyInB = [...filesB.keys()].filter((f) => !filesA.has(f)).sort();
  const divergences: Divergence[] = [];
  for (const file of [...filesA.keys()].filter((f) => filesB.has(f)).sort()) {
    if (filesA.get(file)!.sha256 === filesB.get(file)!.sha256) continue;
    const d = await firstDivergence(file, join(dirA, file), join(dirB, file));
    if (d !== undefined) divergences.push(d);
  }
  return {
    identical: onlyInA.length === 0 && onlyInB.length === 0 && divergences.length === 0,
    topologyHashes: [ra.topologyHash, rb.topologyHash],
    onlyInA,
    onlyInB,
    divergences,
  };
};
