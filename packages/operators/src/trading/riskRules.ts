import type { RegimeName, TradingState } from "@thetaflow/schemas";
import { Schema } from "effect";

const Fraction = Schema.Number.pipe(Schema.between(0, 1));
const NonNegative = Schema.Number.pipe(Schema.finite(), Schema.nonNegative());
const Count = Schema.Number.pipe(Schema.int(), Schema.nonNegative());

/**
 * The seeds' RiskManager limits (architecture.md 2.5.1) plus the platform document's daily loss,
 * correlation and concentration limits. Greek limits are in the units of PortfolioSnapshot: delta in
 * shares, gamma in shares per $1, vega in $ per vol point. The seeds' 100/50 were sized for a $10k
 * account; scale them with the account.
 */
export const RiskParams = {
  maxRiskPerTrade: Schema.optionalWith(Fraction, { default: () => 0.02 }),
  maxPortfolioRisk: Schema.optionalWith(Fraction, { default: () => 0.2 }),
  maxPositions: Schema.optionalWith(Count, { default: () => 5 }),
  maxPositionsPerUnderlying: Schema.optionalWith(Count, { default: () => 1 }),
  /** Max share of equity at risk in one correlation group (universe `group`). */
  maxGroupRisk: Schema.optionalWith(Fraction, { default: () => 0.12 }),
  /** Drawdown from peak at which sizes are cut (REDUCING) and at which trading stops (HALTED, latched). */
  reduceAtDrawdown: Schema.optionalWith(Fraction, { default: () => 0.15 }),
  maxDrawdown: Schema.optionalWith(Fraction, { default: () => 0.25 }),
  reducingSizeFactor: Schema.optionalWith(Fraction, { default: () => 0.5 }),
  maxDailyLoss: Schema.optionalWith(Fraction, { default: () => 0.03 }),
  maxPortfolioDelta: Schema.optionalWith(NonNegative, { default: () => 100 }),
  maxPortfolioGamma: Schema.optionalWith(NonNegative, { default: () => 50 }),
  maxPortfolioVega: Schema.optionalWith(NonNegative, { default: () => 500 }),
  /** Below this confidence no trade; below `halfSizeConfidence` half size (seeds: 0.6 / 0.75). */
  minConfidence: Schema.optionalWith(Fraction, { default: () => 0.6 }),
  halfSizeConfidence: Schema.optionalWith(Fraction, { default: () => 0.75 }),
  /** Seeds' regime size multipliers. */
  regimeMultipliers: Schema.optionalWith(
    Schema.Struct({
      low_vol: NonNegative,
      high_vol: NonNegative,
      iv_expansion: NonNegative,
      iv_contraction: NonNegative,
      neutral: NonNegative,
    }),
    { default: () => ({ low_vol: 1, high_vol: 0.5, iv_expansion: 0.75, iv_contraction: 1, neutral: 0 }) },
  ),
} as const;
const RiskLimitsSchema = Schema.Struct(RiskParams);
export type RiskLimits = typeof RiskLimitsSchema.Type;

export interface GreekExposure {
  readonly delta: number;
  readonly gamma: number;
  readonly vega: number;
}

/** The portfolio as the gate sees it: positions plus open orders still working (counted in full). */
export interface Exposure {
  readonly equityCents: number;
  readonly peakEquityCents: number;
  readonly dayStartEquityCents: number;
  readonly halted: boolean;
  readonly openPositions: number;
  readonly openRiskCents: number;
  readonly greeks: GreekExposure;
  readonly positionsByUnderlying: ReadonlyMap<string, number>;
  readonly riskByGroupCents: ReadonlyMap<string, number>;
}

export interface TradeCandidate {
  readonly underlying: string;
  readonly group: string;
  readonly regime: RegimeName;
  readonly confidence: number;
  readonly maxRiskPerUnitCents: number;
  /** Exposure one combo unit adds. */
  readonly greeksPerUnit: GreekExposure;
}

export interface RiskVerdict {
  readonly accepted: boolean;
  readonly quantity: number;
  readonly reasons: string[];
  readonly tradingState: TradingState;
}

export const drawdownOf = (e: Pick<Exposure, "equityCents" | "peakEquityCents">): number =>
  e.peakEquityCents > 0 ? Math.max(0, 1 - e.equityCents / e.peakEquityCents) : 0;

/** HALTED latches: once the drawdown limit is hit the run stops opening trades (closes still go). */
export const tradingStateOf = (e: Exposure, l: RiskLimits): TradingState => {
  const dd = drawdownOf(e);
  if (e.halted || dd >= l.maxDrawdown) return "HALTED";
  return dd >= l.reduceAtDrawdown ? "REDUCING" : "ACTIVE";
};

/** Most units that keep |current + q * perUnit| within the limit, or within |current| if already over. */
export const maxUnitsWithin = (current: number, perUnit: number, limit: number): number => {
  if (perUnit === 0 || !Number.isFinite(perUnit)) return Number.POSITIVE_INFINITY;
  const bound = Math.max(limit, Math.abs(current));
  const q = perUnit > 0 ? (bound - current) / perUnit : (-bound - current) / perUnit;
  return Math.max(0, Math.floor(q + 1e-9));
};

