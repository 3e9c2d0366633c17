import type { LegBook } from "./positionBook.js";

/** What happened to one leg at expiration. */
export interface LegSettlement {
  readonly contract: string;
  /** Intrinsic value per share at the settlement price: the price the leg closes at. */
  readonly price: number;
  readonly outcome: "exercised" | "assigned" | "expired_worthless";
  /** Shares delivered (+ received, - delivered); 0 when cash-settled or worthless. */
  readonly shares: number;
  readonly pinRisk: boolean;
}

/** OCC exercise-by-exception threshold: contracts in the money by at least $0.01 are exercised. */
const EXERCISE_THRESHOLD = 0.01;

/**
 * Settles one leg at its expiration against the underlying's settlement price. In-the-money long
 * legs are exercised and short legs assigned automatically; out-of-the-money legs expire worthless.
 * Physical settlement delivers shares, which the backtest liquidates at the same settlement price,
 * so the cash result equals intrinsic value either way — the delivery is recorded in the outcome.
 * A short strike within `pinBand` of the settlement price is flagged: whether it is assigned is
 * then uncertain, and the real position may wake up holding shares.
 */
export const settleLeg = (leg: LegBook, settlementPrice: number, pinBand: number): LegSettlement => {
  const intrinsic = Math.max(
    0,
    leg.right === "call" ? settlementPrice - leg.strike : leg.strike - settlementPrice,
  );
  const itm = intrinsic >= EXERCISE_THRESHOLD;
  const pinRisk = leg.contracts < 0 && Math.abs(settlementPrice - leg.strike) <= pinBand * leg.strike;
  if (!itm) return { contract: leg.contract, price: 0, outcome: "expired_worthless", shares: 0, pinRisk };
  const outcome = leg.contracts > 0 ? "exercised" : "assigned";
  // A long call / short put receives shares; a long put / short call delivers them.
  const direction = (leg.right === "call" ? 1 : -1) * Math.sign(leg.contracts);
  const shares = leg.settlement === "cash" ? 0 : direction * Math.abs(leg.contracts) * leg.multiplier;
  return { contract: leg.contract, price: Math.round(intrinsic * 1e6) / 1e6, outcome, shares, pinRisk };
};

export const describeSettlement = (s: LegSettlement, settlementPrice: number): string => {
  const delivery =
    s.shares === 0
      ? ""
      : ` (${s.shares > 0 ? "received" : "delivered"} ${Math.abs(s.shares)} shares at ${settlementPrice.toFixed(2)}, liquidated at settlement)`;
  return `${s.contract.trim()} ${s.outcome}${s.outcome === "expired_worthless" ? "" : ` at intrinsic ${s.price.toFixed(2)}`}${delivery}${s.pinRisk ? " [pin risk]" : ""}`;
};
