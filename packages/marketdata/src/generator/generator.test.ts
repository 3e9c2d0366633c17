import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import type { Event, OptionQuote, UnderlyingTick } from "@thetaflow/schemas";
import { decodeEvent } from "@thetaflow/schemas";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { tradingCalendar } from "../calendar/tradingCalendar.js";
import { checkChainArbitrage } from "../noArbitrage.js";
import { createRng } from "../random/prng.js";
import { repoRoot } from "../referenceData.js";
import { generateReplayFile } from "../replay/generateReplay.js";
import { calibrateSsvi, loadReferenceSurface } from "../surface/calibrate.js";
import { findTicker, loadUniverse } from "../universe/universe.js";
import { OpenInterestBook } from "./activity.js";
import { buildChain } from "./chain.js";
import { generateMarket } from "./generateMarket.js";
import { defaultListingPolicy } from "./listing.js";
import { optionsMathPricer } from "./optionsMathPricer.js";

const universe = loadUniverse();
const shape = calibrateSsvi(loadReferenceSurface()).params;
const SPY = findTicker(universe, "SPY")!;
const AAPL = findTicker(universe, "AAPL")!;
const YEAR_MICROS = 365 * 86_400_000_000;

/** SPY and AAPL over AAPL's projected 2019-01-22 (after the close) earnings, intraday and close snapshots. */
const events: Event[] = [
  ...generateMarket({
    underlyings: [SPY, AAPL],
    from: "2019-01-10",
    to: "2019-01-29",
    seed: 11,
    snapshotTimes: [600, "close"],
    pricer: optionsMathPricer,
    shape,
    rate: 0.02,
    calendar: tradingCalendar,
  }),
].flat();

const chains = new Map<string, OptionQuote[]>();
const spots = new Map<string, number>();
for (const e of events) {
  if (e.kind === "UnderlyingTick") spots.set(`${e.symbol}|${e.eventTime}`, e.price);
  if (e.kind === "OptionQuote") {
    const key = `${e.underlying}|${e.eventTime}`;
    chains.set(key, [...(chains.get(key) ?? []), e]);
  }
}

