/**
 * Chain kernels over structure-of-arrays columns (one Float64Array per field) for the streaming Greeks
 * operator: no allocation per contract, statuses as IV_STATUS_CODE bytes, NaN in numeric outputs
 * wherever the status is not ok (the status says why).
 */
import { AMERICAN_SCHEMES, type AmericanScheme, bsmAmericanGreeksInto } from "./american.js";
import { bsmAmericanImpliedVol } from "./americanImpliedVol.js";
import { bsmGreeksInto, emptyGreeks } from "./european.js";
import { bsmImpliedVol, ivScratch } from "./europeanImpliedVol.js";
import { IV_STATUS_CODE } from "./types.js";

/** Exercise style codes in batch inputs: 0 = european, 1 = american. */
export const STYLE_CODE = { european: 0, american: 1 } as const;

export interface ChainColumns {
  /** RIGHT_CODE: 0 call, 1 put. */
  readonly right: Uint8Array;
  /** STYLE_CODE per contract; all European when omitted. */
  readonly style?: Uint8Array;
  readonly spot: Float64Array;
  readonly strike: Float64Array;
  readonly tYears: Float64Array;
  readonly rate: Float64Array;
  readonly divYield: Float64Array;
}

export interface GreeksColumns {
  readonly price: Float64Array;
  readonly delta: Float64Array;
  readonly gamma: Float64Array;
  readonly vega: Float64Array;
  readonly theta: Float64Array;
  readonly rho: Float64Array;
}

export interface BatchOptions {
  /** Number of contracts (default: chain.spot.length). */
  readonly count?: number;
  readonly americanScheme?: AmericanScheme;
}

/** Allocates output columns for n contracts. */
export function allocateGreeksColumns(n: number): GreeksColumns {
  return {
    price: new Float64Array(n),
    delta: new Float64Array(n),
    gamma: new Float64Array(n),
    vega: new Float64Array(n),
    theta: new Float64Array(n),
    rho: new Float64Array(n),
  };
}

const scratch = emptyGreeks();

function writeRow(out: GreeksColumns, i: number, ok: boolean): void {
  out.price[i] = ok ? scratch.price : Number.NaN;
  out.delta[i] = ok ? scratch.delta : Number.NaN;
  out.gamma[i] = ok ? scratch.gamma : Number.NaN;
  out.vega[i] = ok ? scratch.vega : Number.NaN;
  out.theta[i] = ok ? scratch.theta : Number.NaN;
  out.rho[i] = ok ? scratch.rho : Number.NaN;
}

/**
 * Price and Greeks at the given vols, honouring chain.style. Expired contracts get their expiry limits
 * (intrinsic price) with status `expired`.
 */
export function greeksBatch(
  chain: ChainColumns,
  vol: Float64Array,
  out: GreeksColumns,
  status: Uint8Array,
  options: BatchOptions = {},
): void {
  const n = options.count ?? chain.spot.length;
  const scheme = options.americanScheme ?? AMERICAN_SCHEMES.standard;
  const style = chain.style;
  for (let i = 0; i < n; i++) {
    const sign = chain.right[i] === 0 ? 1 : -1;
    const american = style !== undefined && style[i] === STYLE_CODE.american;
    const code = american
      ? bsmAmericanGreeksInto(
          sign,
          chain.spot[i]!,
          chain.strike[i]!,
          chain.tYears[i]!,
          chain.rate[i]!,
          chain.divYield[i]!,
          vol[i]!,
          scratch,
          scheme,
        )
      : bsmGreeksInto(
          sign,
          chain.spot[i]!,
          chain.strike[i]!,
          chain.tYears[i]!,
          chain.rate[i]!,
          chain.divYield[i]!,
          vol[i]!,
          scratch,
        );
    status[i] = code;
    writeRow(out, i, code !== IV_STATUS_CODE.invalid_input);
  }
}

/** European-only variant of greeksBatch (ignores chain.style). */
export function europeanGreeksBatch(
  chain: ChainColumns,
  vol: Float64Array,
  out: GreeksColumns,
  status: Uint8Array,
  options: BatchOptions = {},
): void {
  const n = options.count ?? chain.spot.length;
  for (let i = 0; i < n; i++) {
    const code = bsmGreeksInto(
      chain.right[i] === 0 ? 1 : -1,
      chain.spot[i]!,
      chain.strike[i]!,
      chain.tYears[i]!,
      chain.rate[i]!,
      chain.divYield[i]!,
      vol[i]!,
      scratch,
    );
    status[i] = code;
    writeRow(out, i, code !== IV_STATUS_CODE.invalid_input);
  }
}

/** Implied vols of `price` into outIv (NaN unless status ok), honouring chain.style. */
export function impliedVolBatch(
  chain: ChainColumns,
  price: Float64Array,
  outIv: Float64Array,
  status: Uint8Array,
  options: BatchOptions = {},
): void {
  const n = options.count ?? chain.spot.length;
  const scheme = options.americanScheme ?? AMERICAN_SCHEMES.standard;
  const style = chain.style;
  for (let i = 0; i < n; i++) {
    const sign = chain.right[i] === 0 ? 1 : -1;
    const code =
      style !== undefined && style[i] === STYLE_CODE.american
        ? bsmAmericanImpliedVol(
            sign,
            chain.spot[i]!,
            chain.strike[i]!,
            chain.tYears[i]!,
            chain.rate[i]!,
            chain.divYield[i]!,
            price[i]!,
            scheme,
          )
        : bsmImpliedVol(
            sign,
            chain.spot[i]!,
            chain.strike[i]!,
            chain.tYears[i]!,
            chain.rate[i]!,
            chain.divYield[i]!,
            price[i]!,
          );
    status[i] = code;
    outIv[i] = code === IV_STATUS_CODE.ok ? ivScratch.iv : Number.NaN;
  }
}
