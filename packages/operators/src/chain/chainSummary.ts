import type { Greeks, OptionQuote } from "@thetaflow/schemas";
import { daysFromIso, nyDayNumber } from "../calendar/nyTime.js";
import {
  appendGreeks,
  appendQuote,
  emptyGreeksRows,
  emptyQuoteRows,
  type GreeksRows,
  type QuoteRows,
} from "./chainRows.js";

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
  /** Row of the ATM call / put, -1 when none. */
  readonly atmCall: number;
  readonly atmPut: number;
}

/** One chain as columns: the first `greeksCount` rows of `greeks` and `quoteCount` rows of `quotes`. */
export interface ChainView {
  readonly greeks: GreeksRows;
  readonly greeksCount: number;
  readonly quotes: QuoteRows;
  readonly quoteCount: number;
}

/** Linear interpolation of y at x between (x0, y0) and (x1, y1); the nearer end when x0 == x1. */
const lerp = (x: number, x0: number, y0: number, x1: number, y1: number): number =>
  x1 === x0 ? y0 : y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);

/** What one expiry's rows say: the strikes around spot, the wing contracts and the ATM contracts. */
interface ExpiryScan {
  /** Strikes with an IV nearest spot from below / above (±Infinity when none). */
  lo: number;
  hi: number;
  /** Rows around the wing delta, per right (-1 when none). */
  putBelow: number;
  putAbove: number;
  callBelow: number;
  callAbove: number;
  /** Row of the contract of each right whose strike is nearest spot, among those with an IV. */
  atmCall: number;
  atmPut: number;
}

/**
 * One pass over an expiry's rows (in arrival order) for every per-contract choice the summary makes.
 * Each choice is its own reduction with the tie rule it always had (the first row wins), so one pass
 * gives exactly what a pass per choice gave, in a seventh of the row visits.
 */
const scanExpiry = (
  g: GreeksRows,
  rows: Int32Array,
  from: number,
  to: number,
  spot: number,
  wingDelta: number,
): ExpiryScan => {
  const r: ExpiryScan = {
    lo: -Infinity,
    hi: Infinity,
    putBelow: -1,
    putAbove: -1,
    callBelow: -1,
    callAbove: -1,
    atmCall: -1,
    atmPut: -1,
  };
  const putTarget = -wingDelta;
  for (let j = from; j < to; j++) {
    const i = rows[j]!;
    if (Number.isNaN(g.iv[i]!)) continue;
    const k = g.strike[i]!;
    if (k <= spot && k > r.lo) r.lo = k;
    if (k >= spot && k < r.hi) r.hi = k;
    const call = g.call[i] === 1;
    if (call) {
      if (r.atmCall === -1 || Math.abs(k - spot) < Math.abs(g.strike[r.atmCall]! - spot)) r.atmCall = i;
    } else if (r.atmPut === -1 || Math.abs(k - spot) < Math.abs(g.strike[r.atmPut]! - spot)) r.atmPut = i;
    const delta = g.delta[i]!;
    if (Number.isNaN(delta)) continue;
    if (call) {
      if (delta <= wingDelta && (r.callBelow === -1 || delta > g.delta[r.callBelow]!)) r.callBelow = i;
      if (delta >= wingDelta && (r.callAbove === -1 || delta < g.delta[r.callAbove]!)) r.callAbove = i;
    } else {
      if (delta <= putTarget && (r.putBelow === -1 || delta > g.delta[r.putBelow]!)) r.putBelow = i;
      if (delta >= putTarget && (r.putAbove === -1 || delta < g.delta[r.putAbove]!)) r.putAbove = i;
    }
  }
  return r;
};

/**
 * IV at `spot` interpolated in strike between the strikes around it (call/put IVs averaged per strike,
 * summed in arrival order). `rows` are one expiry's rows in arrival order.
 */
