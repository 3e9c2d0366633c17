import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LogisticJson } from "../logistic.js";
import type { LstmJson } from "../lstmNet.js";
import type { TreeEnsembleJson } from "../treeEnsemble.js";

/**
 * A hand-written bundle in a temporary directory, for unit tests that must not depend on the
 * committed, trained model: two stumps on iv_rank and vix_rank, a 2-unit LSTM and a logistic model.
 */
export const TEST_FEATURES = ["iv_rank", "vix_rank", "rsi_14"] as const;

export const testTrees: TreeEnsembleJson = {
  kind: "treeEnsemble",
  baseValue: -0.1,
  postTransform: "logistic",
  trees: [
    // iv_rank < 0.5 ? -0.4 : 0.6 ; missing -> yes
    {
      feature: [0, -1, -1],
      threshold: [0.5, 0, 0],
      yes: [1, -1, -1],
      no: [2, -1, -1],
      missingYes: [1, 0, 0],
      leaf: [0, -0.4, 0.6],
    },
    // vix_rank < 0.3 ? 0.2 : (rsi_14 < 70 ? 0.1 : -0.5) ; missing -> no
    {
      feature: [1, -1, 2, -1, -1],
      threshold: [0.3, 0, 70, 0, 0],
      yes: [1, -1, 3, -1, -1],
      no: [2, -1, 4, -1, -1],
      missingYes: [0, 0, 0, 0, 0],
      leaf: [0, 0.2, 0, 0.1, -0.5],
    },
  ],
};

const H = 2;
const F = 2;
export const testLstm: LstmJson = {
  kind: "lstm",
  sequenceLength: 4,
  hidden: H,
  mean: [0.5, 0.5],
  std: [0.25, 0.25],
  weightIh: Array.from({ length: 4 * H * F }, (_, k) => ((k % 5) - 2) * 0.1),
  weightHh: Array.from({ length: 4 * H * H }, (_, k) => ((k % 3) - 1) * 0.2),
  biasIh: Array.from({ length: 4 * H }, (_, k) => k * 0.01),
  biasHh: Array.from({ length: 4 * H }, () => 0.02),
  denseWeight: [0.5, -0.3, 0.2, 0.4],
  denseBias: [0.1, -0.1],
  outWeight: [1.2, -0.7],
  outBias: [0.05],
};

export const testLogistic: LogisticJson = {
  kind: "logistic",
  median: [0.5, 50],
  mean: [0.45, 48],
  scale: [0.2, 12],
  coef: [1.5, -0.02],
  intercept: -0.1,
};

export interface TestBundleOptions {
  readonly name?: string;
  readonly features?: readonly string[];
  readonly weights?: Record<string, Record<string, number>>;
}

export const writeTestBundle = (options: TestBundleOptions = {}): string => {
  const dir = mkdtempSync(join(tmpdir(), "thetaflow-bundle-"));
  mkdirSync(dir, { recursive: true });
  const features = options.features ?? TEST_FEATURES;
  writeFileSync(join(dir, "xgboost.json"), JSON.stringify(testTrees));
  writeFileSync(join(dir, "lstm.json"), JSON.stringify(testLstm));
  writeFileSync(join(dir, "linear.json"), JSON.stringify(testLogistic));
  const member = (engine: string, f: readonly string[], extra: object = {}) => ({
    onnx: engine.replace(".json", ".onnx"),
    engine,
    sha256: "0".repeat(64),
    features: f,
    input: "features",
    output: "probabilities",
    outputColumn: 1,
    ...extra,
  });
  writeFileSync(
    join(dir, "metadata.json"),
    JSON.stringify({
      schemaVersion: 1,
      name: options.name ?? "core",
      version: `${options.name ?? "core"}-test`,
      dataHash: "0".repeat(64),
      trainingWindow: { start: "2015-01-02", end: "2016-12-30", validationFrom: "2016-10-01" },
      features,
      members: {
        xgboost: member("xgboost.json", features),
        lstm: member("lstm.json", ["iv_rank", "vix_rank"], { sequenceLength: 4 }),
        linear: member("linear.json", ["iv_rank", "rsi_14"]),
      },
      ensemble: { weights: options.weights ?? { default: { xgboost: 0.6, lstm: 0.4 } } },
    }),
  );
  return dir;
};
