import type { Greeks, OptionQuote } from "@thetaflow/schemas";
import { daysFromIso, nyDayNumber } from "../calendar/nyTime.js";

/**
 * What one complete option chain (one underlying, one event time) says about implied volatility:
 * ATM IV per expiry and at constant maturities, 25-delta skew, term structure, the ATM straddle's
 * expected move, the ATM contracts' details and the chain's volume/open-interest totals. Computed once
 * per chain from the contracts seen at that time — no history involved.
 */
export interface ChainSummaryOptions {
  /** Constant maturity (calendar days) of `iv_atm`; the others give iv_60d / iv_90d. */
  readonly atmDays: number;
  /** Expiries closer than this (calendar days) are left out of the surface: their IV is mostly noise. */
  readonly minDte: number;
  /** The expiry nearest this DTE supplies the ATM contract details, the straddle and iv_skew. */
  readonly targetDte: number;
  /** Delta of the wings for skew (0.25 = 25-delta put and call). */
  readonly wingDelta: number;
  /** Strikes further than this fraction from spot never count as at-the-money. */
  readonly maxAtmDistance: number;
}

export type SummaryValues = Record<string, number | null>;

interface ExpirySlice {
  readonly expiry: string;
  readonly dte: number;
  readonly tYears: number;
  readonly atmIv: number | null;
  readonly putWingIv: number | null;
  readonly callWingIv: number | null;
  readonly atmCall: Greeks | undefined;
  readonly atmPut: Greeks | undefined;
}

/** Linear interpolation of y at x between (x0, y0) and (x1, y1); the nearer end when x0 == x1. */
const lerp = (x: number, x0: number, y0: number, x1: number, y1: number): number =>
  x1 === x0 ? y0 : y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);

/** IV at `spot` interpolated in strike between the strikes around it (call/put IVs averaged per strike). */
const atmIvOf = (contracts: readonly Greeks[], spot: number, maxDistance: number): number | null => {
  const byStrike = new Map<number, { sum: number; n: number }>();
  for (const g of contracts) {
    if (g.iv === null) continue;
    const e = byStrike.get(g.strike);
    if (e === undefined) byStrike.set(g.strike, { sum: g.iv, n: 1 });
    else byStrike.set(g.strike, { sum: e.sum + g.iv, n: e.n + 1 });
  }
  let lo = -Infinity;
  let hi = Infinity;
  for (const k of byStrike.keys()) {
    if (k <= spot && k > lo) lo = k;
    if (k >= spot && k < hi) hi = k;
  }
  const ivAt = (k: number) => {
    const e = byStrike.get(k)!;
    return e.sum / e.n;
  };
  const near = (k: number) => Number.isFinite(k) && Math.abs(k - spot) <= maxDistance * spot;
  if (near(lo) && near(hi)) return lerp(spot, lo, ivAt(lo), hi, ivAt(hi));
  if (near(lo)) return ivAt(lo);
  if (near(hi)) return ivAt(hi);
  return null;
};

/** IV at a target delta, interpolated in delta between the two contracts of one right around it. */
const wingIvOf = (contracts: readonly Greeks[], right: "call" | "put", target: number): number | null => {
  let below: Greeks | undefined;
  let above: Greeks | undefined;
  for (const g of contracts) {
    if (g.right !== right || g.iv === null || g.delta === null) continue;
    if (g.delta <= target && (below === undefined || g.delta > below.delta!)) below = g;
    if (g.delta >= target && (above === undefined || g.delta < above.delta!)) above = g;
  }
  if (below === undefined || above === undefined) return null;
  return lerp(target, below.delta!, below.iv!, above.delta!, above.iv!);
};

/** The contract of a right whose strike is nearest spot, among those with an IV. */
const atmContract = (
  contracts: readonly Greeks[],
  right: "call" | "put",
  spot: number,
): Greeks | undefined => {
  let best: Greeks | undefined;
  for (const g of contracts) {
    if (g.right !== right || g.iv === null) continue;
    if (best === undefined || Math.abs(g.strike - spot) < Math.abs(best.strike - spot)) best = g;
  }
  return best;
};

/** ATM IV at a constant maturity: linear in total variance σ²t between the expiries around it, flat outside. */
export const constantMaturityIv = (
  slices: readonly { tYears: number; iv: number }[],
  tYears: number,
): number | null => {
  if (slices.length === 0) return null;
  let below: { tYears: number; iv: number } | undefined;
  let above: { tYears: number; iv: number } | undefined;
  for (const s of slices) {
    if (s.tYears <= tYears && (below === undefined || s.tYears > below.tYears)) below = s;
    if (s.tYears >= tYears && (above === undefined || s.tYears < above.tYears)) above = s;
  }
  if (below === undefined) return above!.iv;
  if (above === undefined) return below.iv;
  if (above.tYears === below.tYears) return below.iv;
  const w = lerp(
    tYears,
    below.tYears,
    below.iv * below.iv * below.tYears,
    above.tYears,
    above.iv * above.iv * above.tYears,
  );
  return w > 0 ? Math.sqrt(w / tYears) : null;
};

