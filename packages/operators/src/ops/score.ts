import { defineOperator, type Emitter } from "@thetaflow/core";
import type { FeatureVector, ModelScore } from "@thetaflow/schemas";
import { Either, ParseResult, Schema } from "effect";
import { FEATURE_NAMES } from "../features/catalog.js";
import { loadBundleCached, type MemberName, type ModelBundle } from "../models/modelBundle.js";
import {
  ensembleScore,
  type ModelRoute,
  type RegimeWeights,
  regimeOf,
  routeDecision,
} from "./modelRouter.js";

const Weights = Schema.Record({
  key: Schema.String,
  value: Schema.partial(
    Schema.Struct({ xgboost: Schema.Number, lstm: Schema.Number, linear: Schema.Number }),
  ),
});

const RawScoreParams = Schema.Struct({
  /** Core ensemble bundle directory (relative to the repository root), e.g. `models/core`. */
  core: Schema.optional(Schema.Struct({ bundle: Schema.String, weights: Schema.optional(Weights) })),
  /** Earnings-window model bundle, e.g. `models/earnings`. */
  earnings: Schema.optional(Schema.Struct({ bundle: Schema.String })),
  /** Pin the exact feature names and order the core model must have been trained on. */
  features: Schema.optional(Schema.Array(Schema.String)),
  /** Above this share of null inputs the model does not score and the rules decide. */
  maxMissingShare: Schema.optionalWith(Schema.Number.pipe(Schema.between(0, 1)), { default: () => 0.25 }),
  /** `refuse`: a missing bundle stops the topology at start; `fallback`: run rule-based, saying why. */
  onMissingBundle: Schema.optionalWith(Schema.Literal("refuse", "fallback"), {
    default: () => "refuse" as const,
  }),
});
type RawScoreParams = typeof RawScoreParams.Type;

interface Scorer {
  readonly bundle: ModelBundle;
  readonly weights: RegimeWeights;
  /** Column of every bundle feature in a decision's input row. */
  readonly columns: ReadonlyMap<string, number>;
}

export interface LoadedScoreParams {
  readonly core: Scorer | { readonly unavailable: string } | null;
  readonly earnings: Scorer | { readonly unavailable: string } | null;
  readonly maxMissingShare: number;
}

const isLoaded = (u: unknown): u is LoadedScoreParams =>
  typeof u === "object" && u !== null && "maxMissingShare" in u;

const checkWeights = (bundle: ModelBundle, weights: RegimeWeights): void => {
  if (weights.default === undefined) throw new Error("ensemble weights need a 'default' entry");
  const members = new Set<string>(bundle.members.map((m) => m.name));
  for (const [regime, w] of Object.entries(weights))
    for (const [name, v] of Object.entries(w)) {
      if (!members.has(name))
        throw new Error(
          `weights.${regime}.${name}: bundle ${bundle.version} has no member '${name}' (has ${[...members].join(", ")})`,
        );
      if (!(v !== undefined && v >= 0))
        throw new Error(`weights.${regime}.${name} must be a non-negative number`);
    }
};

const scorerFor = (
  path: string,
  weights: RegimeWeights | undefined,
  pinned: readonly string[] | undefined,
): Scorer => {
  const bundle = loadBundleCached(path, pinned);
  const foreign = bundle.metadata.features.filter((f) => !FEATURE_NAMES.includes(f));
  if (foreign.length > 0)
    throw new Error(
      `model ${bundle.name}@${bundle.version} needs features the engine does not emit: ${foreign.slice(0, 8).join(", ")}${foreign.length > 8 ? ", …" : ""}`,
    );
  const w = weights ?? (bundle.metadata.ensemble.weights as RegimeWeights);
  checkWeights(bundle, w);
  return { bundle, weights: w, columns: new Map(bundle.features.map((f, i) => [f, i])) };
};

const load = (raw: RawScoreParams): LoadedScoreParams => {
  const attempt = (path: string | undefined, make: () => Scorer) => {
    if (path === undefined) return null;
    try {
      return make();
    } catch (e) {
      const message = (e as Error).message;
      const absent = /cannot read .*metadata\.json: ENOENT/.test(message);
      if (absent && raw.onMissingBundle === "fallback")
        return { unavailable: `model bundle ${path} not found` };
      throw e;
    }
  };
  return {
    core: attempt(raw.core?.bundle, () => scorerFor(raw.core!.bundle, raw.core!.weights, raw.features)),
    earnings: attempt(raw.earnings?.bundle, () => scorerFor(raw.earnings!.bundle, undefined, undefined)),
    maxMissingShare: raw.maxMissingShare,
  };
};

/**
 * Parameters decode by *loading* the bundles: compiling the topology reads and checks the models,
 * so a missing file or a feature mismatch stops the run before any event flows, with the
 * topology's file and line. Scoring itself is then synchronous and in memory.
 */
export const ScoreParams = Schema.transformOrFail(
  RawScoreParams,
  Schema.declare(isLoaded, { identifier: "LoadedScoreParams" }),
  {
    strict: true,
    decode: (raw, _, ast) =>
      Either.try({
        try: () => load(raw),
        catch: (e) => new ParseResult.Type(ast, raw, (e as Error).message),
      }),
    encode: (_, __, ast, loaded) =>
      ParseResult.fail(new ParseResult.Forbidden(ast, loaded, "loaded model parameters cannot be encoded")),
  },
);
export type ScoreParams = LoadedScoreParams;

export interface ScoreState {
  /** LSTM input projections of this underlying's recent decisions, oldest first. */
  readonly history: readonly Float64Array[];
  readonly lastTime: number;
  /** Decisions answered by the rules instead of a model (the fallback metric, per underlying). */
  readonly fallbacks: number;
  readonly scored: number;
}

