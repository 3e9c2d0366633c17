import { describe, expect, it } from "vitest";
import { findTicker, loadUniverse, parseUniverse, projectEarningsDates } from "./universe.js";

describe("ticker universe", () => {
  const universe = loadUniverse();

  it("holds the seeds' tiers", () => {
    const tier = (n: number) => universe.tickers.filter((t) => t.tier === n).map((t) => t.symbol);
    expect(tier(1)).toEqual(expect.arrayContaining(["SPY", "QQQ", "IWM", "DIA"]));
    expect(tier(2)).toEqual(["AAPL", "MSFT", "GOOGL", "AMZN", "NVDA", "TSLA", "META", "NFLX"]);
    expect(tier(3)).toEqual(["XLF", "XLE", "XLK", "XLV"]);
    expect(findTicker(universe, "NVDA")?.earnings?.months).toEqual([2, 5, 8, 11]);
    expect(findTicker(universe, "AAPL")?.earnings?.blackoutDays).toBe(5);
    expect(findTicker(universe, "SPY")?.earnings).toBeUndefined();
  });

  it("rejects unknown fields and duplicates with the path of the problem", () => {
    const yaml = (extra: string) =>
      `version: 1\ntickers:\n  - symbol: SPY\n    name: x\n    tier: 1\n    type: etf\n    sector: s\n    referencePrice: 1\n    beta: 1\n    alwaysActive: true\n    minDte: 1\n    maxDte: 2\n    averageIv: 0.2\n    dividendYield: 0\n    dividendMonths: []\n    options: {pennyPilot: true, style: american, settlement: physical, weeklyExpiryWeekdays: [5], liquidity: 1}\n${extra}`;
    expect(parseUniverse(yaml(""), "u.yaml").tickers).toHaveLength(1);
    expect(() => parseUniverse(yaml("    colour: red\n"), "u.yaml")).toThrow(/u\.yaml: tickers\.0\.colour/);
    expect(() => parseUniverse(yaml("").replace("tier: 1", "tier: 7"), "u.yaml")).toThrow(/tier/);
  });

  it("projects earnings dates on sessions in the earnings months", () => {
    const aapl = findTicker(universe, "AAPL")!;
    const dates = projectEarningsDates(aapl, 2018, 2018);
    expect(dates.map((d) => d.date)).toEqual(["2018-01-23", "2018-04-24", "2018-07-24", "2018-10-23"]);
    expect(dates.every((d) => d.source === "projected")).toBe(true);
  });
});
