/**
 * Chain pricing kernel: prices (no Greeks) of many contracts at given vols, any mix of expiries, rights
 * and styles, with American contracts priced from the shared exercise-boundary surfaces
 * (american/premiumKernel.ts) instead of one collocation solve each. Contracts are visited in expiry
 * order so the per-expiry quadrature geometry is built once per distinct expiry.
 *
 * Accuracy: the boundary is that of the `accurate` collocation scheme; prices are within 1e-4
 * absolute of QuantLib's QdFp high-precision scheme on the 948-contract fixture (tests). Whatever the
 * surfaces do not cover (σ outside [0.01, 4], put rate ≤ 4e-4, the double-boundary regime) is priced by
 * the scalar `standard` scheme.
 */
import { type BoundarySurface, boundarySurface, surfaceApplies } from "./american/boundarySurface.js";
import { putPremium } from "./american/premiumKernel.js";
import { AMERICAN_SCHEMES, bsmAmericanPrice, isEffectivelyEuropean } from "./american.js";
import { type BatchOptions, type ChainColumns, STYLE_CODE } from "./batch.js";
import { bsmPrice, isValidContract } from "./european.js";
import { IV_STATUS_CODE } from "./types.js";

/** Recently used surfaces: a chain needs two (r, q) pairs (puts, and calls by symmetry) per horizon. */
const RECENT = 8;
const recent: (BoundarySurface | undefined)[] = new Array(RECENT);
let recentNext = 0;
function surfaceFor(r: number, q: number, T: number): BoundarySurface {
  for (let i = 0; i < RECENT; i++) {
    const s = recent[i];
    if (s !== undefined && s.rate === r && s.divYield === q && T <= s.horizon && T > 0.5 * s.horizon)
      return s;
  }
  const s = boundarySurface(r, q, T);
  recent[recentNext] = s;
  recentNext = (recentNext + 1) % RECENT;
  return s;
}

/**
 * American price of one valid contract with T > 0 from the surfaces, or the scalar engine outside
 * their domain.
 */
export function bsmAmericanChainPrice(
  sign: number,
  S: number,
  K: number,
  T: number,
  r: number,
  q: number,
  vol: number,
): number {
  if (!isValidContract(S, K, T, r, q) || !(vol >= 0) || vol === Number.POSITIVE_INFINITY) return Number.NaN;
  if (T <= 0) return Math.max(sign * (S - K), 0);
  if (isEffectivelyEuropean(sign, r, q)) return bsmPrice(sign, S, K, T, r, q, vol);
  const put = sign < 0;
  const rP = put ? r : q;
  const qP = put ? q : r;
  if (!surfaceApplies(rP, qP, vol) || (r < 0 && q < r)) {
    return bsmAmericanPrice(sign, S, K, T, r, q, vol, AMERICAN_SCHEMES.standard);
  }
  // Call(S, K, r, q) = Put(K, S, q, r); a put on strike K is K times a strike-1 put at x = S/K.
  const x = put ? S / K : K / S;
  const scale = put ? K : S;
  const premium = putPremium(surfaceFor(rP, qP, T), x, T, vol);
  if (premium < 0) return sign * (S - K);
  return bsmPrice(sign, S, K, T, r, q, vol) + scale * premium;
}

let order = new Uint32Array(0);

/** Indices 0..n−1 in ascending tYears (identity when already sorted). */
function expiryOrder(tYears: Float64Array, n: number): Uint32Array {
  if (order.length < n) order = new Uint32Array(n);
  const o = order.subarray(0, n);
  let sorted = true;
  for (let i = 0; i < n; i++) {
    o[i] = i;
    if (i > 0 && tYears[i]! < tYears[i - 1]!) sorted = false;
  }
  if (!sorted) o.sort((a, b) => tYears[a]! - tYears[b]! || a - b);
  return o;
}

/**
 * Prices at the given vols into outPrice, honouring chain.style (European when omitted). Statuses as
 * in greeksBatch: ok, expired (intrinsic written) or invalid_input (NaN).
 */
export function chainPrices(
  chain: ChainColumns,
  vol: Float64Array,
  outPrice: Float64Array,
  status: Uint8Array,
  options: BatchOptions = {},
): void {
  const n = options.count ?? chain.spot.length;
  const style = chain.style;
  const o = expiryOrder(chain.tYears, n);
  for (let k = 0; k < n; k++) {
    const i = o[k]!;
    const sign = chain.right[i] === 0 ? 1 : -1;
    const S = chain.spot[i]!;
    const K = chain.strike[i]!;
    const T = chain.tYears[i]!;
    const r = chain.rate[i]!;
    const q = chain.divYield[i]!;
    const v = vol[i]!;
    const price =
      style !== undefined && style[i] === STYLE_CODE.american
        ? bsmAmericanChainPrice(sign, S, K, T, r, q, v)
        : bsmPrice(sign, S, K, T, r, q, v);
    const valid = isValidContract(S, K, T, r, q) && v >= 0 && v < Number.POSITIVE_INFINITY;
    status[i] = !valid ? IV_STATUS_CODE.invalid_input : T <= 0 ? IV_STATUS_CODE.expired : IV_STATUS_CODE.ok;
    outPrice[i] = valid ? price : Number.NaN;
  }
}