const atmIvOf = (
  g: GreeksRows,
  rows: Int32Array,
  from: number,
  to: number,
  scan: ExpiryScan,
  spot: number,
  maxDistance: number,
): number | null => {
  const { lo, hi } = scan;
  const near = (k: number) => Number.isFinite(k) && Math.abs(k - spot) <= maxDistance * spot;
  const nearLo = near(lo);
  const nearHi = near(hi);
  if (!nearLo && !nearHi) return null;
  // Both strikes' IV sums in one pass, each in arrival order.
  let loSum = 0;
  let loN = 0;
  let hiSum = 0;
  let hiN = 0;
  for (let j = from; j < to; j++) {
    const i = rows[j]!;
    const iv = g.iv[i]!;
    if (Number.isNaN(iv)) continue;
    const k = g.strike[i]!;
    if (k === lo) {
      loSum = loN === 0 ? iv : loSum + iv;
      loN++;
    }
    if (k === hi) {
      hiSum = hiN === 0 ? iv : hiSum + iv;
      hiN++;
    }
  }
  if (nearLo && nearHi) return lerp(spot, lo, loSum / loN, hi, hiSum / hiN);
  return nearLo ? loSum / loN : hiSum / hiN;
};

/** IV at a target delta, interpolated in delta between the two contracts of one right around it. */
const wingIvOf = (g: GreeksRows, below: number, above: number, target: number): number | null =>
  below === -1 || above === -1
    ? null
    : lerp(target, g.delta[below]!, g.iv[below]!, g.delta[above]!, g.iv[above]!);

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

type ContractFeatureName = (typeof CONTRACT_FEATURE_NAMES)[number];
type ContractFeatureKeys = Readonly<Record<ContractFeatureName, string>>;

/** Output keys per prefix, built once: a key concatenated per chain had to be hashed into the string table each time. */
const contractFeatureKeys = (prefix: string): ContractFeatureKeys =>
  Object.fromEntries(CONTRACT_FEATURE_NAMES.map((name) => [name, `${prefix}${name}`])) as ContractFeatureKeys;
const ATM_CALL_KEYS = contractFeatureKeys("atm_call_");
const ATM_PUT_KEYS = contractFeatureKeys("atm_put_");

/** The seeds' per-contract option features for one ATM contract (row `i`, -1 = none), under `keys`. */
const contractFeatures = (keys: ContractFeatureKeys, c: ChainView, i: number, out: SummaryValues): void => {
  const set = (name: ContractFeatureName, v: number | null | undefined) => {
    out[keys[name]] = v === undefined || v === null || !Number.isFinite(v) ? null : v;
  };
  const g = c.greeks;
  const has = i >= 0;
  const q = has ? quoteRowOf(c, g.contract[i]!) : -1;
  const hasQ = q >= 0;
  const qr = c.quotes;
  const nullIfNaN = (x: number) => (Number.isNaN(x) ? null : x);
  const spot = has ? g.spot[i]! : undefined;
  const strike = has ? g.strike[i]! : Number.NaN;
  const delta = has ? nullIfNaN(g.delta[i]!) : null;
  const gamma = has ? nullIfNaN(g.gamma[i]!) : null;
  const vega = has ? nullIfNaN(g.vega[i]!) : null;
  const theta = has ? nullIfNaN(g.theta[i]!) : null;
  const iv = has ? nullIfNaN(g.iv[i]!) : null;
  const price = has ? nullIfNaN(g.mid[i]!) : null;
  const intrinsic =
    !has || spot === undefined ? null : Math.max(g.call[i] === 1 ? spot - strike : strike - spot, 0);
  const timeValue = price === null || intrinsic === null ? null : price - intrinsic;
  set("delta", delta);
  set("gamma", gamma);
  set("vega", vega);
  set("theta", theta);
  set("moneyness", has && spot ? strike / spot : null);
  set("log_moneyness", has && spot ? Math.log(strike / spot) : null);
  set("abs_moneyness", has && spot ? Math.abs(strike - spot) / spot : null);
  set("gamma_scaled", gamma !== null && spot ? gamma * spot * spot : null);
  set("vega_pct", vega !== null ? ratio(vega, price) : null);
  set("delta_strike_ratio", delta !== null && spot ? delta / (strike / spot) : null);
  set("time_value", timeValue);
  set("time_value_pct", ratio(timeValue, price));
  set("theta_per_day_normalized", theta !== null ? ratio(theta / 365, timeValue) : null);
  set("bid_ask_spread_pct", hasQ && price ? (qr.ask[q]! - qr.bid[q]!) / price : null);
  set("volume_oi_ratio", hasQ ? ratio(qr.volume[q]!, qr.openInterest[q]!) : null);
  set("log_volume", log1pOrNull(hasQ ? qr.volume[q]! : undefined));
  set("log_open_interest", log1pOrNull(hasQ ? qr.openInterest[q]! : undefined));
  set("vendor_iv_diff", iv !== null && has ? iv - g.vendorIv[i]! : null);
};