describe("market generator output", () => {
  it("decodes every event with its schema", () => {
    for (const e of events) expect(decodeEvent(e).ok).toBe(true);
  });

  it("orders each snapshot: underlying and VIX ticks before the quotes", () => {
    let lastTime = -1;
    let quotesSeen = false;
    for (const e of events) {
      if (e.eventTime !== lastTime) {
        expect(e.eventTime).toBeGreaterThan(lastTime);
        lastTime = e.eventTime;
        quotesSeen = false;
      }
      if (e.kind === "OptionQuote") quotesSeen = true;
      else expect(quotesSeen).toBe(false);
    }
    const vix = events.filter((e) => e.kind === "IndexTick");
    expect(vix.length).toBe(chains.size / 2);
  });

  it("lists weeklies, monthlies and same-day expiries with strikes on both sides of spot", () => {
    const morning = [...chains.entries()].find(([k]) => k.startsWith("SPY|"))!;
    const quotes = morning[1];
    const expiries = [...new Set(quotes.map((q) => q.expiry))];
    expect(expiries.length).toBe(8);
    expect(expiries).toContain("2019-01-18"); // monthly
    expect(expiries).toContain("2019-01-11"); // Friday weekly
    const sameDay = [...chains.values()]
      .flat()
      .some((q) => q.expiry === "2019-01-11" && q.eventTime < tradingCalendar.closeMicros("2019-01-11"));
    expect(sameDay).toBe(true);
    const spot = spots.get(morning[0])!;
    expect(quotes.some((q) => q.strike < spot * 0.95)).toBe(true);
    expect(quotes.some((q) => q.strike > spot * 1.05)).toBe(true);
    expect(quotes.every((q) => q.contract.startsWith("SPY   19") && q.style === "american")).toBe(true);
  });

  it("is free of static arbitrage on every chain (quoted mids, one-tick tolerance)", () => {
    let checked = 0;
    for (const [key, quotes] of chains) {
      const [symbol, time] = key.split("|");
      const spot = spots.get(key)!;
      const t = Number(time);
      const q = symbol === "SPY" ? SPY.dividendYield : AAPL.dividendYield;
      const tYears = (expiry: string) => (tradingCalendar.closeMicros(expiry) - t) / YEAR_MICROS;
      const violations = checkChainArbitrage(quotes, {
        spot,
        tickTolerance: 0.01,
        tYears,
        forward: (expiry) => spot * Math.exp((0.02 - q) * tYears(expiry)),
      });
      expect(violations, key).toEqual([]);
      checked++;
    }
    expect(checked).toBe(chains.size);
  });

  it("widens spreads away from the money", () => {
    const quotes = [...chains.values()][0]!.filter((q) => q.right === "put" && q.expiry === "2019-02-15");
    const spot = quotes[0]!.underlyingPrice!;
    const atm = quotes.reduce((a, b) => (Math.abs(b.strike - spot) < Math.abs(a.strike - spot) ? b : a));
    const wing = quotes[0]!;
    const rel = (x: OptionQuote) => (x.ask - x.bid) / ((x.ask + x.bid) / 2);
    expect(rel(wing)).toBeGreaterThan(rel(atm));
    expect(atm.volume + atm.openInterest).toBeGreaterThan(wing.volume + wing.openInterest);
  });

  it("ramps AAPL implied vol into earnings and crushes it after", () => {
    // ATM IV of the 2019-01-25 weekly (the first expiry after the 2019-01-23 reaction) at each close.
    const atmIv = (date: string): number => {
      const t = tradingCalendar.closeMicros(date);
      const quotes = chains.get(`AAPL|${t}`)!.filter((q) => q.expiry === "2019-02-15" && q.right === "call");
      const spot = spots.get(`AAPL|${t}`)!;
      return quotes.reduce((a, b) => (Math.abs(b.strike - spot) < Math.abs(a.strike - spot) ? b : a)).vendor!
        .iv!;
    };
    const ramp = ["2019-01-14", "2019-01-17", "2019-01-22"].map(atmIv);
    expect(ramp[1]!).toBeGreaterThan(ramp[0]!);
    expect(ramp[2]!).toBeGreaterThan(ramp[1]!);
    expect(atmIv("2019-01-23")).toBeLessThan(ramp[2]! * 0.9);
    const result = events.filter((e) => e.kind === "EarningsEvent" && e.symbol === "AAPL");
    expect(
      result.some((e) => e.kind === "EarningsEvent" && e.date === "2019-01-22" && e.actualMove !== undefined),
    ).toBe(true);
  });

  it("stamps the dividend yield on every bar", () => {
    const ticks = events.filter((e): e is UnderlyingTick => e.kind === "UnderlyingTick");
    expect(ticks.every((t) => t.dividendYield === (t.symbol === "SPY" ? 0.019 : 0.015))).toBe(true);
    expect(ticks.filter((t) => t.open !== undefined).every((t) => t.high! >= t.low!)).toBe(true);
  });
});

describe("chain model prices", () => {
  it("are strictly monotone/convex in strike and within bounds for any market state", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 20, max: 2000, noNaN: true }),
        fc.double({ min: 0.06, max: 0.9, noNaN: true }),
        fc.double({ min: 0, max: 0.06, noNaN: true }),
        fc.double({ min: 0, max: 0.04, noNaN: true }),
        fc.constantFrom<"american" | "european">("american", "european"),
        (spot, atmVol, rate, divYield, style) => {
          const ticker = { ...SPY, dividendYield: divYield, options: { ...SPY.options, style } };
          const eventTime = tradingCalendar.closeMicros("2019-01-14") - 6 * 3_600_000_000;
          const expiries = ["2019-01-14", "2019-01-18", "2019-02-15", "2019-03-15"].map((expiry) => ({
            expiry,
            dte: 0,
            monthly: true,
            expiryMicros: tradingCalendar.closeMicros(expiry),
          }));
          const slices = buildChain({
            ticker,
            eventTime,
            seq: 0,
            spot,
            rate,
            shape,
            curve: { spotVariance: atmVol ** 2, longRunVariance: 0.04, meanReversion: 4, events: [] },
            expiries,
            policy: defaultListingPolicy(spot),
            pricer: optionsMathPricer,
            rng: createRng(1),
            openInterest: new OpenInterestBook(),
            stress: 1,
          });
          for (const s of slices) {
            for (const [rows, dir] of [
              [s.calls, -1],
              [s.puts, 1],
            ] as const) {
              for (let i = 1; i < rows.length; i++) {
                const tol = 1e-9 * spot;
                expect(dir * (rows[i]!.modelPrice - rows[i - 1]!.modelPrice)).toBeGreaterThanOrEqual(-tol);
                if (i >= 2) {
                  const [a, b, c] = [rows[i - 2]!, rows[i - 1]!, rows[i]!];
                  const w = (c.quote.strike - b.quote.strike) / (c.quote.strike - a.quote.strike);
                  expect(b.modelPrice).toBeLessThanOrEqual(
                    w * a.modelPrice + (1 - w) * c.modelPrice + 1e-7 * spot,
                  );
                }
              }
              for (const r of rows) {
                expect(r.modelPrice).toBeLessThanOrEqual(r.quote.right === "call" ? spot : r.quote.strike);
                expect(r.quote.bid).toBeLessThanOrEqual(r.quote.ask);
              }
            }
          }
        },
      ),
      { numRuns: 25, seed: 42 },
    );
  });
});

