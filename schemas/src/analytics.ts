import { Schema } from "effect";
import {
  ExerciseStyle,
  eventFields,
  FiniteNumber,
  IsoDate,
  NonNegative,
  OptionRight,
  Positive,
  RegimeName,
  Ticker,
} from "./common.js";
import { VendorAnalytics } from "./market.js";

const NullableNumber = Schema.NullOr(FiniteNumber);

/** Outcome of an implied-volatility solve; anything but `ok` leaves iv and Greeks null. */
export const IvStatus = Schema.Literal(
  "ok",
  "below_intrinsic",
  "above_max",
  "expired",
  "invalid_input",
  "no_quote",
);
export type IvStatus = typeof IvStatus.Type;

/**
 * Our analytics for one contract at one event time, with the quote they were solved from (bid, ask,
 * volume, open interest), so a chain summary needs the Greeks alone. Units: raw partial derivatives —
 * vega per 1.00 of sigma, theta per year of calendar time, rho per 1.00 of r.
 */
export const Greeks = Schema.Struct({
  kind: Schema.Literal("Greeks"),
  ...eventFields,
  contract: Schema.String,
  underlying: Ticker,
  expiry: IsoDate,
  strike: Positive,
  right: OptionRight,
  style: ExerciseStyle,
  spot: Positive,
  tYears: FiniteNumber,
  bid: NonNegative,
  ask: NonNegative,
  mid: NullableNumber,
  iv: NullableNumber,
  ivBid: NullableNumber,
  ivAsk: NullableNumber,
  delta: NullableNumber,
  gamma: NullableNumber,
  vega: NullableNumber,
  theta: NullableNumber,
  rho: NullableNumber,
  volume: NonNegative,
  openInterest: NonNegative,
  status: IvStatus,
  vendor: Schema.optional(VendorAnalytics),
}).annotations({ identifier: "Greeks" });
export type Greeks = typeof Greeks.Type;

/** Volatility state of one underlying at a decision time. Null = not enough history yet. */
export const VolFeatures = Schema.Struct({
  kind: Schema.Literal("VolFeatures"),
  ...eventFields,
  underlying: Ticker,
  values: Schema.Record({ key: Schema.String, value: NullableNumber }),
}).annotations({
  identifier: "VolFeatures",
  description:
    "Realized/implied volatility measures (rv_20, iv_rank, iv_percentile, vix_rank, ...); null = insufficient history.",
});
export type VolFeatures = typeof VolFeatures.Type;

export const Regime = Schema.Struct({
  kind: Schema.Literal("Regime"),
  ...eventFields,
  underlying: Ticker,
  regime: RegimeName,
  daysInRegime: Schema.Number.pipe(Schema.int(), Schema.nonNegative()),
  ivRank: NullableNumber,
  vix: NullableNumber,
}).annotations({ identifier: "Regime" });
export type Regime = typeof Regime.Type;

export const RegimeTransition = Schema.Struct({
  kind: Schema.Literal("RegimeTransition"),
  ...eventFields,
  underlying: Ticker,
  from: RegimeName,
  to: RegimeName,
  /** Days spent in `from` before this change. */
  daysInPrevious: Schema.Number.pipe(Schema.int(), Schema.nonNegative()),
}).annotations({ identifier: "RegimeTransition" });
export type RegimeTransition = typeof RegimeTransition.Type;

/** The model-ready feature vector; `values[name] === null` means the input was missing (see `missing`). */
export const FeatureVector = Schema.Struct({
  kind: Schema.Literal("FeatureVector"),
  ...eventFields,
  underlying: Ticker,
  date: IsoDate,
  values: Schema.Record({ key: Schema.String, value: NullableNumber }),
  missing: Schema.Array(Schema.String),
}).annotations({ identifier: "FeatureVector" });
export type FeatureVector = typeof FeatureVector.Type;

export const ModelScore = Schema.Struct({
  kind: Schema.Literal("ModelScore"),
  ...eventFields,
  underlying: Ticker,
  model: Schema.String,
  version: Schema.String,
  score: NullableNumber,
  /** Set when the model could not score and the rule-based path was used. */
  fallbackReason: Schema.optional(Schema.String),
}).annotations({ identifier: "ModelScore" });
export type ModelScore = typeof ModelScore.Type;
