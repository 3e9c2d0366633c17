import type { Leg, OptionQuote } from "@thetaflow/schemas";
import { Schema } from "effect";
import { toCents } from "./money.js";

const Dollars = Schema.Number.pipe(Schema.finite(), Schema.nonNegative());

/** Paper execution model: fills at the displayed bid/ask, worse by slippage, plus commissions. */
export const FillModelParams = {
  /** Price concession per leg per share beyond the touch (dollars). */
  slippagePerLeg: Schema.optionalWith(Dollars, { default: () => 0.01 }),
  /** Commission per contract and per leg of each fill (dollars). */
  commissionPerContract: Schema.optionalWith(Dollars, { default: () => 0.65 }),
  commissionPerLeg: Schema.optionalWith(Dollars, { default: () => 0 }),
  /** How much worse than the natural combo price an order's limit tolerates, per leg per share. */
  limitTolerancePerLeg: Schema.optionalWith(Dollars, { default: () => 0.02 }),
} as const;
const FillModelSchema = Schema.Struct(FillModelParams);
export type FillModel = typeof FillModelSchema.Type;

export type QuoteLookup = (contract: string) => OptionQuote | undefined;

export interface LegExecution {
  readonly leg: Leg;
  readonly quote: OptionQuote;
  /** Price this leg trades at per share, slippage included. */
  readonly price: number;
}

export interface ComboQuote {
  /** Net per unit per share at the touch: positive = credit. Sells at the bid, buys at the ask. */
  readonly natural: number;
  /** Net after slippage: what a marketable order would get now. */
  readonly executable: number;
  readonly legs: readonly LegExecution[];
  /** Units the displayed sizes allow; Infinity when the venue shows no size. */
  readonly displayedUnits: number;
}

/** Prices a combo from the book; the reason names the first leg that cannot trade. */
export const quoteCombo = (
  legs: readonly Leg[],
  quoteOf: QuoteLookup,
  model: FillModel,
): { readonly ok: true; readonly combo: ComboQuote } | { readonly ok: false; readonly reason: string } => {
  let natural = 0;
  let executable = 0;
  let displayedUnits = Number.POSITIVE_INFINITY;
  const executions: LegExecution[] = [];
  for (const leg of legs) {
    const q = quoteOf(leg.contract);
    if (q === undefined) return { ok: false, reason: `no quote for ${leg.contract}` };
    const touch = leg.side === "sell" ? q.bid : q.ask;
    if (leg.side === "buy" && !(q.ask > 0)) return { ok: false, reason: `no offer for ${leg.contract}` };
    const price =
      leg.side === "sell" ? Math.max(0, q.bid - model.slippagePerLeg) : q.ask + model.slippagePerLeg;
    const sign = leg.side === "sell" ? 1 : -1;
    natural += sign * touch * leg.ratio;
    executable += sign * price * leg.ratio;
    // A venue that shows no size (0 after decoding a missing field) does not limit the fill.
    const size = leg.side === "sell" ? q.bidSize : q.askSize;
    if (size > 0) displayedUnits = Math.min(displayedUnits, Math.floor(size / leg.ratio));
    executions.push({ leg, quote: q, price });
  }
  return {
    ok: true,
    combo: { natural: round6(natural), executable: round6(executable), legs: executions, displayedUnits },
  };
};

/** Limit for a new order: the natural price less the tolerated concession (never a mid-price hope). */
export const limitFromQuote = (combo: ComboQuote, legCount: number, model: FillModel): number =>
  round6(combo.natural - model.limitTolerancePerLeg * legCount);

export interface ComboFill {
  readonly units: number;
  readonly netPrice: number;
  readonly legs: readonly LegExecution[];
  /** Commission of each leg (same order as `legs`), integer cents. */
  readonly legCommissionCents: readonly number[];
  readonly commissionCents: number;
}

/**
 * Fills up to `units` of a combo as one package (all legs or none) when its executable net price is
 * at least the limit (credit-positive convention: a debit order's limit is negative). Partial fills
 * come only from displayed size.
 */
export const fillCombo = (
  legs: readonly Leg[],
  units: number,
  limitPrice: number,
  quoteOf: QuoteLookup,
  model: FillModel,
): { readonly ok: true; readonly fill: ComboFill } | { readonly ok: false; readonly reason: string } => {
  const priced = quoteCombo(legs, quoteOf, model);
  if (!priced.ok) return priced;
  const { combo } = priced;
  if (combo.executable < limitPrice - 1e-9)
    return {
      ok: false,
      reason: `not marketable: executable ${combo.executable.toFixed(2)} vs limit ${limitPrice.toFixed(2)}`,
    };
  const fillUnits = Math.min(units, combo.displayedUnits);
  if (fillUnits < 1) return { ok: false, reason: "no displayed size" };
  const legCommissionCents = combo.legs.map((x) =>
    toCents(model.commissionPerContract * x.leg.ratio * fillUnits + model.commissionPerLeg),
  );
  return {
    ok: true,
    fill: {
      units: fillUnits,
      netPrice: combo.executable,
      legs: combo.legs,
      legCommissionCents,
      commissionCents: legCommissionCents.reduce((a, b) => a + b, 0),
    },
  };
};

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;
