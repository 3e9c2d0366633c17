import { defineOperator } from "@thetaflow/core";
import type { EarningsEvent, FeatureVector, UnderlyingTick } from "@thetaflow/schemas";
import { Schema } from "effect";
import { DEFAULT_FOMC_DATES } from "../calendar/fomc.js";
import { civilFromDays, daysFromIso, isoWeekday, nyDayNumber, nyIsoDate } from "../calendar/nyTime.js";
import { isOpexWeek, nextMonthlyOpex, weekStart } from "../calendar/opex.js";

const IsoDate = Schema.String.pipe(Schema.pattern(/^\d{4}-\d{2}-\d{2}$/));

export const TemporalParams = Schema.Struct({
  /** Scheduled FOMC statement dates (YYYY-MM-DD); defaults to the Fed's 2000–2026 calendar. */
  fomcDates: Schema.optionalWith(Schema.Array(IsoDate), { default: () => DEFAULT_FOMC_DATES }),
  /** Days before earnings during which the earnings model takes over (roadmap 2.3: 2). */
  earningsWindowDays: Schema.optionalWith(Schema.Number.pipe(Schema.int(), Schema.nonNegative()), {
    default: () => 2,
  }),
  /** Days before earnings during which the core model stops trading (roadmap 2.3: 5). */
  earningsBlackoutDays: Schema.optionalWith(Schema.Number.pipe(Schema.int(), Schema.nonNegative()), {
    default: () => 5,
  }),
  /** Past earnings reactions averaged for the historical move (architecture 2.3.3: last 8). */
  earningsHistory: Schema.optionalWith(Schema.Number.pipe(Schema.int(), Schema.positive()), {
    default: () => 8,
  }),
});
export type TemporalParams = typeof TemporalParams.Type;

interface KnownEarnings {
  readonly day: number;
  readonly timing: EarningsEvent["timing"];
  readonly actualMove: number | null;
}

export interface TemporalState {
  /** Earnings dates announced so far, by date; a later event for the same date replaces the earlier one. */
  readonly earnings: readonly KnownEarnings[];
}

const fomcCache = new WeakMap<readonly string[], readonly number[]>();
const fomcDays = (dates: readonly string[]): readonly number[] => {
  let days = fomcCache.get(dates);
  if (days === undefined) {
    days = dates.map(daysFromIso).sort((a, b) => a - b);
    fomcCache.set(dates, days);
  }
  return days;
};

/**
 * Calendar and event features per underlying per bar: weekday, month, quarter, days to the monthly
 * expiration (third Friday, by rule) and whether this is its week, FOMC week and days to the next
 * scheduled meeting, days to/since earnings with window and blackout flags, and the historical
 * earnings move. Earnings come from EarningsEvents in the stream, so a date is known only from the
 * event that announced it; an actual move counts only once its reaction day is in the past.
 */
export const temporal = defineOperator({
  name: "temporal",
  description:
    "Calendar features (weekday, opex/FOMC week, DTE) and earnings timing features per underlying.",
  params: TemporalParams,
  consumes: ["UnderlyingTick", "EarningsEvent"],
  produces: ["FeatureVector"],
  keyOf: (e) => e.symbol,
  init: (): TemporalState => ({ earnings: [] }),
  step: (state, event, out, params) => {
    if (event.kind === "EarningsEvent") return onEarnings(state, event);
    out.emit(featuresAt(state, event, params));
    return state;
  },
});

const onEarnings = (state: TemporalState, e: EarningsEvent): TemporalState => {
  const day = daysFromIso(e.date);
  const entry: KnownEarnings = { day, timing: e.timing, actualMove: e.actualMove ?? null };
  const earnings = [...state.earnings.filter((k) => k.day !== day), entry].sort((a, b) => a.day - b.day);
  return { earnings };
};

const flag = (b: boolean) => (b ? 1 : 0);

export const featuresAt = (state: TemporalState, tick: UnderlyingTick, p: TemporalParams): FeatureVector => {
  const today = nyDayNumber(tick.eventTime);
  const civil = civilFromDays(today);
  const weekday = isoWeekday(today);
  const opex = nextMonthlyOpex(today);
  const fomc = fomcDays(p.fomcDates);
  const nextFomc = fomc.find((d) => d >= today);
  const thisWeek = weekStart(today);
  const next = state.earnings.find((k) => k.day >= today);
  const last = [...state.earnings].reverse().find((k) => k.day < today);
  // The reaction to an after-close release is the next session: only then is the move known.
  const settled = state.earnings.filter(
    (k) => k.actualMove !== null && k.day + (k.timing === "amc" ? 1 : 0) < today,
  );
  const moves = settled.slice(-p.earningsHistory).map((k) => Math.abs(k.actualMove!));
  const mean = moves.length > 0 ? moves.reduce((a, b) => a + b, 0) / moves.length : null;
  const std =
    mean !== null && moves.length > 1
      ? Math.sqrt(moves.reduce((a, m) => a + (m - mean) ** 2, 0) / (moves.length - 1))
      : null;
  const daysToEarnings = next === undefined ? null : next.day - today;
  const values: Record<string, number | null> = {
    day_of_week: weekday,
    is_monday: flag(weekday === 1),
    is_friday: flag(weekday === 5),
    day_of_month: civil.day,
    month_of_year: civil.month,
    quarter: Math.floor((civil.month - 1) / 3) + 1,
    days_to_expiration: opex - today,
    time_to_expiration_years: (opex - today) / 365,
    is_opex_week: flag(isOpexWeek(today)),
    is_fomc_week: flag(fomc.some((d) => weekStart(d) === thisWeek)),
    days_to_fomc: nextFomc === undefined ? null : nextFomc - today,
    days_to_earnings: daysToEarnings,
    days_since_earnings: last === undefined ? null : today - last.day,
    is_earnings_week: flag(state.earnings.some((k) => weekStart(k.day) === thisWeek)),
    earnings_window: flag(daysToEarnings !== null && daysToEarnings <= p.earningsWindowDays),
    earnings_blackout: flag(daysToEarnings !== null && daysToEarnings <= p.earningsBlackoutDays),
    is_earnings_amc: next === undefined ? null : flag(next.timing === "amc"),
    is_earnings_bmo: next === undefined ? null : flag(next.timing === "bmo"),
    earnings_actual_move_avg: mean,
    earnings_actual_move_std: std,
  };
  return {
    kind: "FeatureVector",
    eventTime: tick.eventTime,
    seq: 0,
    underlying: tick.symbol,
    date: nyIsoDate(tick.eventTime),
    values,
    missing: Object.keys(values).filter((k) => values[k] === null),
  };
};
