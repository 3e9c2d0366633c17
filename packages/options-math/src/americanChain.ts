/**
 * Chain kernels: implied volatility and Greeks for every contract of an option chain (any mix of
 * expiries, rights and styles) in one call, with American contracts priced from shared exercise-boundary
 * tables (american/boundarySurface.ts) instead of one collocation solve per contract and per bump.
 *
 * Per American contract at a given σ, one pass over the pricing quadrature gives the price, delta,
 * gamma, vega and rho (the boundary's derivatives in σ and r come from the tables); theta follows from
 * the Black-Scholes PDE. Calls are puts by McDonald-Schroder symmetry, C(S, K, r, q) = P(K, S, q, r),
 * i.e. a strike-1 put at x = K/S scaled by S; puts are x = S/K scaled by K.
 *
 * IV: σ₀ = European IV of the price; σ₁ = European IV of the de-Americanised price (price minus the
 * premium at σ₀), then Newton steps on the American price with the American vega, stopping when a step
 * is below 1e-10·σ. Anything the tables do not cover (σ outside [0.01, 4], rates at or below the bump,
 * the double-boundary regime, prices at the no-arbitrage bounds, non-convergence) goes to the scalar
 * functions, so statuses and edge cases are exactly those of bsmAmericanImpliedVol/bsmAmericanGreeksInto.
 */

import { boundarySurface, surfaceApplies } from "./american/boundarySurface.js";
import { ExpirySlice, type PremiumResult } from "./american/expirySlice.js";
import { sliceAnchor } from "./american/sliceAnchor.js";
import {
  AMERICAN_SCHEMES,
  bsmAmericanFloor,
  bsmAmericanGreeksInto,
  isEffectivelyEuropean,
} from "./american.js";
import { bsmAmericanImpliedVol } from "./americanImpliedVol.js";
import { type BatchOptions, type ChainColumns, type GreeksColumns, STYLE_CODE } from "./batch.js";
import { bsmGreeksInto, emptyGreeks, isValidContract } from "./european.js";
import { bsmImpliedVol, ivScratch } from "./europeanImpliedVol.js";
import { type GreekValues, IV_STATUS_CODE } from "./types.js";

const MAX_ITERATIONS = 60;
/** A Newton step this small (relative) ends the iteration; the step itself is still applied. */
const ACCEPT_STEP = 1e-7;

/**
 * Expiry slices by (put rate, put yield, anchor of T), least recently used evicted first. The boundary
 * depends on the time left, not on the date, so the slice built for T serves every later quote with
 * the same T: snapshots taken at the same time of day give each days-to-expiry the same T on every
 * day (a weekly expiry's Monday T comes back every Monday), and quotes stamped with their own instants
 * share the anchors of sliceAnchor.ts. A day of two underlyings' chains (calls and puts) touches ~30
 * slices, so this keeps about a month of them (~10 MB when full). Consecutive quotes
 * usually share a slice: the last hit is checked first. Slices are pure functions of their key, so
 * what is cached never changes a result.
 */
const SLICE_CAPACITY = 1024;
const slices = new Map<number, ExpirySlice[]>();
let sliceCount = 0;
let lastSlice: ExpirySlice | undefined;
function matches(s: ExpirySlice | undefined, r: number, q: number, T: number): s is ExpirySlice {
  return s !== undefined && s.T === T && s.surface.rate === r && s.surface.divYield === q;
}
/** Slice for a put with rate r and yield q whose anchor is that of T. */
function sliceFor(r: number, q: number, tYears: number): ExpirySlice {
  const T = sliceAnchor(tYears);
  if (matches(lastSlice, r, q, T)) return lastSlice;
  const bucket = slices.get(T);
  if (bucket !== undefined) {
    for (const s of bucket) {
      if (matches(s, r, q, T)) {
        // Re-inserting the key keeps the Map in least-recently-used order.
        slices.delete(T);
        slices.set(T, bucket);
        lastSlice = s;
        return s;
      }
    }
  }
  if (sliceCount >= SLICE_CAPACITY) evictOldest();
  const s = new ExpirySlice(boundarySurface(r, q, T), T);
  // Looked up again: the eviction may have dropped this T's own bucket.
  const kept = slices.get(T) ?? [];
  kept.push(s);
  slices.delete(T);
  slices.set(T, kept);
  sliceCount++;
  lastSlice = s;
  return s;
}
function evictOldest(): void {
  for (const [T, bucket] of slices) {
    slices.delete(T);
    sliceCount -= bucket.length;
    return;
  }
}

