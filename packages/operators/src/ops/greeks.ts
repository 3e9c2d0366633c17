import { defineOperator } from "@thetaflow/core";
import {
  AMERICAN_SCHEMES,
  bsmAmericanChainIvGreeks,
  bsmAmericanGreeksInto,
  bsmAmericanImpliedVol,
  bsmGuessedImpliedVol,
  bsmSensitivitiesInto,
  bsmSideImpliedVol,
  emptyGreeks,
  IV_STATUS_NAMES,
  ivScratch,
} from "@thetaflow/options-math";
import type { Greeks, IvStatus, OptionQuote, UnderlyingTick } from "@thetaflow/schemas";
import { Schema } from "effect";
import { yearsToExpiry } from "../calendar/nyTime.js";

export const GreeksParams = Schema.Struct({
  /** Flat continuously compounded risk-free rate used for every contract (documented default 3%). */
  rate: Schema.optionalWith(Schema.Number.pipe(Schema.finite()), { default: () => 0.03 }),
  /**
   * `by_style` prices American contracts with the American engine and European ones with BSM;
   * `european` treats every contract as European (much faster, and what most vendors quote).
   */
  pricing: Schema.optionalWith(Schema.Literal("by_style", "european"), {
    default: () => "by_style" as const,
  }),
  /**
   * American engine: `table` (default) reuses exercise-boundary tables shared by every strike and
   * expiry with the same r and q — ~12 µs per quote for IV + Greeks, prices within 1e-4 of
   * QuantLib's high-precision engine; `fast`/`standard`/`accurate` solve each contract's boundary
   * (collocation schemes of options-math), 50-100x slower.
   */
  americanScheme: Schema.optionalWith(Schema.Literal("table", "fast", "standard", "accurate"), {
    default: () => "table" as const,
  }),
  /**
   * Also solve the IV of the bid and of the ask. European sides start from the mid's solution (about
   * one Black evaluation each, ~0.4x of a full solve); American ones are two more full solves.
   */
  sideIvs: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  /**
   * `underlying`: spot is the last UnderlyingTick price (the quote's own stamp until one arrives);
   * `quote`: the underlying price stamped on the quote when it has one.
   */
  spot: Schema.optionalWith(Schema.Literal("underlying", "quote"), { default: () => "underlying" as const }),
});
export type GreeksParams = typeof GreeksParams.Type;

/** Per underlying: what a quote needs besides itself. Quotes never change it, so they allocate no state. */
export interface GreeksState {
  readonly spot: number | null;
  readonly divYield: number;
}

// Scratch records for the allocation-free pricers; fully overwritten by each call before it is read.
const scratch = emptyGreeks();
const sideScratch = emptyGreeks();

const statusOf = (code: number): IvStatus => IV_STATUS_NAMES[code] ?? "invalid_input";

/**
 * Implied volatility (mid, bid, ask) and Greeks of every option quote, priced American or European by
 * the contract's style, with the vendor's IV/Greeks carried alongside. Spot and dividend yield come
 * from the underlying's ticks (keyed by underlying so they share the actor with its chain); time to
 * expiry runs to 16:00 New York on the expiry date, in 365-day years.
 */
export const greeks = defineOperator({
  name: "greeks",
  description:
    "Implied volatility (mid/bid/ask) and Greeks per option quote, American or European by contract style.",
  params: GreeksParams,
  consumes: ["UnderlyingTick", "OptionQuote"],
  produces: ["Greeks"],
  keyOf: (e) => (e.kind === "UnderlyingTick" ? e.symbol : e.underlying),
  init: (): GreeksState => ({ spot: null, divYield: 0 }),
  step: (state, event, out, params) => {
    if (event.kind === "UnderlyingTick") return onUnderlying(state, event);
    const spot = spotFor(state, event, params);
    if (spot === null) {
      throw new Error(
        `no spot for ${event.underlying}: no UnderlyingTick yet and the quote carries no underlyingPrice`,
      );
    }
    out.emit(priceQuote(event, spot, state.divYield, params));
    return state;
  },
});

const onUnderlying = (state: GreeksState, tick: UnderlyingTick): GreeksState => {
  const divYield = tick.dividendYield ?? state.divYield;
  return state.spot === tick.price && state.divYield === divYield ? state : { spot: tick.price, divYield };
};

const spotFor = (state: GreeksState, q: OptionQuote, params: GreeksParams): number | null => {
  if (params.spot === "quote" && q.underlyingPrice !== undefined) return q.underlyingPrice;
  return state.spot ?? q.underlyingPrice ?? null;
};

type Scheme = (typeof AMERICAN_SCHEMES)[keyof typeof AMERICAN_SCHEMES] | "table";