describe("chains driven by real history", () => {
  it("follows the real S&P 500 closes and VIX for SPX, European cash-settled, arbitrage-free at $0.05 ticks", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gen-real-"));
    const out = join(dir, "spx.ndjson.gz");
    await generateReplayFile({
      underlyings: ["SPX"],
      from: "2018-02-01",
      to: "2018-02-09",
      seed: 3,
      out,
      times: ["close"],
      rate: 0.015,
      sp500History: `${repoRoot}replays/sources/sp500-2000-2020.csv`,
      vixHistory: `${repoRoot}replays/sources/vix-2014-2019.csv`,
    });
    const lines = gunzipSync(readFileSync(out))
      .toString("utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Event);
    const closes = lines.filter((e): e is UnderlyingTick => e.kind === "UnderlyingTick").map((t) => t.price);
    // Real closes 2018-02-01..09 (vega-datasets), rounded to cents; the real VIX of 2018-02-05 was 37.32.
    expect(closes).toEqual([2821.98, 2762.13, 2648.94, 2695.14, 2681.66, 2581, 2619.55]);
    expect(lines.some((e) => e.kind === "IndexTick" && e.value === 37.32)).toBe(true);
    const quotes = lines.filter((e): e is OptionQuote => e.kind === "OptionQuote");
    expect(quotes.every((q) => q.style === "european" && q.settlement === "cash")).toBe(true);
    expect(quotes.some((q) => q.contract.startsWith("SPXW  "))).toBe(true);
    expect(quotes.some((q) => q.contract.startsWith("SPX   180216"))).toBe(true);
    const byTime = new Map<number, OptionQuote[]>();
    for (const q of quotes) byTime.set(q.eventTime, [...(byTime.get(q.eventTime) ?? []), q]);
    for (const [t, chain] of byTime) {
      const spot = chain[0]!.underlyingPrice!;
      const tYears = (expiry: string) => (tradingCalendar.closeMicros(expiry) - t) / YEAR_MICROS;
      const violations = checkChainArbitrage(chain, {
        spot,
        tickTolerance: (price) => (price < 3 ? 0.01 : 0.05),
        tYears,
        forward: (e) => spot * Math.exp((0.015 - 0.019) * tYears(e)),
      });
      expect(violations).toEqual([]);
    }
  });
});

describe("thetaflow generate determinism", () => {
  const dir = mkdtempSync(join(tmpdir(), "gen-"));
  const run = (seed: number, name: string) =>
    generateReplayFile({
      underlyings: ["SPY"],
      from: "2019-01-02",
      to: "2019-01-11",
      seed,
      out: join(dir, name),
      times: ["close"],
      rate: 0.02,
    });

  it("writes byte-identical files for the same arguments and different ones for another seed", async () => {
    const a = await run(7, "a.ndjson.gz");
    const b = await run(7, "b.ndjson.gz");
    const c = await run(8, "c.ndjson.gz");
    expect(readFileSync(join(dir, "a.ndjson.gz")).equals(readFileSync(join(dir, "b.ndjson.gz")))).toBe(true);
    expect(a.file.sha256).toBe(b.file.sha256);
    expect(c.file.sha256).not.toBe(a.file.sha256);
    const lines = gunzipSync(readFileSync(join(dir, "a.ndjson.gz")))
      .toString("utf8")
      .trim()
      .split("\n");
    expect(lines.length).toBe(a.file.lines);
    lines.forEach((line, i) => {
      const e = JSON.parse(line) as { seq: number; eventTime: number };
      expect(e.seq).toBe(i + 1);
      expect(Number.isInteger(e.eventTime)).toBe(true);
    });
  });
});
