import { formatOcc } from "@thetaflow/schemas";

/** One row of IB's answer to reqSecDefOptParams: what one exchange lists for one trading class. */
export interface OptionChainRow {
  readonly exchange: string;
  /** The OCC root of these contracts (e.g. SPX and SPXW list different expirations). */
  readonly tradingClass: string;
  readonly multiplier: number;
  /** YYYYMMDD, as IB sends them. */
  readonly expirations: readonly string[];
  readonly strikes: readonly number[];
}

/** Which listed contracts a feed subscribes: IB allows ~100 market-data lines by default. */
export interface ChainSelection {
  /** Expirations from today up to this many calendar days ahead. */
  readonly maxDte: number;
  /** Strikes within this fraction of spot (0.1 = ±10 %). */
  readonly moneyness: number;
  /** At most this many contracts (call and put pairs), the strikes nearest spot in every expiry first. */
  readonly maxContracts: number;
}

export const DEFAULT_CHAIN_SELECTION: ChainSelection = { maxDte: 45, moneyness: 0.1, maxContracts: 90 };

const DAY_MS = 86_400_000;
const isoOf = (yyyymmdd: string): string | undefined =>
  /^\d{8}$/.test(yyyymmdd)
    ? `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}`
    : undefined;

/**
 * The OCC symbols to subscribe for one underlying: IB's SMART rows (any exchange's when there is no
 * SMART row), expirations within `maxDte` days of `todayIso`, strikes within `moneyness` of `spot`,
 * nearest the money across the window first, cut at `maxContracts` (call and put pairs), returned by
 * expiry and strike. Deterministic: the same listing, spot and day give the same contracts in order.
 */
export const selectChainContracts = (
  rows: readonly OptionChainRow[],
  spot: number,
  todayIso: string,
  selection: ChainSelection,
): string[] => {
  const smart = rows.filter((r) => r.exchange === "SMART");
  const listed = smart.length > 0 ? smart : rows;
  const today = Date.parse(todayIso);
  // An expiry listed by several trading classes keeps the first one's root (IB's order).
  const rootOf = new Map<string, { root: string; strikes: readonly number[] }>();
  for (const r of listed)
    for (const e of r.expirations) {
      const iso = isoOf(e);
      if (iso === undefined || rootOf.has(iso)) continue;
      const dte = (Date.parse(iso) - today) / DAY_MS;
      if (dte >= 0 && dte <= selection.maxDte) rootOf.set(iso, { root: r.tradingClass, strikes: r.strikes });
    }
  // Every expiry's nearest strike first, then every expiry's second nearest, ...: the budget covers
  // the whole window near the money instead of one expiry's wings.
  const candidates: { expiry: string; root: string; strike: number; rank: number }[] = [];
  for (const [expiry, { root, strikes }] of rootOf) {
    const near = [...new Set(strikes)]
      .filter((k) => k > 0 && Math.abs(k / spot - 1) <= selection.moneyness)
      .sort((a, b) => Math.abs(a - spot) - Math.abs(b - spot) || a - b);
    for (const [rank, strike] of near.entries()) candidates.push({ expiry, root, strike, rank });
  }
  candidates.sort((a, b) => a.rank - b.rank || a.expiry.localeCompare(b.expiry));
  const chosen = candidates
    .slice(0, Math.floor(selection.maxContracts / 2))
    .sort((a, b) => a.expiry.localeCompare(b.expiry) || a.strike - b.strike);
  return chosen.flatMap((c) => [
    formatOcc(c.root, c.expiry, "call", c.strike),
    formatOcc(c.root, c.expiry, "put", c.strike),
  ]);
};
