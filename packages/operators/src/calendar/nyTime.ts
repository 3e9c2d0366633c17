/**
 * Exchange-local (America/New_York) calendar arithmetic on integer event times, without any timezone
 * database: the US daylight-saving rule is computed from the date, so results never depend on the ICU
 * data a Node build ships with.
 *
 * Rule (Energy Policy Act of 2005, in force since 2007): EDT (UTC−4) from the second Sunday of March
 * 02:00 local to the first Sunday of November 02:00 local; EST (UTC−5) otherwise. Before 2007 the
 * 1987 rule applies: first Sunday of April to last Sunday of October. Earlier years use the 1987 rule
 * too (no market data here predates it).
 */

export const US_PER_DAY = 86_400_000_000;
const US_PER_HOUR = 3_600_000_000;
/** Year fraction convention for time to expiry: calendar time over a 365-day year. */
export const US_PER_YEAR = 365 * US_PER_DAY;

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
export const daysFromCivil = (y: number, m: number, d: number): number => {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
};

export interface CivilDate {
  readonly year: number;
  /** 1..12 */
  readonly month: number;
  /** 1..31 */
  readonly day: number;
}

/** Inverse of daysFromCivil. */
export const civilFromDays = (days: number): CivilDate => {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: era * 400 + yoe + (month <= 2 ? 1 : 0), month, day };
};

/** ISO weekday of a day number: Monday = 1 ... Sunday = 7. */
export const isoWeekday = (days: number): number => {
  const w = (((days + 3) % 7) + 7) % 7; // 1970-01-01 was a Thursday (ISO 4)
  return w + 1;
};

/** Day number of the n-th (1-based) given ISO weekday in a month. */
export const nthWeekdayOfMonth = (year: number, month: number, weekday: number, n: number): number => {
  const first = daysFromCivil(year, month, 1);
  const offset = (weekday - isoWeekday(first) + 7) % 7;
  return first + offset + (n - 1) * 7;
};

const lastWeekdayOfMonth = (year: number, month: number, weekday: number): number => {
  const nextFirst = month === 12 ? daysFromCivil(year + 1, 1, 1) : daysFromCivil(year, month + 1, 1);
  const last = nextFirst - 1;
  return last - ((isoWeekday(last) - weekday + 7) % 7);
};

const dstCache = new Map<number, readonly [number, number]>();

/** UTC microsecond instants at which EDT starts and ends in a year. */
const dstBounds = (year: number): readonly [number, number] => {
  let b = dstCache.get(year);
  if (b === undefined) {
    const [startDay, endDay] =
      year >= 2007
        ? [nthWeekdayOfMonth(year, 3, 7, 2), nthWeekdayOfMonth(year, 11, 7, 1)]
        : [nthWeekdayOfMonth(year, 4, 7, 1), lastWeekdayOfMonth(year, 10, 7)];
    // 02:00 EST = 07:00 UTC when EDT starts; 02:00 EDT = 06:00 UTC when it ends.
    b = [startDay * US_PER_DAY + 7 * US_PER_HOUR, endDay * US_PER_DAY + 6 * US_PER_HOUR];
    dstCache.set(year, b);
  }
  return b;
};

/** Offset of New York local time from UTC at an instant, in microseconds (−4h or −5h). */
export const nyOffsetUs = (eventTimeUs: number): number => {
  const year = civilFromDays(Math.floor(eventTimeUs / US_PER_DAY)).year;
  const [start, end] = dstBounds(year);
  return eventTimeUs >= start && eventTimeUs < end ? -4 * US_PER_HOUR : -5 * US_PER_HOUR;
};

/** New York local day number (days since 1970-01-01) of an instant. */
export const nyDayNumber = (eventTimeUs: number): number =>
  Math.floor((eventTimeUs + nyOffsetUs(eventTimeUs)) / US_PER_DAY);

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

export const isoFromDays = (days: number): string => {
  const c = civilFromDays(days);
  return `${c.year}-${pad2(c.month)}-${pad2(c.day)}`;
};

/** Day number of a YYYY-MM-DD date; NaN when it is not one. */
export const daysFromIso = (iso: string): number => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (m === null) return Number.NaN;
  return daysFromCivil(Number(m[1]), Number(m[2]), Number(m[3]));
};

/** New York local calendar date (YYYY-MM-DD) of an instant. */
export const nyIsoDate = (eventTimeUs: number): string => isoFromDays(nyDayNumber(eventTimeUs));

/** UTC instant of a New York local wall-clock time on a date. */
export const nyWallClockUs = (days: number, hour: number, minute = 0): number => {
  const guess = days * US_PER_DAY + hour * US_PER_HOUR + minute * 60_000_000;
  // The offset at local noon of that day is the offset of the whole trading session (DST switches at 02:00).
  return guess - nyOffsetUs(days * US_PER_DAY + 17 * US_PER_HOUR);
};

const expiryCache = new Map<string, number>();

/** Expiry instant of a contract expiring on `expiry`: the 16:00 New York close of that day. */
export const expiryCloseUs = (expiry: string): number => {
  let t = expiryCache.get(expiry);
  if (t === undefined) {
    t = nyWallClockUs(daysFromIso(expiry), 16);
    expiryCache.set(expiry, t);
  }
  return t;
};

/**
 * The last (event time, expiry) asked for and its answer: a chain update stamps every quote of an
 * expiry with the same time, so consecutive quotes usually ask the same question, and comparing two
 * strings is cheaper than hashing one for the Map (a feed decodes a fresh expiry string per quote).
 */
let lastEventTime = Number.NaN;
let lastExpiry = "";
let lastYears = Number.NaN;

/** Years (365-day) from an event time to the 16:00 New York close of the expiry date. */
export const yearsToExpiry = (eventTimeUs: number, expiry: string): number => {
  if (eventTimeUs === lastEventTime && expiry === lastExpiry) return lastYears;
  const years = (expiryCloseUs(expiry) - eventTimeUs) / US_PER_YEAR;
  lastEventTime = eventTimeUs;
  lastExpiry = expiry;
  lastYears = years;
  return years;
};
