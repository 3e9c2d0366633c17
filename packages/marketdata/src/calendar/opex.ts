import { addDays, dayNumber, type IsoDate, mondayOf, monthOf, nthWeekdayOfMonth, yearOf } from "./isoDate.js";
import { type TradingCalendar, tradingCalendar } from "./tradingCalendar.js";

/**
 * Monthly standard expiration: the third Friday, or the trading day before it when the exchange is
 * closed that Friday (Good Friday, e.g. 2014-04-18 -> 2014-04-17).
 */
export const monthlyOpex = (
  year: number,
  month: number,
  calendar: TradingCalendar = tradingCalendar,
): IsoDate => {
  const thirdFriday = nthWeekdayOfMonth(year, month, 5, 3);
  return calendar.isTradingDay(thirdFriday) ? thirdFriday : calendar.previousTradingDay(thirdFriday);
};

export const isMonthlyOpex = (date: IsoDate, calendar: TradingCalendar = tradingCalendar): boolean =>
  monthlyOpex(yearOf(date), monthOf(date), calendar) === date;

/** True when `date` falls in the Monday-Sunday week that holds its month's standard expiration. */
export const isOpexWeek = (date: IsoDate, calendar: TradingCalendar = tradingCalendar): boolean => {
  const opex = monthlyOpex(yearOf(date), monthOf(date), calendar);
  const monday = dayNumber(mondayOf(opex));
  const d = dayNumber(date);
  return d >= monday && d <= monday + 6;
};

/** The first monthly expiration on or after `date`. */
export const nextMonthlyOpex = (date: IsoDate, calendar: TradingCalendar = tradingCalendar): IsoDate => {
  const thisMonth = monthlyOpex(yearOf(date), monthOf(date), calendar);
  if (dayNumber(thisMonth) >= dayNumber(date)) return thisMonth;
  const next = addDays(`${date.slice(0, 7)}-01`, 32);
  return monthlyOpex(yearOf(next), monthOf(next), calendar);
};
