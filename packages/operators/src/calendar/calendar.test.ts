import { describe, expect, it } from "vitest";
import { DEFAULT_FOMC_DATES } from "./fomc.js";
import {
  daysFromIso,
  expiryCloseUs,
  isoFromDays,
  isoWeekday,
  nyIsoDate,
  nyOffsetUs,
  yearsToExpiry,
} from "./nyTime.js";
import { isOpexWeek, monthlyOpexDay, nextMonthlyOpex } from "./opex.js";

const us = (iso: string) => Date.parse(iso) * 1000;
const H = 3_600_000_000;

describe("New York time without a timezone database", () => {
  it("switches to EDT on the second Sunday of March and back on the first Sunday of November (2007+)", () => {
    expect(nyOffsetUs(us("2019-03-10T06:59:59Z"))).toBe(-5 * H);
    expect(nyOffsetUs(us("2019-03-10T07:00:00Z"))).toBe(-4 * H);
    expect(nyOffsetUs(us("2019-11-03T05:59:59Z"))).toBe(-4 * H);
    expect(nyOffsetUs(us("2019-11-03T06:00:00Z"))).toBe(-5 * H);
  });

  it("uses the 1987 rule before 2007 (first Sunday of April to last Sunday of October)", () => {
    expect(nyOffsetUs(us("2006-04-02T06:59:00Z"))).toBe(-5 * H);
    expect(nyOffsetUs(us("2006-04-02T07:00:00Z"))).toBe(-4 * H);
    expect(nyOffsetUs(us("2006-10-29T06:00:00Z"))).toBe(-5 * H);
  });

  it("agrees with the platform's tz data on every day 2000-2030 at 16:00 New York", () => {
    const fmt = new Intl.DateTimeFormat("en-US", {
      timeZone: "America/New_York",
      hour: "2-digit",
      hour12: false,
    });
    for (let d = daysFromIso("2000-01-01"); d < daysFromIso("2030-12-31"); d += 3) {
      const t = expiryCloseUs(isoFromDays(d));
      expect(fmt.format(new Date(t / 1000))).toBe("16");
      expect(nyIsoDate(t)).toBe(isoFromDays(d));
    }
  });

  it("measures time to expiry to the 16:00 close in 365-day years", () => {
    expect(yearsToExpiry(us("2019-01-02T21:00:00Z"), "2019-01-02")).toBe(0);
    expect(yearsToExpiry(us("2019-01-02T21:00:00Z"), "2020-01-02")).toBeCloseTo(1, 12);
    expect(yearsToExpiry(us("2019-07-01T20:00:00Z"), "2019-07-02")).toBeCloseTo(1 / 365, 12);
  });
});

describe("expiration and FOMC calendars", () => {
  it("monthly expiration is the third Friday", () => {
    expect(isoFromDays(monthlyOpexDay(2019, 1))).toBe("2019-01-18");
    expect(isoFromDays(monthlyOpexDay(2020, 3))).toBe("2020-03-20");
    expect(isoFromDays(nextMonthlyOpex(daysFromIso("2019-01-19")))).toBe("2019-02-15");
    expect(isoWeekday(monthlyOpexDay(2024, 11))).toBe(5);
  });

  it("flags the opex week Monday to Sunday", () => {
    expect(isOpexWeek(daysFromIso("2019-01-14"))).toBe(true);
    expect(isOpexWeek(daysFromIso("2019-01-18"))).toBe(true);
    expect(isOpexWeek(daysFromIso("2019-01-21"))).toBe(false);
    expect(isOpexWeek(daysFromIso("2019-01-11"))).toBe(false);
  });

  it("holds eight scheduled meetings a year, sorted, 2000-2026", () => {
    const years = new Map<string, number>();
    for (const d of DEFAULT_FOMC_DATES) years.set(d.slice(0, 4), (years.get(d.slice(0, 4)) ?? 0) + 1);
    expect([...years.values()].every((n) => n === 8)).toBe(true);
    expect([...DEFAULT_FOMC_DATES].sort()).toEqual(DEFAULT_FOMC_DATES);
  });
});
