/**
 * Calendar arithmetic on `YYYY-MM-DD` strings via integer day numbers (days since 1970-01-01).
 * Only `Date.UTC` and UTC getters are used: no local time zone, no wall clock.
 */
export type IsoDate = string;

const ISO = /^(\d{4})-(\d{2})-(\d{2})$/;

export const isIsoDate = (s: string): boolean => {
  const m = ISO.exec(s);
  if (m === null) return false;
  return toIsoDate(dayNumber(s)) === s;
};

export const dayNumber = (date: IsoDate): number => {
  const m = ISO.exec(date);
  if (m === null) throw new RangeError(`not a YYYY-MM-DD date: ${JSON.stringify(date)}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 86_400_000;
};

export const fromParts = (year: number, month: number, day: number): IsoDate =>
  toIsoDate(Date.UTC(year, month - 1, day) / 86_400_000);

export const toIsoDate = (day: number): IsoDate => new Date(day * 86_400_000).toISOString().slice(0, 10);

export const addDays = (date: IsoDate, days: number): IsoDate => toIsoDate(dayNumber(date) + days);

export const daysBetween = (from: IsoDate, to: IsoDate): number => dayNumber(to) - dayNumber(from);

/** 0 = Sunday .. 6 = Saturday. */
export const weekday = (date: IsoDate): number => (((dayNumber(date) + 4) % 7) + 7) % 7;

export const yearOf = (date: IsoDate): number => Number(date.slice(0, 4));
export const monthOf = (date: IsoDate): number => Number(date.slice(5, 7));

/** The n-th (1-based) given weekday of a month; n = -1 is the last one. */
export const nthWeekdayOfMonth = (year: number, month: number, dow: number, n: number): IsoDate => {
  if (n > 0) {
    const first = fromParts(year, month, 1);
    const offset = (dow - weekday(first) + 7) % 7;
    return addDays(first, offset + 7 * (n - 1));
  }
  const last = addDays(fromParts(month === 12 ? year + 1 : year, month === 12 ? 1 : month + 1, 1), -1);
  return addDays(last, -((weekday(last) - dow + 7) % 7));
};

/** Monday of the ISO week containing `date`. */
export const mondayOf = (date: IsoDate): IsoDate => addDays(date, -((weekday(date) + 6) % 7));
