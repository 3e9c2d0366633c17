import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { OptionQuote, UnderlyingTick } from "@thetaflow/schemas";
import { decodeEvent } from "@thetaflow/schemas";
import { describe, expect, it } from "vitest";
import { importCboeChain } from "./cboe.js";
import { importReplayFile } from "./importReplay.js";
import { applyMappingFlags, csvPresets, importVendorCsv, parseCsvMappingYaml } from "./vendorCsv.js";
import { importYahooChain } from "./yahoo.js";

const fixture = (name: string) => join(import.meta.dirname, "fixtures", name);
const readJson = (name: string): unknown => JSON.parse(readFileSync(fixture(name), "utf8"));
const quotesOf = (events: ReadonlyArray<{ kind: string }>) =>
  events.filter((e): e is OptionQuote => e.kind === "OptionQuote");

describe("Yahoo / yfinance option chain JSON", () => {
  const r = importYahooChain(readJson("yahoo-spy-chain.json"), "yahoo-spy-chain.json");

  it("emits the underlying quote first, then one OptionQuote per good row", () => {
    expect(r.events[0]!.kind).toBe("UnderlyingTick");
    const tick = r.events[0] as UnderlyingTick;
    expect(tick).toMatchObject({
      symbol: "SPY",
      price: 275.01,
      bid: 274.98,
      ask: 275.02,
      eventTime: 1552075200 * 1e6,
    });
    const quotes = quotesOf(r.events);
    expect(quotes.map((q) => q.contract)).toEqual([
      "SPY   190315C00270000",
      "SPY   190315C00275000",
      "SPY   190315C00280000",
      "SPY   190315P00270000",
      "SPY   190322P00270000",
    ]);
    const first = quotes[0]!;
    expect(first).toMatchObject({
      expiry: "2019-03-15",
      strike: 270,
      right: "call",
      style: "american",
      bid: 6.27,
      ask: 6.31,
    });
    expect(first.vendor).toEqual({ iv: 0.1658 });
    expect(first).toMatchObject({ volume: 5230, openInterest: 41210, last: 6.3, underlyingPrice: 275.01 });
    // Yahoo leaves volume/openInterest out on quiet contracts.
    expect(quotes[2]).toMatchObject({ volume: 0, openInterest: 0 });
  });

  it("dead-letters crossed quotes, missing strikes and symbol/strike disagreements with their location", () => {
    expect(r.deadLetters.map((d) => [d.origin, d.reason.split(":")[0]])).toEqual([
      ["yahoo-spy-chain.json:options[0].puts[1]", "OptionQuote"],
      ["yahoo-spy-chain.json:options[1].calls[0]", "missing strike, bid or ask"],
      ["yahoo-spy-chain.json:options[1].calls[1]", "strike 285 disagrees with contractSymbol 280"],
    ]);
    expect(r.deadLetters[0]!.reason).toContain("crossed quote");
    expect(JSON.parse(r.deadLetters[0]!.raw).contractSymbol).toBe("SPY190315P00275000");
  });

  it("refuses a document that is not an option chain", () => {
    const bad = importYahooChain({ quoteResponse: {} }, "x.json");
    expect(bad.events).toEqual([]);
    expect(bad.deadLetters[0]!.reason).toMatch(/optionChain\.result\[0\]/);
  });
});

describe("CBOE delayed quotes JSON", () => {
  const r = importCboeChain(readJson("cboe-spx-delayed.json"), "cboe.json");

  it("reads SPX/SPXW as European cash-settled with CBOE's Greeks kept as vendor analytics", () => {
    const quotes = quotesOf(r.events);
    expect(quotes).toHaveLength(2);
    expect(quotes[0]).toMatchObject({
      contract: "SPXW  190311C02750000",
      underlying: "SPX",
      style: "european",
      settlement: "cash",
      strike: 2750,
      bidSize: 45,
      askSize: 30,
      openInterest: 2510,
      volume: 7421,
      last: 9.9,
    });
    expect(quotes[0]!.vendor).toEqual({
      iv: 0.1312,
      delta: 0.4512,
      gamma: 0.0123,
      vega: 0.9541,
      theta: -3.2103,
    });
    // 16:15:02 New York on 2019-03-08 (EST) is 21:15:02 UTC.
    expect(quotes[0]!.eventTime).toBe(Date.UTC(2019, 2, 8, 21, 15, 2) * 1000);
    expect(r.events[0]).toMatchObject({ kind: "UnderlyingTick", symbol: "SPX", price: 2743.07 });
  });

  it("dead-letters a missing ask, an unparseable symbol and a negative bid", () => {
    expect(r.deadLetters.map((d) => d.origin)).toEqual([
      "cboe.json:data.options[2]",
      "cboe.json:data.options[3]",
      "cboe.json:data.options[4]",
    ]);
    expect(r.deadLetters[1]!.reason).toMatch(/unparseable option symbol/);
    expect(r.deadLetters[2]!.reason).toMatch(/bid/);
  });
});

