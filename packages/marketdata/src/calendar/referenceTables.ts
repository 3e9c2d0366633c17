import { readFileSync } from "node:fs";
import { Either, ParseResult, Schema } from "effect";
import { referenceFile } from "../referenceData.js";
import { isIsoDate } from "./isoDate.js";
import type { MarketClosure } from "./nyseRules.js";
import { parseSimpleCsv } from "./simpleCsv.js";

const IsoDateField = Schema.String.pipe(
  Schema.filter((s) => isIsoDate(s) || `not a valid YYYY-MM-DD date: ${s}`),
);
const BooleanField = Schema.transform(Schema.Literal("true", "false"), Schema.Boolean, {
  strict: true,
  decode: (s) => s === "true",
  encode: (b) => (b ? "true" : "false"),
});

/** Decodes every row with `schema`; the first bad row fails the load with file, line and field. */
export const decodeTable = <A, I>(schema: Schema.Schema<A, I>, path: string): A[] => {
  const decode = Schema.decodeUnknownEither(schema, { onExcessProperty: "error", errors: "first" });
  return parseSimpleCsv(readFileSync(path, "utf8"), path).map((row) => {
    const r = decode(row.fields);
    if (Either.isLeft(r)) {
      const msg = ParseResult.ArrayFormatter.formatErrorSync(r.left)
        .map((i) => `${i.path.join(".")}: ${i.message}`)
        .join("; ");
      throw new Error(`${path}:${row.line}: ${msg}`);
    }
    return r.right;
  });
};

export const ClosureRow = Schema.Struct({
  date: IsoDateField,
  kind: Schema.Literal("holiday", "early_close"),
  name: Schema.String,
});

/** Loads `nyse-calendar.csv` (full closures and early closes). */
export const loadMarketClosures = (path = referenceFile("nyse-calendar.csv")): MarketClosure[] =>
  decodeTable(ClosureRow, path);

export const FomcRow = Schema.Struct({
  /** Day the statement is released (the last day of the meeting). */
  date: IsoDateField,
  scheduled: BooleanField,
  note: Schema.String,
});
export type FomcMeeting = typeof FomcRow.Type;

export const loadFomcMeetings = (path = referenceFile("fomc-meetings.csv")): FomcMeeting[] =>
  decodeTable(FomcRow, path);

export const EarningsRow = Schema.Struct({
  symbol: Schema.String.pipe(Schema.minLength(1)),
  date: IsoDateField,
  timing: Schema.Literal("bmo", "amc", "unknown"),
  confirmed: BooleanField,
  /** `projected` rows come from the universe's earnings-month rule, `reported` from a real source. */
  source: Schema.Literal("projected", "reported"),
});
export type EarningsDate = typeof EarningsRow.Type;

export const loadEarningsCalendar = (path = referenceFile("earnings-calendar.csv")): EarningsDate[] =>
  decodeTable(EarningsRow, path);

export { BooleanField, IsoDateField };