const prem: PremiumResult = {
  premium: 0,
  dSpot: 0,
  dSpot2: 0,
  dVol: 0,
  dRate: 0,
  dDiv: 0,
  exercised: false,
};
/** European price and vega of the last tableGreeks call (for de-Americanising). */
let lastEuropeanPrice = 0;
let lastEuropeanVega = 0;

function europeanVega(S: number, K: number, T: number, r: number, q: number, vol: number): number {
  const v = vol * Math.sqrt(T);
  const d1 = (Math.log(S / K) + (r - q) * T) / v + 0.5 * v;
  return S * Math.exp(-q * T - 0.5 * d1 * d1) * 0.3989422804014327 * Math.sqrt(T);
}

/** In the exercise region the option is its payoff: it does not age and ignores σ, r and q. */
function exercisedGreeks(sign: number, S: number, K: number, g: GreekValues): void {
  g.price = sign * (S - K);
  g.delta = sign;
  g.gamma = 0;
  g.vega = 0;
  g.theta = 0;
  g.rho = 0;
  g.divRho = 0;
  g.vanna = Number.NaN;
  g.volga = Number.NaN;
  g.charm = Number.NaN;
}

/**
 * American price and Greeks from the boundary tables; false when the tables do not apply (the caller
 * falls back to the scalar engine). Inputs valid, T > 0, early exercise possible.
 */
function tableGreeks(
  sign: number,
  S: number,
  K: number,
  T: number,
  r: number,
  q: number,
  vol: number,
  g: GreekValues,
): boolean {
  const put = sign < 0;
  const rP = put ? r : q;
  const qP = put ? q : r;
  if (!surfaceApplies(rP, qP, vol) || (r < 0 && q < r)) return false;
  const x = put ? S / K : K / S;
  const scale = put ? K : S;
  sliceFor(rP, qP, T).premium(x, vol, T, prem);
  bsmGreeksInto(sign, S, K, T, r, q, vol, g);
  lastEuropeanPrice = g.price;
  lastEuropeanVega = g.vega;
  g.vanna = Number.NaN;
  g.volga = Number.NaN;
  g.charm = Number.NaN;
  if (prem.exercised) {
    exercisedGreeks(sign, S, K, g);
    return true;
  }
  g.price += scale * Math.max(prem.premium, 0);
  g.vega += scale * prem.dVol;
  if (put) {
    g.delta += prem.dSpot;
    g.gamma += prem.dSpot2 / K;
    g.rho += K * prem.dRate;
    g.divRho = (g.divRho ?? 0) + K * prem.dDiv;
  } else {
    g.delta += prem.premium - x * prem.dSpot;
    g.gamma += (x * x * prem.dSpot2) / S;
    g.rho += S * prem.dDiv;
    g.divRho = (g.divRho ?? 0) + S * prem.dRate;
  }
  g.theta = r * g.price - (r - q) * S * g.delta - 0.5 * vol * vol * S * S * g.gamma;
  return true;
}

/**
 * American price and Greeks (vanna/volga/charm NaN) from the shared boundary tables, same contract and
 * return codes as bsmAmericanGreeksInto (which it falls back to outside the tables' domain).
 */
export function bsmAmericanChainGreeksInto(
  sign: number,
  S: number,
  K: number,
  T: number,
  r: number,
  q: number,
  vol: number,
  out: GreekValues,
): number {
  if (
    isValidContract(S, K, T, r, q) &&
    T > 0 &&
    !isEffectivelyEuropean(sign, r, q) &&
    tableGreeks(sign, S, K, T, r, q, vol, out)
  ) {
    return IV_STATUS_CODE.ok;
  }
  return bsmAmericanGreeksInto(sign, S, K, T, r, q, vol, out, AMERICAN_SCHEMES.standard);
}

