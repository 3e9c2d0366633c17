import { runOperator } from "@thetaflow/core";
import { americanPrice, europeanGreeks, europeanPrice, impliedVol } from "@thetaflow/options-math";
import type { Greeks, OptionQuote, UnderlyingTick } from "@thetaflow/schemas";
import { Schema } from "effect";
import { describe, expect, it } from "vitest";
import { yearsToExpiry } from "../calendar/nyTime.js";
import { GreeksParams, greeks } from "./greeks.js";

const T = Date.parse("2019-01-02T21:00:00Z") * 1000;
const params = Schema.decodeUnknownSync(GreeksParams)({});
const tick: UnderlyingTick = {
  kind: "UnderlyingTick",
  eventTime: T,
  seq: 0,
  symbol: "SPY",
  price: 250,
  dividendYield: 0.015,
};

const quote = (over: Partial<OptionQuote>): OptionQuote => ({
  kind: "OptionQuote",
  eventTime: T,
  seq: 1,
  contract: "SPY   190215P00240000",
  underlying: "SPY",
  expiry: "2019-02-15",
  strike: 240,
  right: "put",
  style: "european",
  settlement: "physical",
  multiplier: 100,
  bid: 1,
  ask: 1.2,
  bidSize: 0,
  askSize: 0,
  volume: 0,
  openInterest: 0,
  ...over,
});

const priced = (style: "european" | "american", right: "call" | "put", strike: number, vol: number) => {
  const tYears = yearsToExpiry(T, "2019-02-15");
  const inputs = { right, spot: 250, strike, tYears, rate: 0.03, divYield: 0.015, vol };
  const mid = style === "european" ? europeanPrice(inputs) : americanPrice(inputs);
  return quote({
    style,
    right,
    strike,
    bid: mid * 0.999,
    ask: mid * 1.001,
    contract: `SPY ${right}${strike}`,
  });
};

const greeksOf = (events: readonly (UnderlyingTick | OptionQuote)[], p = params) =>
  runOperator(greeks, p, events).outputs.filter((e): e is Greeks => e.kind === "Greeks");