/** IV of one price: returns the IV_STATUS code, the IV is in ivScratch.iv (no result object per solve). */
const solve = (
  american: boolean,
  sign: number,
  spot: number,
  strike: number,
  t: number,
  rate: number,
  q: number,
  price: number,
  scheme: Scheme,
): number =>
  // European: a closed-form start and two Black evaluations for most quotes, LBR's root to a few ulps.
  !american
    ? bsmGuessedImpliedVol(sign, spot, strike, t, rate, q, price)
    : scheme === "table"
      ? bsmAmericanChainIvGreeks(sign, spot, strike, t, rate, q, price, sideScratch)
      : bsmAmericanImpliedVol(sign, spot, strike, t, rate, q, price, scheme);

/** One quote's analytics. Exported for batch checks and the chain benchmark. */
export const priceQuote = (q: OptionQuote, spot: number, divYield: number, params: GreeksParams): Greeks => {
  const tYears = yearsToExpiry(q.eventTime, q.expiry);
  const american = params.pricing === "by_style" && q.style === "american";
  const scheme: Scheme =
    params.americanScheme === "table" ? "table" : AMERICAN_SCHEMES[params.americanScheme];
  const sign = q.right === "call" ? 1 : -1;
  const rate = params.rate;
  const hasQuote = q.ask > 0 && q.ask >= q.bid;
  const mid = hasQuote ? 0.5 * (q.bid + q.ask) : null;

  let status: IvStatus = "no_quote";
  let iv: number | null = null;
  let ivBid: number | null = null;
  let ivAsk: number | null = null;
  let delta: number | null = null;
  let gamma: number | null = null;
  let vega: number | null = null;
  let theta: number | null = null;
  let rho: number | null = null;
  if (mid !== null) {
    // The table kernel solves IV and Greeks in one pass (into `scratch`).
    const code =
      american && scheme === "table"
        ? bsmAmericanChainIvGreeks(sign, spot, q.strike, tYears, rate, divYield, mid, scratch)
        : solve(american, sign, spot, q.strike, tYears, rate, divYield, mid, scheme);
    status = statusOf(code);
    if (status === "ok") {
      iv = ivScratch.iv;
      if (american && scheme !== "table")
        bsmAmericanGreeksInto(sign, spot, q.strike, tYears, rate, divYield, iv, scratch, scheme);
      // The price at the solved vol is the mid itself: no Black evaluation for it.
      else if (!american) bsmSensitivitiesInto(sign, spot, q.strike, tYears, rate, divYield, iv, scratch);
      delta = finiteOrNull(scratch.delta);
      gamma = finiteOrNull(scratch.gamma);
      vega = finiteOrNull(scratch.vega);
      theta = finiteOrNull(scratch.theta);
      rho = finiteOrNull(scratch.rho);
    }
    if (params.sideIvs) {
      // A side priced at the mid (a locked market) has the mid's IV: the solve is a pure function of
      // the same arguments, so reusing it is exact, bit for bit. European sides start from the mid's
      // solution (one Black evaluation each; Let's Be Rational where that is not safe).
      const midIv = iv ?? Number.NaN;
      const midVega = vega ?? Number.NaN;
      if (q.bid > 0) {
        if (q.bid === mid) ivBid = iv;
        else {
          const b = american
            ? solve(true, sign, spot, q.strike, tYears, rate, divYield, q.bid, scheme)
            : bsmSideImpliedVol(sign, spot, q.strike, tYears, rate, divYield, q.bid, mid, midIv, midVega);
          ivBid = b === 0 ? ivScratch.iv : null;
        }
      }
      if (q.ask === mid) ivAsk = iv;
      else {
        const a = american
          ? solve(true, sign, spot, q.strike, tYears, rate, divYield, q.ask, scheme)
          : bsmSideImpliedVol(sign, spot, q.strike, tYears, rate, divYield, q.ask, mid, midIv, midVega);
        ivAsk = a === 0 ? ivScratch.iv : null;
      }
    }
  }
  // One literal per shape (no `{ ...g, vendor }` copy); `vendor` last, where the spread put it.
  return q.vendor === undefined
    ? {
        kind: "Greeks",
        eventTime: q.eventTime,
        seq: 0,
        contract: q.contract,
        underlying: q.underlying,
        expiry: q.expiry,
        strike: q.strike,
        right: q.right,
        style: q.style,
        spot,
        tYears,
        bid: q.bid,
        ask: q.ask,
        mid,
        iv,
        ivBid,
        ivAsk,
        delta,
        gamma,
        vega,
        theta,
        rho,
        volume: q.volume,
        openInterest: q.openInterest,
        status,
      }
    : {
        kind: "Greeks",
        eventTime: q.eventTime,
        seq: 0,
        contract: q.contract,
        underlying: q.underlying,
        expiry: q.expiry,
        strike: q.strike,
        right: q.right,
        style: q.style,
        spot,
        tYears,
        bid: q.bid,
        ask: q.ask,
        mid,
        iv,
        ivBid,
        ivAsk,
        delta,
        gamma,
        vega,
        theta,
        rho,
        volume: q.volume,
        openInterest: q.openInterest,
        status,
        vendor: q.vendor,
      };
};

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);