function scalarIvGreeks(
  sign: number,
  S: number,
  K: number,
  T: number,
  r: number,
  q: number,
  price: number,
  g: GreekValues,
): number {
  const code = bsmAmericanImpliedVol(sign, S, K, T, r, q, price, AMERICAN_SCHEMES.standard);
  if (code === IV_STATUS_CODE.ok) {
    const iv = ivScratch.iv;
    bsmAmericanGreeksInto(sign, S, K, T, r, q, iv, g, AMERICAN_SCHEMES.standard);
    ivScratch.iv = iv;
  }
  return code;
}

/**
 * Implied vol of an American price (into ivScratch.iv) and the Greeks at that vol (into g), from the
 * boundary tables; returns an IV_STATUS_CODE with the same meaning as bsmAmericanImpliedVol.
 */
export function bsmAmericanChainIvGreeks(
  sign: number,
  S: number,
  K: number,
  T: number,
  r: number,
  q: number,
  price: number,
  g: GreekValues,
): number {
  if (!isValidContract(S, K, T, r, q) || !Number.isFinite(price) || T <= 0) {
    return scalarIvGreeks(sign, S, K, T, r, q, price, g);
  }
  if (isEffectivelyEuropean(sign, r, q)) {
    const code = bsmImpliedVol(sign, S, K, T, r, q, price);
    if (code === IV_STATUS_CODE.ok) {
      const iv = ivScratch.iv;
      bsmGreeksInto(sign, S, K, T, r, q, iv, g);
      ivScratch.iv = iv;
    }
    return code;
  }
  // No-arbitrage bounds: leave prices at or outside them to the scalar solver and its statuses.
  const floor = bsmAmericanFloor(sign, S, K, T, r, q);
  const slack = 8 * 2.220446049250313e-16 * Math.max(floor, S, K);
  const exercise = sign * (S - K);
  if (exercise > 0 && Math.abs(price - exercise) <= slack && floor <= exercise + slack) {
    // Priced at immediate exercise, which is also the σ = 0 value: iv 0 (as bsmAmericanImpliedVol says)
    // and the exercise-region Greeks, without the scalar engine's bumps.
    exercisedGreeks(sign, S, K, g);
    ivScratch.iv = 0;
    return IV_STATUS_CODE.ok;
  }
  if (!(price > floor + slack && price < (sign > 0 ? S : K))) {
    return scalarIvGreeks(sign, S, K, T, r, q, price, g);
  }
  if (bsmImpliedVol(sign, S, K, T, r, q, price) !== IV_STATUS_CODE.ok || !(ivScratch.iv > 0)) {
    return scalarIvGreeks(sign, S, K, T, r, q, price, g);
  }
  let vol = ivScratch.iv;
  let lo = 0;
  let hi = Number.POSITIVE_INFINITY;
  for (let it = 0; it < MAX_ITERATIONS; it++) {
    if (!tableGreeks(sign, S, K, T, r, q, vol, g)) break;
    const residual = g.price - price;
    if (residual > 0) hi = Math.min(hi, vol);
    else lo = Math.max(lo, vol);
    let next = Number.NaN;
    if (it === 0) {
      // De-Americanise, then correct for the premium's own slope (Newton on σ − IV_eur(price − P(σ))).
      const premium = g.price - lastEuropeanPrice;
      if (bsmImpliedVol(sign, S, K, T, r, q, price - premium) === IV_STATUS_CODE.ok) {
        const deAmericanised = ivScratch.iv;
        const slope = (g.vega - lastEuropeanVega) / europeanVega(S, K, T, r, q, deAmericanised);
        next = vol + (deAmericanised - vol) / (1 + slope);
      }
    } else if (g.vega > 0) {
      next = vol - residual / g.vega;
    }
    if (next > 0 && Math.abs(next - vol) <= ACCEPT_STEP * vol) {
      // Quadratic convergence: next is accurate to ~(step)²; the Greeks are those at vol, within
      // ACCEPT_STEP relative of the reported IV, and the price is moved to the IV to first order.
      g.price += g.vega * (next - vol);
      ivScratch.iv = next;
      return IV_STATUS_CODE.ok;
    }
    if (!(next > lo && next < hi)) {
      // Newton left the bracket (flat price next to the exercise boundary): bisect.
      next = hi < Number.POSITIVE_INFINITY ? 0.5 * (lo + hi) : 2 * vol;
      if (hi - lo <= 1e-12 * hi) {
        ivScratch.iv = vol;
        return IV_STATUS_CODE.ok;
      }
    }
    vol = next;
  }
  return scalarIvGreeks(sign, S, K, T, r, q, price, g);
}

