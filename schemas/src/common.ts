import { Schema } from "effect";

/**
 * Exchange event time in integer microseconds since the Unix epoch (UTC).
 * Microseconds keep every timestamp an exact float64 integer until the year 2255.
 */
export const EventTime = Schema.Number.pipe(Schema.int(), Schema.nonNegative()).annotations({
  identifier: "EventTime",
  description: "Exchange event time, integer microseconds since the Unix epoch (UTC).",
});

/** Per-source sequence number; ties on eventTime are broken by (source rank, seq). */
export const Seq = Schema.Number.pipe(Schema.int(), Schema.nonNegative()).annotations({
  identifier: "Seq",
  description: "Sequence number within its source, for stable ordering of equal event times.",
});

export const FiniteNumber = Schema.Number.pipe(Schema.finite());
export const NonNegative = Schema.Number.pipe(Schema.finite(), Schema.nonNegative());
export const Positive = Schema.Number.pipe(Schema.finite(), Schema.positive());
export const Probability = Schema.Number.pipe(Schema.finite(), Schema.between(0, 1));

export const Ticker = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(32)).annotations({
  identifier: "Ticker",
});

/** Calendar date as YYYY-MM-DD (exchange-local). */
export const IsoDate = Schema.String.pipe(Schema.pattern(/^\d{4}-\d{2}-\d{2}$/)).annotations({
  identifier: "IsoDate",
  description: "Calendar date YYYY-MM-DD, exchange-local.",
});

export const OptionRight = Schema.Literal("call", "put");
export type OptionRight = typeof OptionRight.Type;

export const ExerciseStyle = Schema.Literal("american", "european");
export type ExerciseStyle = typeof ExerciseStyle.Type;

export const SettlementType = Schema.Literal("physical", "cash");
export type SettlementType = typeof SettlementType.Type;

export const RegimeName = Schema.Literal("low_vol", "high_vol", "iv_expansion", "iv_contraction", "neutral");
export type RegimeName = typeof RegimeName.Type;

export const Side = Schema.Literal("buy", "sell");
export type Side = typeof Side.Type;

/** Fields every event carries. */
export const eventFields = {
  eventTime: EventTime,
  seq: Seq,
} as const;
