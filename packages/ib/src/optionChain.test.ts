import { describe, expect, it } from "vitest";
import { type OptionChainRow, selectChainContracts } from "./optionChain.js";

const row = (over: Partial<OptionChainRow>): OptionChainRow => ({
  exchange: "SMART",
  tradingClass: "SPY",
  multiplier: 100,
  expirations: ["20260102", "20260109", "20260116", "20260320"],
  strikes: [560, 570, 580, 590, 595, 600, 605, 610, 620, 630, 700],
  ...over,
});

describe("option chain selection", () => {
  it("keeps SMART rows, expiries inside the window and strikes near spot, nearest strikes of every expiry first", () => {
    const rows = [row({ exchange: "CBOE", strikes: [1, 2, 3] }), row({})];
    const picked = selectChainContracts(rows, 601, "2026-01-05", {
      maxDte: 30,
      moneyness: 0.05,
      maxContracts: 8,
    });
    // 2026-01-02 is past and 2026-03-20 too far; 600 and 605 are the two nearest strikes of each expiry.
    expect(picked).toEqual([
      "SPY   260109C00600000",
      "SPY   260109P00600000",
      "SPY   260109C00605000",
      "SPY   260109P00605000",
      "SPY   260116C00600000",
      "SPY   260116P00600000",
      "SPY   260116C00605000",
      "SPY   260116P00605000",
    ]);
  });

  it("names each expiry by the trading class that lists it and falls back to other exchanges", () => {
    const rows = [
      row({ exchange: "CBOE", tradingClass: "SPX", expirations: ["20260116"], strikes: [6000] }),
      row({ exchange: "CBOE", tradingClass: "SPXW", expirations: ["20260109", "20260116"], strikes: [6000] }),
    ];
    expect(
      selectChainContracts(rows, 6010, "2026-01-05", { maxDte: 30, moneyness: 0.1, maxContracts: 10 }),
    ).toEqual([
      "SPXW  260109C06000000",
      "SPXW  260109P06000000",
      "SPX   260116C06000000",
      "SPX   260116P06000000",
    ]);
  });

  it("selects nothing when no listed expiry or strike qualifies", () => {
    expect(
      selectChainContracts([row({})], 601, "2027-01-01", { maxDte: 30, moneyness: 0.1, maxContracts: 90 }),
    ).toEqual([]);
    expect(
      selectChainContracts([], 601, "2026-01-05", { maxDte: 30, moneyness: 0.1, maxContracts: 90 }),
    ).toEqual([]);
  });
});
