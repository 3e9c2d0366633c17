import type { IndexTick, UnderlyingTick } from "@thetaflow/schemas";
import type { IsoDate } from "../calendar/isoDate.js";
import type { TradingCalendar } from "../calendar/tradingCalendar.js";
import type { DailyBar } from "../generator/marketPath.js";

/**
 * Real daily history as replay events, stamped at each session's close (13:00 on early-close
 * days). Days the calendar does not consider sessions are reported, not silently shifted.
 */
export const barsToTicks = (
  symbol: string,
  bars: ReadonlyArray<DailyBar>,
  calendar: TradingCalendar,
): { ticks: UnderlyingTick[]; offCalendar: IsoDate[] } => {
  const ticks: UnderlyingTick[] = [];
  const offCalendar: IsoDate[] = [];
  for (const b of bars) {
    if (!calendar.isTradingDay(b.date)) offCalendar.push(b.date);
    ticks.push({
      kind: "UnderlyingTick",
      eventTime: calendar.closeMicros(b.date),
      seq: 0,
      symbol,
      price: b.close,
      open: b.open,
      high: b.high,
      low: b.low,
      volume: b.volume,
    });
  }
  return { ticks, offCalendar };
};

export const closesToIndexTicks = (
  symbol: string,
  closes: ReadonlyMap<IsoDate, number>,
  calendar: TradingCalendar,
): IndexTick[] =>
  [...closes]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([date, value]) => ({
      kind: "IndexTick",
      eventTime: calendar.closeMicros(date),
      seq: 0,
      symbol,
      value,
    }));
