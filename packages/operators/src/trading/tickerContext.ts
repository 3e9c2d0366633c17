import type { EarningsEvent } from "@thetaflow/schemas";
import { Schema } from "effect";
import { daysFromIso } from "../calendar/nyTime.js";

/**
 * One ticker of the universe (seeds: architecture.md 1.3). Only what routing needs: ETFs and
 * indexes never report earnings, stocks stop their core strategy `blackoutDays` before a release.
 */
export const UniverseTicker = Schema.Struct({
  symbol: Schema.String,
  type: Schema.Literal("etf", "stock", "index"),
  blackoutDays: Schema.optionalWith(Schema.Number.pipe(Schema.int(), Schema.nonNegative()), {
    default: () => 5,
  }),
  /** Correlation group for concentration limits (e.g. `broad_market`, `technology`). */
  group: Schema.optional(Schema.String),
});
export type UniverseTicker = typeof UniverseTicker.Type;

const etf = (symbol: string, group: string): UniverseTicker => ({
  symbol,
  type: "etf",
  blackoutDays: 5,
  group,
});
const stock = (symbol: string, group: string): UniverseTicker => ({
  symbol,
  type: "stock",
  blackoutDays: 5,
  group,
});

/** The seeds' universe: tier 1 index ETFs, tier 2 mega caps, tier 3 sector ETFs, plus SPX. */
export const defaultUniverse: readonly UniverseTicker[] = [
  etf("SPY", "broad_market"),
  etf("QQQ", "technology"),
  etf("IWM", "small_caps"),
  etf("DIA", "broad_market"),
  stock("AAPL", "technology"),
  stock("MSFT", "technology"),
  stock("GOOGL", "technology"),
  stock("AMZN", "consumer"),
  stock("NVDA", "semiconductors"),
  stock("TSLA", "automotive"),
  stock("META", "technology"),
  stock("NFLX", "entertainment"),
  etf("XLF", "financials"),
  etf("XLE", "energy"),
  etf("XLK", "technology"),
  etf("XLV", "healthcare"),
  { symbol: "SPX", type: "index", blackoutDays: 0, group: "broad_market" },
];

export const ContextParams = {
  universe: Schema.optionalWith(Schema.Array(UniverseTicker), { default: () => defaultUniverse }),
  /**
   * Calendar days before an earnings date (0 = the day itself) in which the earnings strategy may
   * open — the roadmap's "post-earnings IV crush" sells on the day of an after-close release.
   */
  earningsWindowDays: Schema.optionalWith(Schema.Number.pipe(Schema.int(), Schema.nonNegative()), {
    default: () => 1,
  }),
} as const;

export type TradingContext = "core" | "earnings" | "blackout";

export interface TickerContext {
  readonly symbol: string;
  readonly context: TradingContext;
  /** Calendar days to the next earnings release, null when none is known. */
  readonly daysToEarnings: number | null;
  readonly earningsDate: string | null;
  readonly isEtf: boolean;
}

/** Known release dates of one symbol (ISO), ascending, without duplicates. */
export type EarningsCalendar = readonly string[];

export const addEarnings = (calendar: EarningsCalendar, e: EarningsEvent): EarningsCalendar => {
  if (calendar.includes(e.date)) return calendar;
  return [...calendar, e.date].sort();
};

export const nextEarnings = (calendar: EarningsCalendar, day: number): string | null => {
  for (const d of calendar) if (daysFromIso(d) >= day) return d;
  return null;
};

/**
 * Context of a ticker on a day (seeds' TickerManager): ETFs and indexes are always `core`; a stock is
 * `earnings` within `earningsWindowDays` of a release, `blackout` from there back to its
 * `blackoutDays` (the core strategy stops, the earnings one has not started), otherwise `core`.
 * The seeds give both windows 5 days, which leaves no blackout at all; here they are separate.
 */
export const tickerContext = (
  symbol: string,
  day: number,
  calendar: EarningsCalendar,
  universe: readonly UniverseTicker[],
  earningsWindowDays: number,
): TickerContext => {
  const entry = universe.find((t) => t.symbol === symbol);
  const isEtf = entry !== undefined && entry.type !== "stock";
  const next = isEtf ? null : nextEarnings(calendar, day);
  const daysToEarnings = next === null ? null : daysFromIso(next) - day;
  let context: TradingContext = "core";
  if (daysToEarnings !== null) {
    if (daysToEarnings <= earningsWindowDays) context = "earnings";
    else if (daysToEarnings <= (entry?.blackoutDays ?? 5)) context = "blackout";
  }
  return { symbol, context, daysToEarnings, earningsDate: next, isEtf };
};