const dollars = (cents: number) => `$${(cents / 100).toFixed(2)}`;

/**
 * Decides one trade: hard rejections first (state, daily loss, counts, confidence), then sizing
 * (2% of equity per trade, regime and confidence multipliers, REDUCING cut) and then every cap that
 * can only shrink the size. A trade that cannot be sized to one unit inside every limit is rejected
 * — the seeds' "at least 1 contract" would break the 2% rule, and no accepted order may break a limit.
 */
export const evaluateTrade = (c: TradeCandidate, e: Exposure, l: RiskLimits): RiskVerdict => {
  const tradingState = tradingStateOf(e, l);
  const reject = (...reasons: string[]): RiskVerdict => ({
    accepted: false,
    quantity: 0,
    reasons,
    tradingState,
  });
  if (tradingState === "HALTED")
    return reject(
      `trading halted: drawdown ${(drawdownOf(e) * 100).toFixed(1)}% reached the ${l.maxDrawdown * 100}% limit`,
    );
  if (e.equityCents <= 0) return reject("no equity");
  const dayLoss =
    e.dayStartEquityCents > 0 ? (e.dayStartEquityCents - e.equityCents) / e.dayStartEquityCents : 0;
  if (dayLoss >= l.maxDailyLoss)
    return reject(`daily loss ${(dayLoss * 100).toFixed(2)}% reached the ${l.maxDailyLoss * 100}% limit`);
  if (e.openPositions >= l.maxPositions)
    return reject(`max positions: ${e.openPositions} open, limit ${l.maxPositions}`);
  const sameName = e.positionsByUnderlying.get(c.underlying) ?? 0;
  if (sameName >= l.maxPositionsPerUnderlying)
    return reject(
      `concentration: ${sameName} position(s) in ${c.underlying}, limit ${l.maxPositionsPerUnderlying}`,
    );
  if (c.confidence < l.minConfidence)
    return reject(`confidence ${c.confidence.toFixed(3)} below ${l.minConfidence}`);
  const regimeMultiplier = l.regimeMultipliers[c.regime];
  if (regimeMultiplier <= 0) return reject(`regime ${c.regime} sizes to zero`);
  if (!(c.maxRiskPerUnitCents > 0)) return reject("signal has no positive max risk");

  const reasons: string[] = [];
  const budget = e.equityCents * l.maxRiskPerTrade;
  let q = Math.floor(budget / c.maxRiskPerUnitCents);
  if (q < 1)
    return reject(
      `one unit risks ${dollars(c.maxRiskPerUnitCents)}, more than ${l.maxRiskPerTrade * 100}% of equity (${dollars(Math.floor(budget))})`,
    );
  q = Math.floor(q * regimeMultiplier);
  if (regimeMultiplier !== 1) reasons.push(`regime ${c.regime} x${regimeMultiplier}`);
  if (q >= 1 && c.confidence < l.halfSizeConfidence) {
    q = Math.max(1, Math.floor(q * 0.5));
    reasons.push(`confidence ${c.confidence.toFixed(3)} < ${l.halfSizeConfidence}: half size`);
  }
  if (tradingState === "REDUCING") {
    q = Math.floor(q * l.reducingSizeFactor);
    reasons.push(`REDUCING: size x${l.reducingSizeFactor}`);
  }
  if (q < 1) return reject(...reasons, "sized to zero");

  const cap = (units: number, why: string) => {
    if (units < q) {
      q = Math.max(0, units);
      reasons.push(`capped to ${q} by ${why}`);
    }
  };
  const riskRoom = e.equityCents * l.maxPortfolioRisk - e.openRiskCents;
  cap(Math.floor(riskRoom / c.maxRiskPerUnitCents), `portfolio risk cap ${l.maxPortfolioRisk * 100}%`);
  const groupRoom = e.equityCents * l.maxGroupRisk - (e.riskByGroupCents.get(c.group) ?? 0);
  cap(
    Math.floor(groupRoom / c.maxRiskPerUnitCents),
    `correlation group '${c.group}' risk cap ${l.maxGroupRisk * 100}%`,
  );
  cap(
    maxUnitsWithin(e.greeks.delta, c.greeksPerUnit.delta, l.maxPortfolioDelta),
    `portfolio delta limit ${l.maxPortfolioDelta}`,
  );
  cap(
    maxUnitsWithin(e.greeks.gamma, c.greeksPerUnit.gamma, l.maxPortfolioGamma),
    `portfolio gamma limit ${l.maxPortfolioGamma}`,
  );
  cap(
    maxUnitsWithin(e.greeks.vega, c.greeksPerUnit.vega, l.maxPortfolioVega),
    `portfolio vega limit ${l.maxPortfolioVega}`,
  );
  if (q < 1) return reject(...reasons);
  return {
    accepted: true,
    quantity: q,
    reasons: reasons.length > 0 ? reasons : ["all checks passed"],
    tradingState,
  };
};