/** First quote row of a contract (the chain's quotes carry volume, open interest and bid/ask); -1 if none. */
const quoteRowOf = (c: ChainView, contract: string): number => {
  for (let j = 0; j < c.quoteCount; j++) if (c.quotes.contract[j] === contract) return j;
  return -1;
};

/**
 * Summarises one chain given as event arrays: `greeks` are the chain's analytics, `quotes` its raw
 * quotes (volume, open interest, bid/ask), both at `eventTime`; `spot` the underlying price at that time.
 */
export const summarizeChain = (
  eventTime: number,
  spot: number | null,
  greeks: readonly Greeks[],
  quotes: readonly OptionQuote[],
  o: ChainSummaryOptions,
): SummaryValues => {
  let g = emptyGreeksRows(greeks.length);
  for (let i = 0; i < greeks.length; i++) g = appendGreeks(g, i, greeks[i]!);
  let q = emptyQuoteRows(quotes.length);
  for (let i = 0; i < quotes.length; i++) q = appendQuote(q, i, quotes[i]!);
  return summarizeChainView(
    eventTime,
    spot,
    { greeks: g, greeksCount: greeks.length, quotes: q, quoteCount: quotes.length },
    o,
  );
};

/** Summarises one chain held as columns (what ivSurface collects); same values as summarizeChain. */
export const summarizeChainView = (
  eventTime: number,
  spot: number | null,
  c: ChainView,
  o: ChainSummaryOptions,
): SummaryValues => {
  const out: SummaryValues = {};
  const today = nyDayNumber(eventTime);
  const g = c.greeks;
  const n = c.greeksCount;
  const s = spot ?? (n > 0 ? g.spot[0]! : null);

  let callVolume = 0;
  let putVolume = 0;
  let callOi = 0;
  let putOi = 0;
  const qr = c.quotes;
  for (let i = 0; i < c.quoteCount; i++) {
    if (qr.call[i] === 1) {
      callVolume += qr.volume[i]!;
      callOi += qr.openInterest[i]!;
    } else {
      putVolume += qr.volume[i]!;
      putOi += qr.openInterest[i]!;
    }
  }
  const hasQuotes = c.quoteCount > 0;
  out.call_volume = hasQuotes ? callVolume : null;
  out.put_volume = hasQuotes ? putVolume : null;
  out.option_volume_total = hasQuotes ? callVolume + putVolume : null;
  out.call_oi = hasQuotes ? callOi : null;
  out.put_oi = hasQuotes ? putOi : null;
  out.open_interest = hasQuotes ? callOi + putOi : null;
  out.put_call_volume_ratio = hasQuotes ? ratio(putVolume, callVolume) : null;
  out.put_call_oi_ratio = hasQuotes ? ratio(putOi, callOi) : null;
  out.oi_ratio = hasQuotes ? ratio(callVolume + putVolume, callOi + putOi) : null;
  out.chain_contracts = n;
  let ivOk = 0;
  for (let i = 0; i < n; i++) if (!Number.isNaN(g.iv[i]!)) ivOk++;
  out.chain_iv_ok_share = n > 0 ? ivOk / n : null;

  // Rows grouped by expiry (a counting sort on expiry id keeps arrival order within each expiry).
  const expiryCount = g.expiries.length;
  const start = new Int32Array(expiryCount + 1);
  for (let i = 0; i < n; i++) start[g.expiry[i]! + 1]!++;
  for (let e = 0; e < expiryCount; e++) start[e + 1]! += start[e]!;
  const rows = new Int32Array(n);
  const fill = start.slice(0, expiryCount);
  for (let i = 0; i < n; i++) rows[fill[g.expiry[i]!]!++] = i;

  const slices: ExpirySlice[] = [];
  if (s !== null) {
    for (let e = 0; e < expiryCount; e++) {
      const from = start[e]!;
      const to = start[e + 1]!;
      // Expiries first seen in rows this chain does not own (an abandoned branch) have no rows here.
      if (from === to) continue;
      const expiry = g.expiries[e]!;
      const dte = daysFromIso(expiry) - today;
      if (!(dte >= o.minDte)) continue;
      const scan = scanExpiry(g, rows, from, to, s, o.wingDelta);
      slices.push({
        expiry,
        dte,
        tYears: g.tYears[rows[from]!]!,
        atmIv: atmIvOf(g, rows, from, to, scan, s, o.maxAtmDistance),
        putWingIv: wingIvOf(g, scan.putBelow, scan.putAbove, -o.wingDelta),
        callWingIv: wingIvOf(g, scan.callBelow, scan.callAbove, o.wingDelta),
        atmCall: scan.atmCall,
        atmPut: scan.atmPut,
      });
    }
  }
  // Expiry ids follow arrival order; sort so the result never depends on quote order.
  slices.sort((a, b) => a.dte - b.dte || (a.expiry < b.expiry ? -1 : 1));

  const atm: { tYears: number; iv: number }[] = [];
  for (const x of slices) if (x.atmIv !== null) atm.push({ tYears: x.tYears, iv: x.atmIv });
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

  const putWings: { tYears: number; v: number }[] = [];
  const callWings: { tYears: number; v: number }[] = [];
  for (const x of slices) {
    if (x.putWingIv === null || x.callWingIv === null) continue;
    putWings.push({ tYears: x.tYears, v: x.putWingIv });
    callWings.push({ tYears: x.tYears, v: x.callWingIv });
  }
  const at = years(o.atmDays);
  out.iv_otm25 = constantMaturityLinear(putWings, at);
  out.iv_itm25 = constantMaturityLinear(callWings, at);
  out.skew_25d = out.iv_otm25 !== null && out.iv_itm25 !== null ? out.iv_otm25 - out.iv_itm25 : null;

  let target: ExpirySlice | undefined;
  for (const x of slices) {
    if (x.atmCall === -1 && x.atmPut === -1) continue;
    if (target === undefined || Math.abs(x.dte - o.targetDte) < Math.abs(target.dte - o.targetDte))
      target = x;
  }
  out.target_dte = target?.dte ?? null;
  const call = target?.atmCall ?? -1;
  const put = target?.atmPut ?? -1;
  contractFeatures(ATM_CALL_KEYS, c, call, out);
  contractFeatures(ATM_PUT_KEYS, c, put, out);
  const callIv = call === -1 ? null : g.iv[call]!;
  const putIv = put === -1 ? null : g.iv[put]!;
  // ATM rows always have an IV (scanExpiry requires one).
  out.iv_call = callIv;
  out.iv_put = putIv;
  out.iv_skew = putIv !== null && callIv !== null && g.strike[put] === g.strike[call] ? putIv - callIv : null;
  const straddle = straddleOf(g, target, s);
  out.straddle_price = straddle;
  out.expected_move_pct = straddle !== null && s !== null ? straddle / s : null;
  const frontStraddle = straddleOf(
    g,
    slices.find((x) => x.atmCall !== -1 && x.atmPut !== -1),
    s,
  );
  out.expected_move_front_pct = frontStraddle !== null && s !== null ? frontStraddle / s : null;
  return out;
};

/** Call mid + put mid at the ATM strike of one expiry (both legs at the same strike), else null. */
const straddleOf = (g: GreeksRows, slice: ExpirySlice | undefined, spot: number | null): number | null => {
  if (slice === undefined || spot === null) return null;
  const c = slice.atmCall;
  const p = slice.atmPut;
  if (
    c === -1 ||
    p === -1 ||
    g.strike[c] !== g.strike[p] ||
    Number.isNaN(g.mid[c]!) ||
    Number.isNaN(g.mid[p]!)
  )
    return null;
  return g.mid[c]! + g.mid[p]!;
};