const initial: ScoreState = { history: [], lastTime: -1, fallbacks: 0, scored: 0 };

type Outcome = { readonly score: number } | { readonly fallback: string };

const inputRow = (scorer: Scorer, values: FeatureVector["values"]) => {
  const features = scorer.bundle.features;
  const row = new Float64Array(features.length);
  const absent: string[] = [];
  let nulls = 0;
  for (let i = 0; i < features.length; i++) {
    const v = values[features[i]!];
    if (v === undefined) absent.push(features[i]!);
    if (v === null || v === undefined) nulls++;
    row[i] = v ?? Number.NaN;
  }
  return { row, absent, nullShare: nulls / features.length };
};

const gather = (row: Float64Array, columns: ReadonlyMap<string, number>, names: readonly string[]) =>
  Float64Array.from(names, (n) => row[columns.get(n)!]!);

const scoreWith = (
  scorer: Scorer,
  row: Float64Array,
  history: readonly Float64Array[],
  regime: ReturnType<typeof regimeOf>,
): Outcome => {
  const scores: Partial<Record<MemberName, number>> = {};
  const weights = (regime !== null ? scorer.weights[regime] : undefined) ?? scorer.weights.default ?? {};
  for (const m of scorer.bundle.members) {
    // A member without weight in this regime cannot move the score: do not pay for it.
    if (!((weights[m.name] ?? 0) > 0)) continue;
    const p =
      m.name === "xgboost"
        ? m.model.probability(row)
        : m.name === "linear"
          ? m.model.probability(gather(row, scorer.columns, m.features))
          : m.model.probability(history);
    if (!Number.isFinite(p)) return { fallback: `model error: ${m.name} returned ${p}` };
    scores[m.name] = p;
  }
  const score = ensembleScore(scores, regime, scorer.weights);
  return score === null
    ? { fallback: `model error: no ensemble weight for regime ${regime ?? "unknown"}` }
    : { score };
};

const decide = (
  scorer: Scorer | { readonly unavailable: string } | null,
  route: ModelRoute,
  fv: FeatureVector,
  row: ReturnType<typeof inputRow> | null,
  history: readonly Float64Array[],
  maxMissingShare: number,
): Outcome => {
  if (scorer === null) return { fallback: `${route} model not configured` };
  if ("unavailable" in scorer) return { fallback: scorer.unavailable };
  const input = row ?? inputRow(scorer, fv.values);
  if (input.absent.length > 0)
    return {
      fallback: `missing features: ${input.absent.slice(0, 5).join(", ")}${input.absent.length > 5 ? ` (+${input.absent.length - 5})` : ""}`,
    };
  if (input.nullShare > maxMissingShare)
    return {
      fallback: `missing features: ${Math.round(input.nullShare * 100)}% null > ${Math.round(maxMissingShare * 100)}%`,
    };
  try {
    return scoreWith(scorer, input.row, history, regimeOf(fv.values));
  } catch (e) {
    return { fallback: `model error: ${(e as Error).message}` };
  }
};

const emitScore = (
  out: Emitter<ModelScore>,
  fv: FeatureVector,
  model: string,
  version: string,
  outcome: Outcome,
) =>
  out.emit({
    kind: "ModelScore",
    eventTime: fv.eventTime,
    seq: 0,
    underlying: fv.underlying,
    model,
    version,
    ...("score" in outcome ? { score: outcome.score } : { score: null, fallbackReason: outcome.fallback }),
  });

const versionOf = (s: LoadedScoreParams["core"]) =>
  s === null || "unavailable" in s ? "none" : s.bundle.version;

/**
 * Scores every decision's FeatureVector with the model the router picks and emits one ModelScore
 * per underlying per decision time: `score` is P(profitable), `fallbackReason` says why the rules
 * decide instead (model missing, features missing, model error), and `model: "blackout"` with
 * score 0 means no trade. Feed it the assembled vectors of the `features` operator only.
 */
export const score = defineOperator({
  name: "score",
  description:
    "Model router + regime-weighted ensemble: one ModelScore (or a stated rule-based fallback) per decision.",
  params: ScoreParams,
  consumes: ["FeatureVector"],
  produces: ["ModelScore"],
  keyOf: (e) => e.underlying,
  init: (): ScoreState => initial,
  step: (state, fv, out, params) => {
    const core = params.core !== null && !("unavailable" in params.core) ? params.core : null;
    const lstm = core?.bundle.members.find((m) => m.name === "lstm");
    const coreRow = core !== null ? inputRow(core, fv.values) : null;
    let history = state.history;
    if (lstm !== undefined && lstm.name === "lstm" && coreRow !== null) {
      const projection = lstm.model.project(gather(coreRow.row, core!.columns, lstm.features));
      // A second vector at the same decision time replaces the first rather than lengthening history.
      const kept = fv.eventTime === state.lastTime ? history.slice(0, -1) : history;
      history = [...kept.slice(Math.max(0, kept.length - lstm.model.sequenceLength + 1)), projection];
    }
    const route = routeDecision(fv.values);
    let outcome: Outcome;
    const model: string = route;
    let version: string;
    if (route === "blackout") {
      outcome = { score: 0 };
      version = "router";
    } else if (route === "earnings") {
      outcome = decide(params.earnings, route, fv, null, history, params.maxMissingShare);
      version = versionOf(params.earnings);
    } else {
      outcome = decide(params.core, route, fv, coreRow, history, params.maxMissingShare);
      version = versionOf(params.core);
    }
    emitScore(out, fv, model, version, outcome);
    const fellBack = "fallback" in outcome;
    return {
      history,
      lastTime: fv.eventTime,
      fallbacks: state.fallbacks + (fellBack ? 1 : 0),
      scored: state.scored + (fellBack ? 0 : 1),
    };
  },
});