describe("vendor CSV", () => {
  it("imports a ThetaData-style file (strikes in 1/10 cent, date + ms_of_day)", async () => {
    const r = await importVendorCsv(
      readFileSync(fixture("thetadata-eod.csv"), "utf8"),
      csvPresets.thetadata,
      "theta.csv",
    );
    const quotes = quotesOf(r.events);
    expect(quotes.map((q) => q.contract)).toEqual([
      "AAPL  190315C00170000",
      "AAPL  190315C00175000",
      "AAPL  190315P00170000",
    ]);
    expect(quotes[0]).toMatchObject({
      strike: 170,
      bid: 2.15,
      ask: 2.2,
      bidSize: 120,
      underlyingPrice: 172.91,
    });
    expect(quotes[0]!.vendor).toEqual({
      iv: 0.2412,
      delta: 0.5521,
      gamma: 0.0541,
      vega: 0.1612,
      theta: -0.1341,
    });
    expect(quotes[0]!.eventTime).toBe(Date.UTC(2019, 2, 8, 21, 0, 0) * 1000);
    expect(r.deadLetters.map((d) => d.origin)).toEqual(["theta.csv:5", "theta.csv:6", "theta.csv:7"]);
    expect(r.deadLetters[0]!.reason).toContain("crossed quote");
    expect(r.deadLetters[2]!.reason).toMatch(/cannot identify the contract/);
  });

  it("imports a Polygon-style file (O: tickers, nanosecond timestamps)", async () => {
    const r = await importVendorCsv(
      readFileSync(fixture("polygon-quotes.csv"), "utf8"),
      csvPresets.polygon,
      "poly.csv",
    );
    const quotes = quotesOf(r.events);
    expect(quotes.map((q) => [q.contract, q.eventTime])).toEqual([
      ["SPY   190315C00275000", 1552075199123456],
      ["SPY   190315P00275000", 1552075199223456],
    ]);
    expect(r.deadLetters[0]!.reason).toMatch(/bad time/);
  });

  it("maps arbitrary columns from YAML, and --map flags override it", async () => {
    const mapping = parseCsvMappingYaml(
      readFileSync(fixture("custom-mapping.yaml"), "utf8"),
      "custom-mapping.yaml",
    );
    const r = await importVendorCsv(
      readFileSync(fixture("custom-vendor.csv"), "utf8"),
      mapping,
      "custom.csv",
    );
    expect(quotesOf(r.events).map((q) => [q.contract, q.right, q.vendor?.iv])).toEqual([
      ["QQQ   190315C00170000", "call", 0.182],
      ["QQQ   190315P00170000", "put", 0.191],
    ]);
    const overridden = applyMappingFlags(mapping, ["vendor.iv=b"]);
    expect(overridden.columns["vendor.iv"]).toBe("b");
    expect(() => applyMappingFlags(mapping, ["colour=x"])).toThrow(/invalid CSV mapping/);
    expect(() => parseCsvMappingYaml("columns: {bid: b}\nextra: 1\n", "m.yaml")).toThrow(/m\.yaml/);
  });
});

describe("importReplayFile", () => {
  it("writes a decodable replay and a dead-letter NDJSON beside it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "import-"));
    const out = join(dir, "spy.ndjson");
    const r = await importReplayFile({ format: "yahoo", input: fixture("yahoo-spy-chain.json"), out });
    expect(r.replay.countsByKind).toEqual({ UnderlyingTick: 1, OptionQuote: 5 });
    const lines = readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    for (const l of lines) expect(decodeEvent(l).ok).toBe(true);
    const dead = readFileSync(r.deadLetterPath, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(dead).toHaveLength(3);
    for (const d of dead) expect(decodeEvent(d, "DeadLetter").ok).toBe(true);
    expect(r.deadLetters).toBe(3);
  });

  it("requires a CSV mapping", async () => {
    await expect(
      importReplayFile({ format: "csv", input: fixture("custom-vendor.csv"), out: "/tmp/none.ndjson" }),
    ).rejects.toThrow(/needs a mapping/);
  });
});