/** A value linear in time between the slices around `tYears`, flat outside. */
const constantMaturityLinear = (
  slices: readonly { tYears: number; v: number }[],
  tYears: number,
): number | null => {
  if (slices.length === 0) return null;
  let below: { tYears: number; v: number } | undefined;
  let above: { tYears: number; v: number } | undefined;
  for (const s of slices) {
    if (s.tYears <= tYears && (below === undefined || s.tYears > below.tYears)) below = s;
    if (s.tYears >= tYears && (above === undefined || s.tYears < above.tYears)) above = s;
  }
  if (below === undefined) return above!.v;
  if (above === undefined) return below.v;
  return lerp(tYears, below.tYears, below.v, above.tYears, above.v);
};

const ratio = (a: number | null, b: number | null): number | null =>
  a === null || b === null || b === 0 || !Number.isFinite(a / b) ? null : a / b;

const log1pOrNull = (x: number | undefined): number | null => (x === undefined ? null : Math.log1p(x));

/** The seeds' per-contract option features for one ATM contract, under `prefix`. */
const contractFeatures = (
  prefix: string,
  g: Greeks | undefined,
  q: OptionQuote | undefined,
  out: SummaryValues,
): void => {
  const set = (name: string, v: number | null | undefined) => {
    out[`${prefix}${name}`] = v === undefined || v === null || !Number.isFinite(v) ? null : v;
  };
  const spot = g?.spot;
  const price = g?.mid ?? null;
  const intrinsic =
    g === undefined || spot === undefined
      ? null
      : Math.max(g.right === "call" ? spot - g.strike : g.strike - spot, 0);
  const timeValue = price === null || intrinsic === null ? null : price - intrinsic;
  set("delta", g?.delta);
  set("gamma", g?.gamma);
  set("vega", g?.vega);
  set("theta", g?.theta);
  set("moneyness", g && spot ? g.strike / spot : null);
  set("log_moneyness", g && spot ? Math.log(g.strike / spot) : null);
  set("abs_moneyness", g && spot ? Math.abs(g.strike - spot) / spot : null);
  set("gamma_scaled", g?.gamma != null && spot ? g.gamma * spot * spot : null);
  set("vega_pct", g?.vega != null ? ratio(g.vega, price) : null);
  set("delta_strike_ratio", g?.delta != null && spot ? g.delta / (g.strike / spot) : null);
  set("time_value", timeValue);
  set("time_value_pct", ratio(timeValue, price));
  set("theta_per_day_normalized", g?.theta != null ? ratio(g.theta / 365, timeValue) : null);
  set("bid_ask_spread_pct", q && price ? (q.ask - q.bid) / price : null);
  set("volume_oi_ratio", q ? ratio(q.volume, q.openInterest) : null);
  set("log_volume", log1pOrNull(q?.volume));
  set("log_open_interest", log1pOrNull(q?.openInterest));
  set("vendor_iv_diff", g?.iv != null && g.vendor?.iv !== undefined ? g.iv - g.vendor.iv : null);
};

export const CONTRACT_FEATURE_NAMES = [
  "delta",
  "gamma",
  "vega",
  "theta",
  "moneyness",
  "log_moneyness",
  "abs_moneyness",
  "gamma_scaled",
  "vega_pct",
  "delta_strike_ratio",
  "time_value",
  "time_value_pct",
  "theta_per_day_normalized",
  "bid_ask_spread_pct",
  "volume_oi_ratio",
  "log_volume",
  "log_open_interest",
  "vendor_iv_diff",
] as const;

/**
 * Summarises one chain. `greeks` are the chain's analytics, `quotes` its raw quotes (volume, open
 * interest, bid/ask), both at `eventTime`; `spot` the underlying price at that time.
 */
