import { civilFromDays, isoWeekday, nthWeekdayOfMonth } from "./nyTime.js";

/**
 * Standard monthly options expiration: the third Friday of the month (the rule, not an exchange
 * calendar — when that Friday is a holiday the contracts expire Thursday, which moves neither the
 * week nor the month this module reports).
 */
export const monthlyOpexDay = (year: number, month: number): number => nthWeekdayOfMonth(year, month, 5, 3);

/** Day number of the first monthly expiration on or after `days`. */
export const nextMonthlyOpex = (days: number): number => {
  const c = civilFromDays(days);
  const thisMonth = monthlyOpexDay(c.year, c.month);
  if (thisMonth >= days) return thisMonth;
  return c.month === 12 ? monthlyOpexDay(c.year + 1, 1) : monthlyOpexDay(c.year, c.month + 1);
};

/** Monday of the ISO week containing `days`. */
export const weekStart = (days: number): number => days - (isoWeekday(days) - 1);

/** True when `days` falls in the Monday–Sunday week of a monthly expiration. */
export const isOpexWeek = (days: number): boolean =>
  weekStart(nextMonthlyOpex(weekStart(days))) === weekStart(days);
