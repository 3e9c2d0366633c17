import { Arbitrary, Schema } from "effect";
import {
  ExerciseStyle,
  eventFields,
  FiniteNumber,
  IsoDate,
  NonNegative,
  OptionRight,
  Positive,
  SettlementType,
  Ticker,
} from "./common.js";
import { contractMismatch, formatOcc } from "./occ.js";

/** A trade/quote or a bar of the underlying. Bars carry open/high/low; `price` is the close/last. */
export const UnderlyingTick = Schema.Struct({
  kind: Schema.Literal("UnderlyingTick"),
  ...eventFields,
  symbol: Ticker,
  price: Positive,
  bid: Schema.optional(Positive),
  ask: Schema.optional(Positive),
  open: Schema.optional(Positive),
  high: Schema.optional(Positive),
  low: Schema.optional(Positive),
  volume: Schema.optional(NonNegative),
  /** Continuous dividend yield the venue/generator implies, when known. */
  dividendYield: Schema.optional(FiniteNumber),
})
  .pipe(
    Schema.filter((t) =>
      t.bid !== undefined && t.ask !== undefined && t.bid > t.ask ? "crossed market: bid > ask" : undefined,
    ),
    Schema.filter((t) =>
      t.high !== undefined && t.low !== undefined && t.high < t.low ? "high < low" : undefined,
    ),
  )
  .annotations({ identifier: "UnderlyingTick", description: "Underlying trade, quote or daily bar." });
export type UnderlyingTick = typeof UnderlyingTick.Type;

/** An index level, e.g. VIX. */
export const IndexTick = Schema.Struct({
  kind: Schema.Literal("IndexTick"),
  ...eventFields,
  symbol: Ticker,
  value: Positive,
  open: Schema.optional(Positive),
  high: Schema.optional(Positive),
  low: Schema.optional(Positive),
}).annotations({ identifier: "IndexTick", description: "Index level such as VIX." });
export type IndexTick = typeof IndexTick.Type;

/** Vendor-supplied analytics kept beside ours so the two can be compared. */
export const VendorAnalytics = Schema.Struct({
  iv: Schema.optional(FiniteNumber),
  delta: Schema.optional(FiniteNumber),
  gamma: Schema.optional(FiniteNumber),
  vega: Schema.optional(FiniteNumber),
  theta: Schema.optional(FiniteNumber),
}).annotations({ identifier: "VendorAnalytics" });

const OptionQuoteFields = Schema.Struct({
  kind: Schema.Literal("OptionQuote"),
  ...eventFields,
  contract: Schema.String.pipe(Schema.minLength(1)),
  underlying: Ticker,
  expiry: IsoDate,
  strike: Positive,
  right: OptionRight,
  style: ExerciseStyle,
  settlement: Schema.optionalWith(SettlementType, { default: () => "physical" as const }),
  multiplier: Schema.optionalWith(Positive, { default: () => 100 }),
  bid: NonNegative,
  ask: NonNegative,
  bidSize: Schema.optionalWith(NonNegative, { default: () => 0 }),
  askSize: Schema.optionalWith(NonNegative, { default: () => 0 }),
  last: Schema.optional(NonNegative),
  volume: Schema.optionalWith(NonNegative, { default: () => 0 }),
  openInterest: Schema.optionalWith(NonNegative, { default: () => 0 }),
  /** Underlying price the vendor stamped on this quote, when it did. */
  underlyingPrice: Schema.optional(Positive),
  vendor: Schema.optional(VendorAnalytics),
});

/** One option contract's quote. `contract` is the OCC symbol, e.g. `SPY   190315P00260000`. */
export const OptionQuote = OptionQuoteFields.pipe(
  Schema.filter((q) => (q.bid > q.ask ? "crossed quote: bid > ask" : contractMismatch(q)), {
    // Generated quotes get a consistent contract symbol and an uncrossed market.
    arbitrary: () => (fc) =>
      Arbitrary.makeLazy(OptionQuoteFields)(fc).map((q) => ({
        ...q,
        bid: Math.min(q.bid, q.ask),
        ask: Math.max(q.bid, q.ask),
        strike: Math.round(Math.min(q.strike, 99_999) * 1000) / 1000 || 1,
        contract: formatOcc(
          q.underlying.replace(/[^A-Z0-9.]/g, "").slice(0, 6) || "X",
          q.expiry,
          q.right,
          Math.round(Math.min(q.strike, 99_999) * 1000) / 1000 || 1,
        ),
      })),
  }),
).annotations({
  identifier: "OptionQuote",
  description: "Quote of one option contract with optional vendor IV/Greeks.",
});
export type OptionQuote = typeof OptionQuote.Type;

/** All quotes of one underlying at one event time. */
export const ChainSnapshot = Schema.Struct({
  kind: Schema.Literal("ChainSnapshot"),
  ...eventFields,
  underlying: Ticker,
  spot: Positive,
  quotes: Schema.Array(OptionQuote),
}).annotations({ identifier: "ChainSnapshot" });
export type ChainSnapshot = typeof ChainSnapshot.Type;

/** A scheduled (or confirmed) earnings release. */
export const EarningsEvent = Schema.Struct({
  kind: Schema.Literal("EarningsEvent"),
  ...eventFields,
  symbol: Ticker,
  date: IsoDate,
  timing: Schema.Literal("bmo", "amc", "unknown"),
  confirmed: Schema.Boolean,
  /** Actual move on the reaction day, as a fraction, once known. */
  actualMove: Schema.optional(FiniteNumber),
}).annotations({ identifier: "EarningsEvent" });
export type EarningsEvent = typeof EarningsEvent.Type;
