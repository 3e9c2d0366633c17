import { addDays, dayNumber, type IsoDate, weekday, yearOf } from "./isoDate.js";
import { easternTimeMicros, type MarketClosure, nyseClosures } from "./nyseRules.js";

/** Which days the exchange trades and when each session closes (New York time). */
export interface TradingCalendar {
  readonly isTradingDay: (date: IsoDate) => boolean;
  readonly closure: (date: IsoDate) => MarketClosure | undefined;
  /** 16:00, or 13:00 on an early-close day. */
  readonly sessionClose: (date: IsoDate) => { readonly hour: number; readonly minute: number };
  /** The close of `date` as integer microseconds since the epoch. */
  readonly closeMicros: (date: IsoDate) => number;
  readonly nextTradingDay: (date: IsoDate) => IsoDate;
  readonly previousTradingDay: (date: IsoDate) => IsoDate;
  /** Trading days in [from, to], both inclusive. */
  readonly tradingDays: (from: IsoDate, to: IsoDate) => IsoDate[];
}

/**
 * A calendar from an explicit closure list (e.g. the committed table); years absent from the list
 * fall back to the rules so the calendar never silently treats a holiday as a session.
 */
export const createTradingCalendar = (closures?: Iterable<MarketClosure>): TradingCalendar => {
  const byDate = new Map<IsoDate, MarketClosure>();
  const coveredYears = new Set<number>();
  if (closures !== undefined) {
    for (const c of closures) {
      byDate.set(c.date, c);
      coveredYears.add(yearOf(c.date));
    }
  }
  const ensureYear = (year: number) => {
    if (coveredYears.has(year)) return;
    coveredYears.add(year);
    for (const c of nyseClosures(year)) byDate.set(c.date, c);
  };
  const closure = (date: IsoDate): MarketClosure | undefined => {
    ensureYear(yearOf(date));
    return byDate.get(date);
  };
  const isTradingDay = (date: IsoDate): boolean => {
    const dow = weekday(date);
    if (dow === 0 || dow === 6) return false;
    return closure(date)?.kind !== "holiday";
  };
  const sessionClose = (date: IsoDate) =>
    closure(date)?.kind === "early_close" ? { hour: 13, minute: 0 } : { hour: 16, minute: 0 };
  const step = (date: IsoDate, dir: 1 | -1): IsoDate => {
    let d = addDays(date, dir);
    while (!isTradingDay(d)) d = addDays(d, dir);
    return d;
  };
  return {
    isTradingDay,
    closure,
    sessionClose,
    closeMicros: (date) => {
      const { hour, minute } = sessionClose(date);
      return easternTimeMicros(date, hour, minute);
    },
    nextTradingDay: (date) => step(date, 1),
    previousTradingDay: (date) => step(date, -1),
    tradingDays: (from, to) => {
      const out: IsoDate[] = [];
      for (let d = dayNumber(from), end = dayNumber(to); d <= end; d++) {
        const date = addDays(from, d - dayNumber(from));
        if (isTradingDay(date)) out.push(date);
      }
      return out;
    },
  };
};

/** The NYSE calendar computed by rule (2000-2026 is also committed as a table). */
export const tradingCalendar: TradingCalendar = createTradingCalendar();
