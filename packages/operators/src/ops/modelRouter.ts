import type { RegimeName } from "@thetaflow/schemas";
import { REGIME_CODES } from "../features/catalog.js";
import type { MemberName } from "../models/modelBundle.js";

/**
 * Which model answers for an underlying at a decision (architecture 2.3.4, roadmap 2.3): inside the
 * earnings window the earnings model, in the rest of the blackout before a release nobody (no
 * trade), otherwise the core ensemble. The flags come from the temporal features, so the router
 * knows a release only from the EarningsEvents seen so far.
 */
export type ModelRoute = "core" | "earnings" | "blackout";

export const EARNINGS_WINDOW_FEATURE = "earnings_window";
export const EARNINGS_BLACKOUT_FEATURE = "earnings_blackout";

export const routeDecision = (values: Readonly<Record<string, number | null>>): ModelRoute => {
  if (values[EARNINGS_WINDOW_FEATURE] === 1) return "earnings";
  if (values[EARNINGS_BLACKOUT_FEATURE] === 1) return "blackout";
  return "core";
};

/** Ensemble weights per regime name, with `default` for regimes not listed. */
export type RegimeWeights = Readonly<Record<string, Readonly<Partial<Record<MemberName, number>>>>>;

export const regimeOf = (values: Readonly<Record<string, number | null>>): RegimeName | null => {
  const code = values.regime;
  return code === null || code === undefined ? null : (REGIME_CODES[code] ?? null);
};

/**
 * Regime-weighted average of the members that produced a probability (architecture 2.3.6). Weights
 * of the members that scored are renormalised; if none of them has weight in this regime the
 * ensemble has no answer and the caller falls back.
 */
export const ensembleScore = (
  scores: Readonly<Partial<Record<MemberName, number>>>,
  regime: RegimeName | null,
  weights: RegimeWeights,
): number | null => {
  const w = (regime !== null ? weights[regime] : undefined) ?? weights.default ?? {};
  let total = 0;
  let sum = 0;
  for (const [name, p] of Object.entries(scores) as [MemberName, number][]) {
    const weight = w[name] ?? 0;
    if (weight <= 0) continue;
    total += weight;
    sum += weight * p;
  }
  return total > 0 ? sum / total : null;
};