export const summarizeChain = (
  eventTime: number,
  spot: number | null,
  greeks: readonly Greeks[],
  quotes: readonly OptionQuote[],
  o: ChainSummaryOptions,
): SummaryValues => {
  const out: SummaryValues = {};
  const today = nyDayNumber(eventTime);
  const s = spot ?? greeks[0]?.spot ?? null;

  let callVolume = 0;
  let putVolume = 0;
  let callOi = 0;
  let putOi = 0;
  for (const q of quotes) {
    if (q.right === "call") {
      callVolume += q.volume;
      callOi += q.openInterest;
    } else {
      putVolume += q.volume;
      putOi += q.openInterest;
    }
  }
  const hasQuotes = quotes.length > 0;
  out.call_volume = hasQuotes ? callVolume : null;
  out.put_volume = hasQuotes ? putVolume : null;
  out.option_volume_total = hasQuotes ? callVolume + putVolume : null;
  out.call_oi = hasQuotes ? callOi : null;
  out.put_oi = hasQuotes ? putOi : null;
  out.open_interest = hasQuotes ? callOi + putOi : null;
  out.put_call_volume_ratio = hasQuotes ? ratio(putVolume, callVolume) : null;
  out.put_call_oi_ratio = hasQuotes ? ratio(putOi, callOi) : null;
  out.oi_ratio = hasQuotes ? ratio(callVolume + putVolume, callOi + putOi) : null;
  out.chain_contracts = greeks.length;
  out.chain_iv_ok_share =
    greeks.length > 0 ? greeks.filter((g) => g.iv !== null).length / greeks.length : null;

  const byExpiry = new Map<string, Greeks[]>();
  for (const g of greeks) {
    const list = byExpiry.get(g.expiry);
    if (list === undefined) byExpiry.set(g.expiry, [g]);
    else list.push(g);
  }
  const slices: ExpirySlice[] = [];
  if (s !== null) {
    for (const [expiry, contracts] of byExpiry) {
      const dte = daysFromIso(expiry) - today;
      if (!(dte >= o.minDte)) continue;
      slices.push({
        expiry,
        dte,
        tYears: contracts[0]!.tYears,
        atmIv: atmIvOf(contracts, s, o.maxAtmDistance),
        putWingIv: wingIvOf(contracts, "put", -o.wingDelta),
        callWingIv: wingIvOf(contracts, "call", o.wingDelta),
        atmCall: atmContract(contracts, "call", s),
        atmPut: atmContract(contracts, "put", s),
      });
    }
  }
  // Map iteration follows arrival order; sort so the result never depends on quote order.
  slices.sort((a, b) => a.dte - b.dte || (a.expiry < b.expiry ? -1 : 1));

  const atm = slices.flatMap((x) => (x.atmIv === null ? [] : [{ tYears: x.tYears, iv: x.atmIv }]));
  const years = (days: number) => days / 365;
  out.iv_atm = constantMaturityIv(atm, years(o.atmDays));
  out.iv_60d = constantMaturityIv(atm, years(60));
  out.iv_90d = constantMaturityIv(atm, years(90));
  out.iv_term_structure = out.iv_60d !== null && out.iv_atm !== null ? out.iv_60d - out.iv_atm : null;
  out.iv_term_slope =
    out.iv_90d !== null && out.iv_atm !== null ? (out.iv_90d - out.iv_atm) / years(90 - o.atmDays) : null;
  const front = slices.find((x) => x.atmIv !== null);
  out.front_iv_atm = front?.atmIv ?? null;
  out.front_dte = slices[0]?.dte ?? null;

  const wings = slices.flatMap((x) =>
    x.putWingIv === null || x.callWingIv === null
      ? []
      : [{ tYears: x.tYears, put: x.putWingIv, call: x.callWingIv }],
  );
  const at = years(o.atmDays);
  out.iv_otm25 = constantMaturityLinear(
    wings.map((w) => ({ tYears: w.tYears, v: w.put })),
    at,
  );
  out.iv_itm25 = constantMaturityLinear(
    wings.map((w) => ({ tYears: w.tYears, v: w.call })),
    at,
  );
  out.skew_25d = out.iv_otm25 !== null && out.iv_itm25 !== null ? out.iv_otm25 - out.iv_itm25 : null;

  let target: ExpirySlice | undefined;
  for (const x of slices) {
    if (x.atmCall === undefined && x.atmPut === undefined) continue;
    if (target === undefined || Math.abs(x.dte - o.targetDte) < Math.abs(target.dte - o.targetDte))
      target = x;
  }
  out.target_dte = target?.dte ?? null;
  const quoteOf = (g: Greeks | undefined) =>
    g === undefined ? undefined : quotes.find((q) => q.contract === g.contract);
  const call = target?.atmCall;
  const put = target?.atmPut;
  contractFeatures("atm_call_", call, quoteOf(call), out);
  contractFeatures("atm_put_", put, quoteOf(put), out);
  out.iv_call = call?.iv ?? null;
  out.iv_put = put?.iv ?? null;
  out.iv_skew = put?.iv != null && call?.iv != null && put.strike === call.strike ? put.iv - call.iv : null;
  const straddle = straddleOf(target, s);
  out.straddle_price = straddle;
  out.expected_move_pct = straddle !== null && s !== null ? straddle / s : null;
  const frontStraddle = straddleOf(
    slices.find((x) => x.atmCall !== undefined && x.atmPut !== undefined),
    s,
  );
  out.expected_move_front_pct = frontStraddle !== null && s !== null ? frontStraddle / s : null;
  return out;
};

/** Call mid + put mid at the ATM strike of one expiry (both legs at the same strike), else null. */
const straddleOf = (slice: ExpirySlice | undefined, spot: number | null): number | null => {
  if (slice === undefined || spot === null) return null;
  const c = slice.atmCall;
  const p = slice.atmPut;
  if (c === undefined || p === undefined || c.strike !== p.strike || c.mid === null || p.mid === null)
    return null;
  return c.mid + p.mid;
};