const row = emptyGreeks();

function writeRow(out: GreeksColumns, i: number, ok: boolean): void {
  out.price[i] = ok ? row.price : Number.NaN;
  out.delta[i] = ok ? row.delta : Number.NaN;
  out.gamma[i] = ok ? row.gamma : Number.NaN;
  out.vega[i] = ok ? row.vega : Number.NaN;
  out.theta[i] = ok ? row.theta : Number.NaN;
  out.rho[i] = ok ? row.rho : Number.NaN;
}

/**
 * Price and Greeks of a chain at the given vols, honouring chain.style (American from the boundary
 * tables). Same outputs and statuses as greeksBatch.
 */
export function chainGreeks(
  chain: ChainColumns,
  vol: Float64Array,
  out: GreeksColumns,
  status: Uint8Array,
  options: BatchOptions = {},
): void {
  const n = options.count ?? chain.spot.length;
  const style = chain.style;
  for (let i = 0; i < n; i++) {
    const sign = chain.right[i] === 0 ? 1 : -1;
    const S = chain.spot[i]!;
    const K = chain.strike[i]!;
    const T = chain.tYears[i]!;
    const r = chain.rate[i]!;
    const q = chain.divYield[i]!;
    const code =
      style !== undefined && style[i] === STYLE_CODE.american
        ? bsmAmericanChainGreeksInto(sign, S, K, T, r, q, vol[i]!, row)
        : bsmGreeksInto(sign, S, K, T, r, q, vol[i]!, row);
    status[i] = code;
    writeRow(out, i, code !== IV_STATUS_CODE.invalid_input);
  }
}

/**
 * Implied vol of each price and the Greeks at that vol, honouring chain.style: the call the streaming
 * Greeks operator makes once per chain snapshot. outIv and the Greeks are NaN unless status is ok.
 */
export function chainIvGreeks(
  chain: ChainColumns,
  price: Float64Array,
  outIv: Float64Array,
  out: GreeksColumns,
  status: Uint8Array,
  options: BatchOptions = {},
): void {
  const n = options.count ?? chain.spot.length;
  const style = chain.style;
  for (let i = 0; i < n; i++) {
    const sign = chain.right[i] === 0 ? 1 : -1;
    const S = chain.spot[i]!;
    const K = chain.strike[i]!;
    const T = chain.tYears[i]!;
    const r = chain.rate[i]!;
    const q = chain.divYield[i]!;
    let code: number;
    if (style !== undefined && style[i] === STYLE_CODE.american) {
      code = bsmAmericanChainIvGreeks(sign, S, K, T, r, q, price[i]!, row);
    } else {
      code = bsmImpliedVol(sign, S, K, T, r, q, price[i]!);
      if (code === IV_STATUS_CODE.ok) {
        const iv = ivScratch.iv;
        bsmGreeksInto(sign, S, K, T, r, q, iv, row);
        ivScratch.iv = iv;
      }
    }
    status[i] = code;
    const ok = code === IV_STATUS_CODE.ok;
    outIv[i] = ok ? ivScratch.iv : Number.NaN;
    writeRow(out, i, ok);
  }
}
