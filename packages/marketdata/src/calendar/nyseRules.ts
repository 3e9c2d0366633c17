import {
  addDays,
  dayNumber,
  fromParts,
  type IsoDate,
  nthWeekdayOfMonth,
  toIsoDate,
  weekday,
  yearOf,
} from "./isoDate.js";

/**
 * NYSE full-day closures and 13:00 early closes computed from the exchange's rules (NYSE Rule 7.2),
 * plus the one-off closures and early closes the rules cannot know. The committed table
 * `replays/reference/nyse-calendar.csv` is this function's output and is tested against it and
 * against the real S&P 500 trading days.
 */
export interface MarketClosure {
  readonly date: IsoDate;
  readonly kind: "holiday" | "early_close";
  readonly name: string;
}

/** Closures no rule produces: national mourning, 9/11, hurricane Sandy. */
const specialClosures: ReadonlyArray<MarketClosure> = [
  { date: "2001-09-11", kind: "holiday", name: "September 11 attacks" },
  { date: "2001-09-12", kind: "holiday", name: "September 11 attacks" },
  { date: "2001-09-13", kind: "holiday", name: "September 11 attacks" },
  { date: "2001-09-14", kind: "holiday", name: "September 11 attacks" },
  { date: "2004-06-11", kind: "holiday", name: "Mourning for President Reagan" },
  { date: "2007-01-02", kind: "holiday", name: "Mourning for President Ford" },
  { date: "2012-10-29", kind: "holiday", name: "Hurricane Sandy" },
  { date: "2012-10-30", kind: "holiday", name: "Hurricane Sandy" },
  { date: "2018-12-05", kind: "holiday", name: "Mourning for President G.H.W. Bush" },
  { date: "2025-01-09", kind: "holiday", name: "Mourning for President Carter" },
  { date: "2002-07-05", kind: "early_close", name: "Day after Independence Day" },
  { date: "2003-12-26", kind: "early_close", name: "Day after Christmas" },
];

/** Anonymous Gregorian algorithm (Meeus/Jones/Butcher). */
export const easterSunday = (year: number): IsoDate => {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return fromParts(year, month, day);
};

/** Saturday holidays move to Friday, Sunday ones to Monday. */
const observed = (date: IsoDate): IsoDate => {
  const dow = weekday(date);
  return dow === 6 ? addDays(date, -1) : dow === 0 ? addDays(date, 1) : date;
};

const ruleHolidays = (year: number): MarketClosure[] => {
  const out: MarketClosure[] = [];
  const add = (date: IsoDate, name: string) => out.push({ date, kind: "holiday", name });
  // New Year's Day on a Saturday is not observed on the prior Friday (it would fall in the old year).
  const newYear = fromParts(year, 1, 1);
  if (weekday(newYear) !== 6) add(observed(newYear), "New Year's Day");
  add(nthWeekdayOfMonth(year, 1, 1, 3), "Martin Luther King Jr. Day");
  add(nthWeekdayOfMonth(year, 2, 1, 3), "Washington's Birthday");
  add(addDays(easterSunday(year), -2), "Good Friday");
  add(nthWeekdayOfMonth(year, 5, 1, -1), "Memorial Day");
  if (year >= 2022) add(observed(fromParts(year, 6, 19)), "Juneteenth");
  add(observed(fromParts(year, 7, 4)), "Independence Day");
  add(nthWeekdayOfMonth(year, 9, 1, 1), "Labor Day");
  add(nthWeekdayOfMonth(year, 11, 4, 4), "Thanksgiving Day");
  add(observed(fromParts(year, 12, 25)), "Christmas Day");
  return out;
};

const ruleEarlyCloses = (year: number): MarketClosure[] => {
  const out: MarketClosure[] = [];
  const add = (date: IsoDate, name: string) => out.push({ date, kind: "early_close", name });
  const july3 = fromParts(year, 7, 3);
  if (weekday(july3) >= 1 && weekday(july3) <= 4) add(july3, "Independence Day eve");
  add(addDays(nthWeekdayOfMonth(year, 11, 4, 4), 1), "Day after Thanksgiving");
  const dec24 = fromParts(year, 12, 24);
  if (weekday(dec24) >= 1 && weekday(dec24) <= 4) add(dec24, "Christmas Eve");
  return out;
};

/** All closures of `year`, sorted by date; a full closure wins over an early close on the same day. */
export const nyseClosures = (year: number): MarketClosure[] => {
  const byDate = new Map<IsoDate, MarketClosure>();
  const specials = specialClosures.filter((c) => yearOf(c.date) === year);
  for (const c of [...ruleEarlyCloses(year), ...specials.filter((s) => s.kind === "early_close")]) {
    byDate.set(c.date, c);
  }
  for (const c of [...ruleHolidays(year), ...specials.filter((s) => s.kind === "holiday")]) {
    if (yearOf(c.date) === year) byDate.set(c.date, c);
  }
  return [...byDate.values()].sort((a, b) => dayNumber(a.date) - dayNumber(b.date));
};

/** US Eastern daylight saving: 2007+ second Sunday of March .. first Sunday of November, earlier April .. October. */
export const isEasternDaylightTime = (date: IsoDate): boolean => {
  const year = yearOf(date);
  const [start, end] =
    year >= 2007
      ? [nthWeekdayOfMonth(year, 3, 0, 2), nthWeekdayOfMonth(year, 11, 0, 1)]
      : [nthWeekdayOfMonth(year, 4, 0, 1), nthWeekdayOfMonth(year, 10, 0, -1)];
  const d = dayNumber(date);
  return d >= dayNumber(start) && d < dayNumber(end);
};

/** Integer microseconds since the epoch of `hh:mm` New York time on `date`. */
export const easternTimeMicros = (date: IsoDate, hour: number, minute: number): number => {
  const offsetHours = isEasternDaylightTime(date) ? 4 : 5;
  const ms = dayNumber(date) * 86_400_000 + ((hour + offsetHours) * 60 + minute) * 60_000;
  return ms * 1000;
};

export const isoDateOfMicros = (micros: number): IsoDate => toIsoDate(Math.floor(micros / 86_400_000_000));