describe("greeks operator", () => {
  it("recovers the volatility a European quote was priced at, with BSM Greeks at that vol", () => {
    const quotes = [200, 230, 250, 270, 300].flatMap((k) => [
      priced("european", "call", k, 0.22),
      priced("european", "put", k, 0.22),
    ]);
    const out = greeksOf([tick, ...quotes]);
    expect(out).toHaveLength(10);
    for (const g of out) {
      expect(g.status).toBe("ok");
      expect(g.iv!).toBeCloseTo(0.22, 9);
      const ref = europeanGreeks({
        right: g.right,
        spot: 250,
        strike: g.strike,
        tYears: g.tYears,
        rate: 0.03,
        divYield: 0.015,
        vol: g.iv!,
      });
      expect(g.delta!).toBeCloseTo(ref.delta, 12);
      expect(g.vega!).toBeCloseTo(ref.vega, 10);
      // Deep in-the-money bids can sit below intrinsic; out of the money every side solves.
      const otm = g.right === "call" ? g.strike >= 250 : g.strike <= 250;
      if (otm) {
        expect(g.ivBid!).toBeLessThan(g.iv!);
        expect(g.ivAsk!).toBeGreaterThan(g.iv!);
      }
    }
  });

  it("prices American contracts with the American engine (and European ones would be biased)", () => {
    const q = priced("american", "put", 270, 0.3);
    const [american] = greeksOf([tick, q]);
    expect(american!.iv!).toBeCloseTo(0.3, 5);
    const [asEuropean] = greeksOf([tick, q], { ...params, pricing: "european" });
    expect(asEuropean!.iv!).toBeGreaterThan(american!.iv! + 1e-4);
  });

  it("keeps the vendor's analytics beside ours and reports unsolvable quotes by status", () => {
    const withVendor = { ...priced("european", "call", 250, 0.2), vendor: { iv: 0.21, delta: 0.5 } };
    const noQuote = quote({ bid: 0, ask: 0, contract: "empty" });
    const belowIntrinsic = quote({ strike: 300, bid: 1, ask: 2, contract: "cheap" });
    const expired = quote({ expiry: "2019-01-01", contract: "expired" });
    const out = greeksOf([tick, withVendor, noQuote, belowIntrinsic, expired]);
    expect(out[0]!.vendor).toEqual({ iv: 0.21, delta: 0.5 });
    // Every Greeks event carries the quote it was solved from, solvable or not (a chain summary needs them).
    const traded = quote({ bid: 0, ask: 0, contract: "traded", volume: 12, openInterest: 340 });
    const [tradedGreeks] = greeksOf([tick, traded]);
    expect(tradedGreeks).toMatchObject({ bid: 0, ask: 0, volume: 12, openInterest: 340, status: "no_quote" });
    expect(out[0]).toMatchObject({ bid: withVendor.bid, ask: withVendor.ask, volume: 0, openInterest: 0 });
    expect(out.slice(1).map((g) => [g.status, g.iv, g.delta])).toEqual([
      ["no_quote", null, null],
      ["below_intrinsic", null, null],
      ["expired", null, null],
    ]);
  });

  it("gives a locked market's sides the mid IV, bit for bit what solving the side gives", () => {
    for (const style of ["european", "american"] as const) {
      const spread = priced(style, "put", 240, 0.25);
      const locked = { ...spread, bid: spread.bid, ask: spread.bid, contract: "locked" };
      const [solved, reused] = greeksOf([tick, spread, locked]);
      expect(reused!.status).toBe("ok");
      expect(reused!.ivBid).toBe(reused!.iv);
      expect(reused!.ivAsk).toBe(reused!.iv);
      // The spread quote's bid IV comes from an actual solve at the same price: Let's Be Rational for
      // the locked mid, and for a European spread the solve seeded by its mid, which agrees to ulps.
      if (style === "american") expect(Object.is(reused!.iv, solved!.ivBid)).toBe(true);
      else expect(Math.abs(solved!.ivBid! - reused!.iv!) / reused!.iv!).toBeLessThan(1e-12);
    }
  });

  it("solves European bid and ask IVs as Let's Be Rational does, to 1e-12, with its failures as null", () => {
    const tYears = yearsToExpiry(T, "2019-02-15");
    const quotes: OptionQuote[] = [];
    for (const right of ["call", "put"] as const) {
      for (const strike of [150, 200, 240, 250, 260, 300, 400]) {
        const fair = europeanPrice({
          right,
          spot: 250,
          strike,
          tYears,
          rate: 0.03,
          divYield: 0.015,
          vol: 0.25,
        });
        // A tick, 2%, 20% and 100% of the premium, a zero bid and a crossed market.
        for (const [bid, ask] of [
          [fair - 0.005, fair + 0.005],
          [fair * 0.99, fair * 1.01],
          [fair * 0.9, fair * 1.1],
          [fair * 0.5, fair * 1.5],
          [0, fair + 0.05],
          [fair * 1.01, fair * 1.02],
        ] as const) {
          quotes.push(quote({ right, strike, bid, ask, contract: `SPY ${right}${strike} ${bid}` }));
        }
      }
    }
    const out = greeksOf([tick, ...quotes]);
    let solvedSides = 0;
    for (const [i, g] of out.entries()) {
      const q = quotes[i]!;
      const lbr = (price: number) =>
        impliedVol({ ...q, style: "european", spot: 250, tYears, rate: 0.03, divYield: 0.015, price });
      for (const [side, price] of [
        [g.ivBid, q.bid],
        [g.ivAsk, q.ask],
      ] as const) {
        if (g.mid === null || (side === g.ivBid && !(q.bid > 0))) continue;
        const ref = lbr(price);
        if (ref.status !== "ok") expect(side).toBeNull();
        else {
          solvedSides++;
          expect(side).not.toBeNull();
          expect(Math.abs(side! - ref.iv!)).toBeLessThanOrEqual(1e-12 * ref.iv!);
        }
      }
    }
    expect(solvedSides).toBeGreaterThan(100);
  });

  it("dead-letters a quote with no spot at all and keeps going", () => {
    const run = runOperator(greeks, params, [quote({}), tick, quote({})]);
    expect(run.deadLetters).toHaveLength(1);
    expect(run.deadLetters[0]!.reason).toContain("no spot");
    expect(run.outputs).toHaveLength(1);
  });

  it("uses the quote's stamped underlying price when asked to", () => {
    const q = { ...priced("european", "call", 250, 0.2), underlyingPrice: 251 };
    const [fromTick] = greeksOf([tick, q]);
    const [fromQuote] = greeksOf([tick, q], { ...params, spot: "quote" });
    expect(fromTick!.spot).toBe(250);
    expect(fromQuote!.spot).toBe(251);
  });

  it("never mutates its state; quotes leave it untouched", () => {
    const s0 = greeks.init(params, { nodeId: "g", key: "SPY", seed: 0 });
    const frozen = Object.freeze({ ...s0 });
    const s1 = greeks.step(frozen, tick, { emit: () => {} }, params, { nodeId: "g", key: "SPY", seed: 0 });
    expect(frozen).toEqual(s0);
    const s2 = greeks.step(
      Object.freeze(s1),
      priced("european", "put", 240, 0.2),
      { emit: () => {} },
      params,
      {
        nodeId: "g",
        key: "SPY",
        seed: 0,
      },
    );
    expect(s2).toBe(s1);
  });
});
