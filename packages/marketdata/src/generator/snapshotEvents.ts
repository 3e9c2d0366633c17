import type { EarningsEvent } from "@thetaflow/schemas";
import { type IsoDate, monthOf, nthWeekdayOfMonth, yearOf } from "../calendar/isoDate.js";
import type { EarningsDate } from "../calendar/referenceTables.js";
import type { TradingCalendar } from "../calendar/tradingCalendar.js";
import type { Rng } from "../random/prng.js";
import type { TickerConfig } from "../universe/universe.js";

/** Symbols whose price is the market factor itself, with their scale to S&P 500 points. */
export const marketLinkedScale: Readonly<Record<string, number>> = { SPY: 0.1, SPX: 1 };

const round = (x: number, decimals: number): number => Number(x.toFixed(decimals));

/** Ex-dividend sessions: the second Friday of each dividend month (or the next session). */
export const exDividendDates = (
  t: TickerConfig,
  from: IsoDate,
  to: IsoDate,
  cal: TradingCalendar,
): Set<IsoDate> => {
  const out = new Set<IsoDate>();
  for (let y = yearOf(from); y <= yearOf(to); y++) {
    for (const m of t.dividendMonths) {
      const friday = nthWeekdayOfMonth(y, m, 5, 2);
      out.add(cal.isTradingDay(friday) ? friday : cal.nextTradingDay(friday));
    }
  }
  return out;
};

/** Open/high/low/volume of a daily bar: the real bar for market-linked names, else from the path. */
export const barFields = (
  ticker: TickerConfig,
  rng: Rng,
  levels: ReadonlyArray<number>,
  realBar: { open: number; high: number; low: number; close: number; volume: number } | undefined,
  date: IsoDate,
) => {
  const scale = marketLinkedScale[ticker.symbol];
  if (realBar !== undefined && scale !== undefined) {
    return {
      open: round(realBar.open * scale, 2),
      high: round(realBar.high * scale, 2),
      low: round(realBar.low * scale, 2),
      // Index volume is in shares of all constituents; scale it to an ETF-like count for SPY.
      volume: Math.round(realBar.volume * (scale < 1 ? 0.02 : 1)),
    };
  }
  const open = levels[0]!;
  const close = levels[levels.length - 1]!;
  let high = Math.max(...levels);
  let low = Math.min(...levels);
  if (levels.length <= 2) {
    // One step per day (real-history runs): widen the open/close range by a typical intraday excursion.
    const range = Math.abs(Math.log(close / open)) + 0.004;
    high = Math.max(open, close) * Math.exp(0.5 * range * (rng.uniform() + 0.2));
    low = Math.min(open, close) * Math.exp(-0.5 * range * (rng.uniform() + 0.2));
  }
  const monthFactor = 1 + 0.1 * Math.sin(monthOf(date));
  return {
    open: round(open, 2),
    high: round(high, 2),
    low: round(low, 2),
    volume: Math.round(
      2e7 * ticker.options.liquidity * monthFactor * (1 + 20 * Math.abs(Math.log(close / open))),
    ),
  };
};

export const earningsEvent = (
  symbol: string,
  e: EarningsDate,
  eventTime: number,
  actualMove: number | undefined,
): EarningsEvent => ({
  kind: "EarningsEvent",
  eventTime,
  seq: 0,
  symbol,
  date: e.date,
  timing: e.timing,
  confirmed: true,
  ...(actualMove !== undefined ? { actualMove } : {}),
});
