import { dayNumber, type IsoDate, mondayOf } from "./isoDate.js";
import {
  type EarningsDate,
  type FomcMeeting,
  loadEarningsCalendar,
  loadFomcMeetings,
} from "./referenceTables.js";

let defaultFomc: FomcMeeting[] | undefined;
let defaultEarnings: EarningsDate[] | undefined;

const fomcTable = (meetings?: ReadonlyArray<FomcMeeting>) => {
  if (meetings !== undefined) return meetings;
  defaultFomc ??= loadFomcMeetings();
  return defaultFomc;
};

/** True when an FOMC statement is released in the Monday-Sunday week of `date`. */
export const isFomcWeek = (date: IsoDate, meetings?: ReadonlyArray<FomcMeeting>): boolean => {
  const monday = dayNumber(mondayOf(date));
  return fomcTable(meetings).some((m) => {
    const d = dayNumber(m.date);
    return d >= monday && d <= monday + 6;
  });
};

export const isFomcDay = (date: IsoDate, meetings?: ReadonlyArray<FomcMeeting>): boolean =>
  fomcTable(meetings).some((m) => m.date === date);

/** The first earnings release of `symbol` on or after `date`, or undefined when the calendar has none. */
export const nextEarnings = (
  symbol: string,
  date: IsoDate,
  calendar?: ReadonlyArray<EarningsDate>,
): EarningsDate | undefined => {
  if (calendar === undefined) defaultEarnings ??= loadEarningsCalendar();
  const table = calendar ?? defaultEarnings ?? [];
  const from = dayNumber(date);
  let best: EarningsDate | undefined;
  for (const e of table) {
    if (e.symbol !== symbol || dayNumber(e.date) < from) continue;
    if (best === undefined || dayNumber(e.date) < dayNumber(best.date)) best = e;
  }
  return best;
};

/** Calendar days until the next earnings release, or undefined. */
export const daysToEarnings = (
  symbol: string,
  date: IsoDate,
  calendar?: ReadonlyArray<EarningsDate>,
): number | undefined => {
  const next = nextEarnings(symbol, date, calendar);
  return next === undefined ? undefined : dayNumber(next.date) - dayNumber(date);
};
