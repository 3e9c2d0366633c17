import type { RegimeName } from "@thetaflow/schemas";

export type TradeDirection = "sell" | "buy";

/** Seeds (IVRankStrategy._calculate_confidence): how well a regime suits selling or buying premium. */
const regimeFit: Record<RegimeName, Record<TradeDirection, number>> = {
  low_vol: { sell: 1.0, buy: 0.8 },
  high_vol: { sell: 0.7, buy: 0.9 },
  iv_contraction: { sell: 1.2, buy: 0.6 },
  iv_expansion: { sell: 0.6, buy: 1.2 },
  neutral: { sell: 0.5, buy: 0.5 },
};

/**
 * Rule confidence from IV-rank extremity and regime fit, averaged 60/40 with a model's probability
 * when one scored this decision, capped at 0.98 — the seeds' formula.
 */
export const signalConfidence = (
  ivRank: number,
  regime: RegimeName,
  direction: TradeDirection,
  modelProbability: number | null,
): number => {
  const base = direction === "sell" ? Math.min(ivRank, 0.95) : Math.min(1 - ivRank, 0.95);
  let confidence = base * regimeFit[regime][direction];
  if (modelProbability !== null) confidence = 0.6 * confidence + 0.4 * modelProbability;
  return Math.max(0, Math.min(confidence, 0.98));
};
