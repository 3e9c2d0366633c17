import { readFileSync } from "node:fs";
import { Either, ParseResult, Schema } from "effect";
import { parse as parseYaml } from "yaml";
import { type IsoDate, nthWeekdayOfMonth } from "../calendar/isoDate.js";
import type { EarningsDate } from "../calendar/referenceTables.js";
import { type TradingCalendar, tradingCalendar } from "../calendar/tradingCalendar.js";
import { referenceFile } from "../referenceData.js";

const Month = Schema.Number.pipe(Schema.int(), Schema.between(1, 12));

/** How the option market of a name is quoted and listed; drives spreads and strike grids. */
export const OptionListing = Schema.Struct({
  /** Penny-pilot names quote $0.01 everywhere; others $0.01 under $3 and $0.05 above. */
  pennyPilot: Schema.Boolean,
  style: Schema.Literal("american", "european"),
  settlement: Schema.Literal("physical", "cash"),
  /** Weekdays (1 = Monday .. 5 = Friday) with short-dated expirations, besides the monthly. */
  weeklyExpiryWeekdays: Schema.Array(Schema.Number.pipe(Schema.int(), Schema.between(1, 5))),
  /** Liquidity scale: 1 for SPY; smaller names have wider spreads and less volume. */
  liquidity: Schema.Number.pipe(Schema.positive()),
});

export const TickerConfig = Schema.Struct({
  symbol: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(32)),
  name: Schema.String,
  tier: Schema.Literal(1, 2, 3),
  type: Schema.Literal("etf", "stock", "index"),
  sector: Schema.String,
  /** Starting price for a fully synthetic path (a rough early-2019 level, not a quote). */
  referencePrice: Schema.Number.pipe(Schema.positive()),
  /** Loading on the generator's market factor (the S&P 500 path). */
  beta: Schema.Number.pipe(Schema.between(0, 4)),
  alwaysActive: Schema.Boolean,
  minDte: Schema.Number.pipe(Schema.int(), Schema.nonNegative()),
  maxDte: Schema.Number.pipe(Schema.int(), Schema.positive()),
  /** Typical 30-day at-the-money implied vol (seeds' "Avg IV"). */
  averageIv: Schema.Number.pipe(Schema.between(0.01, 3)),
  /** Continuous dividend yield used for pricing; 0 when the name pays none. */
  dividendYield: Schema.Number.pipe(Schema.between(0, 0.2)),
  /** Months with a discrete ex-dividend date (empty: no discrete dividend modelled). */
  dividendMonths: Schema.Array(Month),
  earnings: Schema.optional(
    Schema.Struct({
      months: Schema.Array(Month).pipe(Schema.minItems(1)),
      /** Projection rule for the calendar file: the n-th given weekday of each earnings month. */
      weekOfMonth: Schema.Number.pipe(Schema.int(), Schema.between(1, 4)),
      weekday: Schema.Number.pipe(Schema.int(), Schema.between(1, 5)),
      timing: Schema.Literal("bmo", "amc", "unknown"),
      /** Trading days before earnings during which the core model stands aside. */
      blackoutDays: Schema.Number.pipe(Schema.int(), Schema.nonNegative()),
      /** Standard deviation of the earnings-day move, as a fraction (sets the event variance). */
      moveStdDev: Schema.Number.pipe(Schema.between(0, 1)),
    }),
  ),
  options: OptionListing,
});
export type TickerConfig = typeof TickerConfig.Type;

export const Universe = Schema.Struct({
  version: Schema.Literal(1),
  tickers: Schema.Array(TickerConfig).pipe(Schema.minItems(1)),
}).pipe(
  Schema.filter((u) => {
    const seen = new Set<string>();
    for (const t of u.tickers) {
      if (seen.has(t.symbol)) return `duplicate symbol ${t.symbol}`;
      if (t.minDte > t.maxDte) return `${t.symbol}: minDte > maxDte`;
      seen.add(t.symbol);
    }
    return undefined;
  }),
);
export type Universe = typeof Universe.Type;

/** Parses and validates a universe YAML document; unknown fields are errors. */
export const parseUniverse = (text: string, origin: string): Universe => {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new Error(`${origin}: invalid YAML: ${e instanceof Error ? e.message : String(e)}`);
  }
  const r = Schema.decodeUnknownEither(Universe, { onExcessProperty: "error", errors: "all" })(doc);
  if (Either.isLeft(r)) {
    const issues = ParseResult.ArrayFormatter.formatErrorSync(r.left)
      .map((i) => `${i.path.length > 0 ? i.path.join(".") : "(root)"}: ${i.message}`)
      .join("; ");
    throw new Error(`${origin}: ${issues}`);
  }
  return r.right;
};

export const loadUniverse = (path = referenceFile("universe.yaml")): Universe =>
  parseUniverse(readFileSync(path, "utf8"), path);

export const findTicker = (universe: Universe, symbol: string): TickerConfig | undefined =>
  universe.tickers.find((t) => t.symbol === symbol);

/**
 * Earnings dates projected from a ticker's rule (n-th weekday of each earnings month, moved to the
 * previous session when the exchange is closed). These are labelled `projected`, never real.
 */
export const projectEarningsDates = (
  ticker: TickerConfig,
  fromYear: number,
  toYear: number,
  calendar: TradingCalendar = tradingCalendar,
): EarningsDate[] => {
  const rule = ticker.earnings;
  if (rule === undefined) return [];
  const out: EarningsDate[] = [];
  for (let year = fromYear; year <= toYear; year++) {
    for (const month of rule.months) {
      let date: IsoDate = nthWeekdayOfMonth(year, month, rule.weekday, rule.weekOfMonth);
      if (!calendar.isTradingDay(date)) date = calendar.previousTradingDay(date);
      out.push({ symbol: ticker.symbol, date, timing: rule.timing, confirmed: false, source: "projected" });
    }
  }
  return out;
};
