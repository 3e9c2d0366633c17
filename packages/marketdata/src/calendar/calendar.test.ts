import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { referenceFile, repoRoot } from "../referenceData.js";
import { isFomcDay, isFomcWeek, nextEarnings } from "./events.js";
import { addDays, dayNumber, weekday } from "./isoDate.js";
import { easternTimeMicros, easterSunday, nyseClosures } from "./nyseRules.js";
import { isOpexWeek, monthlyOpex, nextMonthlyOpex } from "./opex.js";
import { loadEarningsCalendar, loadFomcMeetings, loadMarketClosures } from "./referenceTables.js";
import { createTradingCalendar, tradingCalendar } from "./tradingCalendar.js";

/** Session dates of the real S&P 500 history (vega-datasets), 2000-01-03 .. 2020-04-17. */
const realSessions = readFileSync(`${repoRoot}replays/sources/sp500-2000-2020.csv`, "utf8")
  .trim()
  .split("\n")
  .slice(1)
  .map((l) => l.slice(0, 10));

describe("NYSE trading calendar", () => {
  it("reproduces exactly the sessions of the real S&P 500 history 2000-2020", () => {
    const computed = tradingCalendar.tradingDays(realSessions[0]!, realSessions[realSessions.length - 1]!);
    expect(computed.length).toBe(realSessions.length);
    expect(computed).toEqual(realSessions);
  });

  it("matches the committed 2000-2026 table", () => {
    const table = loadMarketClosures();
    const computed = Array.from({ length: 27 }, (_, i) => nyseClosures(2000 + i)).flat();
    expect(table).toEqual(computed.map((c) => ({ date: c.date, kind: c.kind, name: c.name })));
  });

  it("knows the rule cases: Saturday New Year, observed Juneteenth, Good Friday, one-off closures", () => {
    expect(tradingCalendar.isTradingDay("2021-12-31")).toBe(true); // New Year 2022 on a Saturday
    expect(tradingCalendar.isTradingDay("2022-06-20")).toBe(false); // Juneteenth observed Monday
    expect(tradingCalendar.isTradingDay("2021-06-18")).toBe(true); // before Juneteenth existed
    expect(easterSunday(2019)).toBe("2019-04-21");
    expect(tradingCalendar.isTradingDay("2019-04-19")).toBe(false);
    expect(tradingCalendar.isTradingDay("2018-12-05")).toBe(false);
    expect(tradingCalendar.isTradingDay("2025-01-09")).toBe(false);
    expect(tradingCalendar.sessionClose("2019-11-29")).toEqual({ hour: 13, minute: 0 });
    expect(tradingCalendar.sessionClose("2019-07-03")).toEqual({ hour: 13, minute: 0 });
    expect(tradingCalendar.sessionClose("2019-07-02")).toEqual({ hour: 16, minute: 0 });
  });

  it("stamps closes in UTC microseconds across daylight-saving changes", () => {
    expect(easternTimeMicros("2019-01-02", 16, 0)).toBe(Date.UTC(2019, 0, 2, 21) * 1000);
    expect(easternTimeMicros("2019-07-02", 16, 0)).toBe(Date.UTC(2019, 6, 2, 20) * 1000);
    expect(easternTimeMicros("2006-04-03", 16, 0)).toBe(Date.UTC(2006, 3, 3, 20) * 1000);
    expect(easternTimeMicros("2006-03-20", 16, 0)).toBe(Date.UTC(2006, 2, 20, 21) * 1000);
  });

  it("steps between sessions over weekends and holidays", () => {
    expect(tradingCalendar.nextTradingDay("2019-12-24")).toBe("2019-12-26");
    expect(tradingCalendar.previousTradingDay("2019-01-02")).toBe("2018-12-31");
    const cal = createTradingCalendar([{ date: "2030-01-02", kind: "holiday", name: "test" }]);
    expect(cal.isTradingDay("2030-01-02")).toBe(false);
    expect(cal.isTradingDay("2030-01-03")).toBe(true);
  });
});

describe("monthly expiration", () => {
  it("is the third Friday, or the Thursday before when that Friday is a holiday", () => {
    expect(monthlyOpex(2019, 3)).toBe("2019-03-15");
    expect(monthlyOpex(2014, 4)).toBe("2014-04-17"); // Good Friday 2014-04-18
    for (let y = 2000; y <= 2026; y++) {
      for (let m = 1; m <= 12; m++) {
        const d = monthlyOpex(y, m);
        expect(tradingCalendar.isTradingDay(d)).toBe(true);
        expect([4, 5]).toContain(weekday(d));
        expect(Number(d.slice(8))).toBeGreaterThanOrEqual(14);
        expect(Number(d.slice(8))).toBeLessThanOrEqual(21);
      }
    }
  });

  it("marks the opex week Monday to Sunday and finds the next one", () => {
    expect(isOpexWeek("2019-03-11")).toBe(true);
    expect(isOpexWeek("2019-03-17")).toBe(true);
    expect(isOpexWeek("2019-03-18")).toBe(false);
    expect(nextMonthlyOpex("2019-03-16")).toBe("2019-04-18"); // Good Friday 2019-04-19
  });
});

describe("FOMC and earnings tables", () => {
  const fomc = loadFomcMeetings();

  it("has eight scheduled statements a year 2000-2026 except 2020 (one replaced)", () => {
    for (let y = 2000; y <= 2026; y++) {
      const scheduled = fomc.filter((m) => m.scheduled && m.date.startsWith(String(y)));
      expect(scheduled.length).toBe(y === 2020 ? 7 : 8);
      for (const m of scheduled) expect(tradingCalendar.isTradingDay(m.date)).toBe(true);
    }
  });

  it("answers FOMC week and day questions", () => {
    expect(isFomcDay("2018-12-19")).toBe(true);
    expect(isFomcWeek("2018-12-17")).toBe(true);
    expect(isFomcWeek("2018-12-24")).toBe(false);
    expect(isFomcWeek("2020-03-13", fomc)).toBe(true); // the Sunday 2020-03-15 action closes that week
  });

  it("finds the next earnings release from the calendar file", () => {
    const cal = loadEarningsCalendar();
    expect(cal.every((e) => e.source === "projected")).toBe(true);
    const next = nextEarnings("AAPL", "2019-01-02", cal)!;
    expect(next.date).toBe("2019-01-22");
    expect(next.timing).toBe("amc");
    expect(nextEarnings("SPY", "2019-01-02", cal)).toBeUndefined();
    expect(dayNumber(nextEarnings("NVDA", addDays(next.date, 1), cal)!.date)).toBeGreaterThan(
      dayNumber(next.date),
    );
  });

  it("reports the file, line and field of a bad row", async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const p = join(mkdtempSync(join(tmpdir(), "fomc-")), "bad.csv");
    writeFileSync(p, "date,scheduled,note\n2019-02-30,true,x\n");
    expect(() => loadFomcMeetings(p)).toThrow(/bad\.csv:2: date/);
    expect(referenceFile("fomc-meetings.csv")).toContain("replays/reference/");
  });
});
