import { readFileSync, statSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { compileLogistic, type LogisticJson, type LogisticModel } from "./logistic.js";
import { compileLstm, type LstmJson, type LstmNet } from "./lstmNet.js";
import { compileTreeEnsemble, type TreeEnsemble, type TreeEnsembleJson } from "./treeEnsemble.js";

/** Member names a bundle may hold; the ensemble weights name them. */
export type MemberName = "xgboost" | "lstm" | "linear";
export const MEMBER_NAMES: readonly MemberName[] = ["xgboost", "lstm", "linear"];

interface MemberMetadata {
  readonly onnx: string;
  readonly engine: string;
  readonly sha256: string;
  readonly features: readonly string[];
  readonly input: string;
  readonly output: string;
  readonly outputColumn: number;
  readonly sequenceLength?: number;
}

/** `metadata.json` written by the training package (packages/training/thetaflow_training/bundle.py). */
export interface BundleMetadata {
  readonly schemaVersion: number;
  readonly name: string;
  readonly version: string;
  readonly dataHash: string;
  readonly trainingWindow: {
    readonly start: string;
    readonly end: string;
    readonly validationFrom: string | null;
  };
  readonly features: readonly string[];
  readonly members: Readonly<Partial<Record<MemberName, MemberMetadata>>>;
  readonly ensemble: { readonly weights: Readonly<Record<string, Readonly<Record<string, number>>>> };
}

export type Member =
  | {
      readonly name: "xgboost";
      readonly features: readonly string[];
      readonly model: TreeEnsemble;
      readonly meta: MemberMetadata;
    }
  | {
      readonly name: "lstm";
      readonly features: readonly string[];
      readonly model: LstmNet;
      readonly meta: MemberMetadata;
    }
  | {
      readonly name: "linear";
      readonly features: readonly string[];
      readonly model: LogisticModel;
      readonly meta: MemberMetadata;
    };

export interface ModelBundle {
  readonly dir: string;
  readonly metadata: BundleMetadata;
  readonly name: string;
  readonly version: string;
  readonly members: ReadonlyArray<Member>;
  /** Every feature any member reads, in metadata order. */
  readonly features: readonly string[];
}

/**
 * Model paths in topologies are relative to the repository root (where `models/` lives), whatever
 * the working directory: this file sits four levels below it in both `src/` and `dist/`.
 */
export const repositoryRoot = (): string => fileURLToPath(new URL("../../../../", import.meta.url));

export const resolveBundleDir = (path: string): string =>
  isAbsolute(path) ? path : resolve(repositoryRoot(), path);

const readJson = <T>(file: string): T => {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new Error(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new Error(`${file} is not JSON: ${(e as Error).message}`);
  }
};

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/** First position where two feature lists differ, for an error a person can act on. */
const describeMismatch = (expected: readonly string[], actual: readonly string[]): string => {
  const i = expected.findIndex((x, k) => x !== actual[k]);
  const at = i === -1 ? Math.min(expected.length, actual.length) : i;
  return `first difference at position ${at}: expected '${expected[at] ?? "<end>"}', found '${actual[at] ?? "<end>"}' (${expected.length} vs ${actual.length} features)`;
};

const loadMember = (dir: string, name: MemberName, meta: MemberMetadata, all: readonly string[]): Member => {
  const unknown = meta.features.filter((f) => !all.includes(f));
  if (unknown.length > 0)
    throw new Error(`member ${name} reads features the bundle does not list: ${unknown.join(", ")}`);
  const json = readJson<unknown>(join(dir, meta.engine));
  const width = meta.features.length;
  switch (name) {
    case "xgboost":
      if (!sameList(meta.features, all))
        throw new Error(
          `member xgboost must read the bundle's features in order: ${describeMismatch(all, meta.features)}`,
        );
      return {
        name,
        features: meta.features,
        meta,
        model: compileTreeEnsemble(json as TreeEnsembleJson, width),
      };
    case "lstm": {
      const model = compileLstm(json as LstmJson, width);
      if (meta.sequenceLength !== undefined && meta.sequenceLength !== model.sequenceLength)
        throw new Error(
          `member lstm: metadata says ${meta.sequenceLength} steps, weights say ${model.sequenceLength}`,
        );
      return { name, features: meta.features, meta, model };
    }
    case "linear":
      return { name, features: meta.features, meta, model: compileLogistic(json as LogisticJson, width) };
  }
};

/**
 * Loads a bundle and checks it is one consistent artefact: metadata, member feature lists and
 * engine weights agree in names, order and sizes. When `expectedFeatures` is given (the names and
 * order the engine's features operator emits, or a topology's pinned list), the bundle's feature
 * list must match it exactly — otherwise the bundle is refused with the first difference.
 */
export const loadBundle = (path: string, expectedFeatures?: readonly string[]): ModelBundle => {
  const dir = resolveBundleDir(path);
  const metadata = readJson<BundleMetadata>(join(dir, "metadata.json"));
  if (metadata.schemaVersion !== 1)
    throw new Error(`${dir}: unsupported metadata schemaVersion ${metadata.schemaVersion}`);
  if (!Array.isArray(metadata.features) || metadata.features.length === 0)
    throw new Error(`${dir}: metadata lists no features`);
  if (new Set(metadata.features).size !== metadata.features.length)
    throw new Error(`${dir}: metadata lists a feature twice`);
  if (expectedFeatures !== undefined && !sameList(expectedFeatures, metadata.features))
    throw new Error(
      `${dir}: model ${metadata.name}@${metadata.version} was trained on other features than the engine emits: ${describeMismatch(expectedFeatures, metadata.features)}`,
    );
  const members: Member[] = [];
  for (const name of MEMBER_NAMES) {
    const meta = metadata.members[name];
    if (meta === undefined) continue;
    try {
      members.push(loadMember(dir, name, meta, metadata.features));
    } catch (e) {
      throw new Error(`${dir}: ${(e as Error).message}`);
    }
  }
  if (members.length === 0) throw new Error(`${dir}: bundle has no members`);
  const used = new Set(members.flatMap((m) => m.features));
  return {
    dir,
    metadata,
    name: metadata.name,
    version: metadata.version,
    members,
    features: metadata.features.filter((f) => used.has(f)),
  };
};

const cache = new Map<
  string,
  { readonly stamp: number; readonly expected: string; readonly bundle: ModelBundle }
>();

/** `loadBundle` memoised on the metadata file's mtime: validating then running a topology loads once. */
export const loadBundleCached = (path: string, expectedFeatures?: readonly string[]): ModelBundle => {
  const dir = resolveBundleDir(path);
  const stamp = statSync(join(dir, "metadata.json"), { throwIfNoEntry: false })?.mtimeMs ?? -1;
  const expected = expectedFeatures?.join("\u0000") ?? "";
  const hit = cache.get(dir);
  if (hit !== undefined && hit.stamp === stamp && hit.expected === expected) return hit.bundle;
  const bundle = loadBundle(dir, expectedFeatures);
  cache.set(dir, { stamp, expected, bundle });
  return bundle;
};
