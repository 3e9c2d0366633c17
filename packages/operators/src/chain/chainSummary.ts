import type { Greeks, OptionQuote } from "@thetaflow/schemas";
import { daysFromIso, nyDayNumber } from "../calendar/nyTime.js";
import {
  appendGreeks,
  appendQuote,
  contractKey,
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
  // Running choices live in locals (with the chosen rows' distance or delta beside them) and become
  // an object once at the end: the loop then keeps them in registers.
  let lo = -Infinity;
  let hi = Infinity;
  let putBelow = -1;
  let putBelowDelta = 0;
  let putAbove = -1;
  let putAboveDelta = 0;
  let callBelow = -1;
  let callBelowDelta = 0;
  let callAbove = -1;
  let callAboveDelta = 0;
  let atmCall = -1;
  let atmCallDistance = 0;
  let atmPut = -1;
  let atmPutDistance = 0;
  const putTarget = -wingDelta;
  const ivs = g.iv;
  const strikes = g.strike;
  const calls = g.call;
  const deltas = g.delta;
  for (let j = from; j < to; j++) {
    const i = rows[j]!;
    if (Number.isNaN(ivs[i]!)) continue;
    const k = strikes[i]!;
    if (k <= spot && k > lo) lo = k;
    if (k >= spot && k < hi) hi = k;
    const call = calls[i] === 1;
    const distance = Math.abs(k - spot);
    if (call) {
      if (atmCall === -1 || distance < atmCallDistance) {
        atmCall = i;
        atmCallDistance = distance;
      }
    } else if (atmPut === -1 || distance < atmPutDistance) {
      atmPut = i;
      atmPutDistance = distance;
    }
    const delta = deltas[i]!;
    if (Number.isNaN(delta)) continue;
    if (call) {
      if (delta <= wingDelta && (callBelow === -1 || delta > callBelowDelta)) {
        callBelow = i;
        callBelowDelta = delta;
      }
      if (delta >= wingDelta && (callAbove === -1 || delta < callAboveDelta)) {
        callAbove = i;
        callAboveDelta = delta;
      }
    } else {
      if (delta <= putTarget && (putBelow === -1 || delta > putBelowDelta)) {
        putBelow = i;
        putBelowDelta = delta;
      }
      if (delta >= putTarget && (putAbove === -1 || delta < putAboveDelta)) {
        putAbove = i;
        putAboveDelta = delta;
      }
    }
  }
  return { lo, hi, putBelow, putAbove, callBelow, callAbove, atmCall, atmPut };
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
  const key = contractKey(contract);
  const keys = c.quotes.contractKey;
  const contracts = c.quotes.contract;
  // A checkpoint written before keys existed restores columns without them.
  if (keys === undefined) {
    for (let j = 0; j < c.quoteCount; j++) if (contracts[j] === contract) return j;
    return -1;
  }
  for (let j = 0; j < c.quoteCount; j++) if (keys[j] === key && contracts[j] === contract) return j;
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

interface SortScratch {
  /** First row (in `rows`) of each expiry, plus the end; zeroed for the expiries asked for. */
  readonly start: Int32Array;
  readonly fill: Int32Array;
  readonly rows: Int32Array;
  /** 0, 1, 2, ...: the sorted order when the rows already come grouped by expiry. */
  readonly identity: Int32Array;
}

const identityOf = (n: number): Int32Array => {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
};

let scratch: SortScratch = {
  start: new Int32Array(64),
  fill: new Int32Array(64),
  rows: new Int32Array(4096),
  identity: identityOf(4096),
};

/**
 * The counting sort's arrays, reused from one summary to the next (a summary runs to completion
 * before the next starts and keeps nothing): allocating them per chain cost a zero-filled
 * off-heap buffer each time.
 */
const sortScratch = (expiries: number, rows: number): SortScratch => {
  if (expiries + 1 > scratch.start.length || rows > scratch.rows.length) {
    const e = Math.max(scratch.start.length, 2 * (expiries + 1));
    const r = Math.max(scratch.rows.length, 2 * rows);
    scratch = {
      start: new Int32Array(e),
      fill: new Int32Array(e),
      rows: new Int32Array(r),
      identity: identityOf(r),
    };
  }
  scratch.start.fill(0, 0, expiries + 1);
  return scratch;
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

  // Rows grouped by expiry (a counting sort on expiry id keeps arrival order within each expiry),
  // counting the rows with an IV on the way.
  const expiryCount = g.expiries.length;
  const sort = sortScratch(expiryCount, n);
  const { start, fill } = sort;
  const expiryOf = g.expiry;
  const ivs = g.iv;
  let ivOk = 0;
  // Rows that arrive grouped by expiry, in the order the expiries were first seen (expiry ids only
  // ever increase from one row to the next), are already in the sorted order.
  let grouped = true;
  let previous = -1;
  for (let i = 0; i < n; i++) {
    const e = expiryOf[i]!;
    start[e + 1]!++;
    if (e !== previous) {
      if (e < previous) grouped = false;
      previous = e;
    }
    if (!Number.isNaN(ivs[i]!)) ivOk++;
  }
  out.chain_iv_ok_share = n > 0 ? ivOk / n : null;
  for (let e = 0; e < expiryCount; e++) start[e + 1]! += start[e]!;
  let rows = sort.identity;
  if (!grouped) {
    rows = sort.rows;
    for (let e = 0; e < expiryCount; e++) fill[e] = start[e]!;
    for (let i = 0; i < n; i++) rows[fill[expiryOf[i]!]!++] = i;
  }

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
