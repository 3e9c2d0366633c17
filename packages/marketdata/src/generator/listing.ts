import { addDays, dayNumber, type IsoDate, weekday, yearOf } from "../calendar/isoDate.js";
import { isMonthlyOpex } from "../calendar/opex.js";
import type { TradingCalendar } from "../calendar/tradingCalendar.js";
import type { TickerConfig } from "../universe/universe.js";

/** Which expirations and strikes a chain lists; keeps the replay's contract count moderate. */
export interface ListingPolicy {
  /** Longest days-to-expiry listed. */
  readonly maxDte: number;
  /** At most this many expirations per snapshot (nearest first; monthlies are always kept). */
  readonly maxExpiries: number;
  /** Fine strike step near the money and the coarse step in the wings, in price units. */
  readonly fineStep: number;
  readonly coarseStep: number;
  /** Strike range in standard deviations of the expiry's move, clamped to [minWidth, maxWidth] of spot. */
  readonly standardDeviations: number;
  readonly minWidth: number;
  readonly maxWidth: number;
}

/** Strike steps by price level, the way US equity options are listed. */
export const defaultListingPolicy = (spot: number): ListingPolicy => {
  const fineStep = spot < 25 ? 0.5 : spot < 500 ? 1 : spot < 1000 ? 5 : 10;
  return {
    maxDte: 60,
    maxExpiries: 8,
    fineStep,
    coarseStep: fineStep * 5,
    standardDeviations: 2.5,
    minWidth: 0.04,
    maxWidth: 0.15,
  };
};

export interface ListedExpiry {
  readonly expiry: IsoDate;
  readonly dte: number;
  readonly monthly: boolean;
}

/**
 * Weekly listings began at different times; before a product's weekly era only monthlies list.
 * SPY Friday weeklies from 2010, Wednesday from 2016, Monday from 2018 (approximate CBOE history).
 */
const weeklyStartYear = (weekdayNumber: number): number =>
  weekdayNumber === 5 ? 2010 : weekdayNumber === 3 ? 2016 : 2018;

export const listedExpiries = (
  date: IsoDate,
  ticker: TickerConfig,
  policy: ListingPolicy,
  calendar: TradingCalendar,
  includeSameDay: boolean,
): ListedExpiry[] => {
  const candidates: ListedExpiry[] = [];
  for (let dte = includeSameDay ? 0 : 1; dte <= policy.maxDte; dte++) {
    const d = addDays(date, dte);
    const monthly = isMonthlyOpex(d, calendar);
    const dow = weekday(d);
    const weekly =
      ticker.options.weeklyExpiryWeekdays.includes(dow) &&
      yearOf(d) >= weeklyStartYear(dow) &&
      calendar.isTradingDay(d);
    // A weekly whose Friday is a holiday expires the Thursday before.
    const shiftedFriday =
      dow === 4 &&
      ticker.options.weeklyExpiryWeekdays.includes(5) &&
      !calendar.isTradingDay(addDays(d, 1)) &&
      yearOf(d) >= weeklyStartYear(5);
    if (monthly || weekly || shiftedFriday) candidates.push({ expiry: d, dte, monthly });
  }
  const monthlies = candidates.filter((c) => c.monthly);
  const picked = new Set<IsoDate>(monthlies.slice(0, policy.maxExpiries).map((c) => c.expiry));
  for (const c of candidates) {
    if (picked.size >= policy.maxExpiries) break;
    picked.add(c.expiry);
  }
  return candidates
    .filter((c) => picked.has(c.expiry))
    .sort((a, b) => dayNumber(a.expiry) - dayNumber(b.expiry));
};

const roundToStep = (x: number, step: number): number => Math.round(x / step) * step;

/** Fine steps within one standard deviation (≥ 3% of spot), coarse steps out to the range edge. */
export const listedStrikes = (
  spot: number,
  atmVol: number,
  tYears: number,
  policy: ListingPolicy,
): number[] => {
  const sd = atmVol * Math.sqrt(Math.max(tYears, 1 / 365));
  const width = Math.min(policy.maxWidth, Math.max(policy.minWidth, policy.standardDeviations * sd));
  const fineWidth = Math.min(width, Math.max(0.03, sd));
  const strikes = new Set<number>();
  const add = (k: number) => {
    if (k > 0) strikes.add(Number(k.toFixed(4)));
  };
  const lo = spot * (1 - width);
  const hi = spot * (1 + width);
  for (
    let k = roundToStep(spot * (1 - fineWidth), policy.fineStep);
    k <= spot * (1 + fineWidth);
    k += policy.fineStep
  )
    add(k);
  for (let k = roundToStep(lo, policy.coarseStep); k <= hi; k += policy.coarseStep) add(k);
  return [...strikes]
    .filter((k) => k >= lo - policy.coarseStep && k <= hi + policy.coarseStep)
    .sort((a, b) => a - b);
};
