import { runOperator } from "@thetaflow/core";
import type { EarningsEvent, Event, Regime, Signal, VolFeatures } from "@thetaflow/schemas";
import { Schema } from "effect";
import { describe, expect, it } from "vitest";
import { daysFromIso } from "../calendar/nyTime.js";
import { chain, closeOf, tick } from "./__fixtures__/market.js";
import { EarningsCrushParams, earningsCrush } from "./earningsCrush.js";
import { IronCondorParams, ironCondor } from "./ironCondor.js";
import { IvRankParams, ivRankStrategy } from "./ivRankStrategy.js";
import { RouteParams, route } from "./route.js";
import { tickerContext } from "./tickerContext.js";

const day0 = "2019-03-04";
const day1 = "2019-03-05";
const strikes = Array.from({ length: 41 }, (_, i) => 80 + i);

const vol = (u: string, date: string, ivRank: number | null): VolFeatures => ({
  kind: "VolFeatures",
  eventTime: closeOf(date),
  seq: 0,
  underlying: u,
  values: { iv_rank: ivRank, iv_percentile: ivRank, rv_20: 0.15 },
});
const regime = (u: string, date: string, name: Regime["regime"]): Regime => ({
  kind: "Regime",
  eventTime: closeOf(date),
  seq: 0,
  underlying: u,
  regime: name,
  daysInRegime: 3,
  ivRank: null,
  vix: 14,
});

/** One decision day: inputs at day0, then the next day's first quote closes the snapshot. */
const decideOn = (
  op: typeof ivRankStrategy | typeof ironCondor | typeof earningsCrush,
  params: unknown,
  inputs: Event[],
  expiries: string[],
  iv = 0.22,
) => {
  const events: Event[] = [
    tick("SPY", day0, 100),
    ...inputs,
    ...chain({ underlying: "SPY", date: day0, spot: 100, expiries, strikes, vol: iv }),
    ...chain({ underlying: "SPY", date: day1, spot: 101, expiries, strikes, vol: 0.22 }).slice(0, 1),
  ];
  const { outputs, deadLetters } = runOperator(op as never, params, events, { end: false });
  expect(deadLetters).toEqual([]);
  return outputs as Signal[];
};

describe("IV-rank strategy", () => {
  const p = Schema.decodeUnknownSync(IvRankParams)({ minDte: 3, maxDte: 10 });

  it("sells a ~0.25-delta put credit spread $5 wide when IV rank is high", () => {
    const [s, ...rest] = decideOn(
      ivRankStrategy,
      p,
      [vol("SPY", day0, 0.85), regime("SPY", day0, "iv_contraction")],
      ["2019-03-08", "2019-03-15"],
    );
    expect(rest).toEqual([]);
    expect(s).toMatchObject({
      strategy: "iv_rank_sell",
      action: "sell_put_credit_spread",
      expiration: "2019-03-08",
      dte: 4,
      eventTime: closeOf(day0),
    });
    expect(s!.sellStrike! - s!.buyStrike!).toBe(5);
    // Nearest listed $1 strike: at 4 DTE one strike moves delta by ~0.1.
    expect(Math.abs((s!.features.sell_delta ?? 0) + 0.25)).toBeLessThan(0.08);
    expect(s!.creditOrDebit).toBeGreaterThan(0);
    expect(s!.maxRisk).toBeCloseTo(5 - s!.creditOrDebit, 6);
    // Seeds: min(iv_rank, 0.95) x 1.2 in iv_contraction, capped at 0.98.
    expect(s!.confidence).toBe(0.98);
  });

  it("blends a model score 60/40 and records it", () => {
    const model = {
      kind: "ModelScore" as const,
      eventTime: closeOf(day0),
      seq: 0,
      underlying: "SPY",
      model: "xgb",
      version: "1",
      score: 0.3,
    };
    const [s] = decideOn(
      ivRankStrategy,
      p,
      [vol("SPY", day0, 0.8), regime("SPY", day0, "low_vol"), model],
      ["2019-03-08"],
    );
    expect(s!.confidence).toBeCloseTo(0.6 * 0.8 + 0.4 * 0.3, 6);
    expect(s!.model).toEqual({ name: "xgb", version: "1", score: 0.3 });
  });

  it("buys a call debit spread at low IV rank only in expansion / low-vol regimes; never in neutral", () => {
    const [d] = decideOn(
      ivRankStrategy,
      p,
      [vol("SPY", day0, 0.1), regime("SPY", day0, "low_vol")],
      ["2019-03-08"],
    );
    expect(d).toMatchObject({ strategy: "iv_rank_buy", action: "buy_call_debit_spread" });
    expect(d!.creditOrDebit).toBeLessThan(0);
    expect(
      decideOn(ivRankStrategy, p, [vol("SPY", day0, 0.1), regime("SPY", day0, "high_vol")], ["2019-03-08"]),
    ).toEqual([]);
    expect(
      decideOn(ivRankStrategy, p, [vol("SPY", day0, 0.95), regime("SPY", day0, "neutral")], ["2019-03-08"]),
    ).toEqual([]);
    // Missing IV rank = no signal; no expiry in the DTE window = no signal.
    expect(
      decideOn(ivRankStrategy, p, [vol("SPY", day0, null), regime("SPY", day0, "low_vol")], ["2019-03-08"]),
    ).toEqual([]);
    expect(
      decideOn(ivRankStrategy, p, [vol("SPY", day0, 0.9), regime("SPY", day0, "low_vol")], ["2019-04-19"]),
    ).toEqual([]);
  });

  it("reads inputs as of the snapshot: a regime stamped the next day does not leak into it", () => {
    const late = regime("SPY", day1, "neutral");
    const [s] = decideOn(
      ivRankStrategy,
      p,
      [vol("SPY", day0, 0.9), regime("SPY", day0, "low_vol"), late],
      ["2019-03-08"],
    );
    expect(s!.regime).toBe("low_vol");
  });
});

describe("iron condor and earnings crush", () => {
  it("iron condor: short ±0.16 delta with wings, credit below the width", () => {
    const p = Schema.decodeUnknownSync(IronCondorParams)({ minDte: 3, maxDte: 20 });
    const [s] = decideOn(
      ironCondor,
      p,
      [vol("SPY", day0, 0.7), regime("SPY", day0, "high_vol")],
      ["2019-03-15"],
    );
    expect(s!.legs.map((l) => `${l.side} ${l.right}`)).toEqual([
      "buy put",
      "sell put",
      "sell call",
      "buy call",
    ]);
    expect(s!.maxRisk + s!.creditOrDebit).toBeCloseTo(5, 6);
  });

  it("earnings crush: sells the event premium the day of an after-close release, defined risk by default", () => {
    const announced: EarningsEvent = {
      kind: "EarningsEvent",
      eventTime: closeOf("2019-02-01"),
      seq: 0,
      symbol: "SPY",
      date: day0,
      timing: "amc",
      confirmed: true,
    };
    const p = Schema.decodeUnknownSync(EarningsCrushParams)({});
    // Event premium: the chain before the release is priced at an elevated IV.
    const [s] = decideOn(
      earningsCrush,
      p,
      [announced, vol("SPY", day0, 0.8), regime("SPY", day0, "high_vol")],
      ["2019-03-08"],
      0.6,
    );
    expect(s).toMatchObject({ strategy: "earnings_iron_condor", action: "sell_iron_condor" });
    expect(s!.legs).toHaveLength(4);
    expect(s!.features.days_to_earnings).toBe(0);
    const naked = Schema.decodeUnknownSync(EarningsCrushParams)({ variant: "straddle" });
    const [st] = decideOn(
      earningsCrush,
      naked,
      [announced, vol("SPY", day0, 0.8), regime("SPY", day0, "high_vol")],
      ["2019-03-08"],
      0.6,
    );
    expect(st!.sellStrike).toBe(st!.buyStrike);
    expect(st!.maxRisk).toBeCloseTo(3 * st!.creditOrDebit, 4);
    // Outside the window (release in 10 days): nothing.
    const later: EarningsEvent = { ...announced, date: "2019-03-14" };
    expect(decideOn(earningsCrush, p, [later, vol("SPY", day0, 0.8)], ["2019-03-15"], 0.6)).toEqual([]);
  });
});

describe("ticker context and router", () => {
  const p = Schema.decodeUnknownSync(RouteParams)({});
  const d = daysFromIso(day0);

  it("ETFs are always core; stocks go earnings -> blackout -> core by days to the release", () => {
    expect(tickerContext("SPY", d, [day0], p.universe, 1).context).toBe("core");
    expect(tickerContext("AAPL", d, [day0], p.universe, 1)).toMatchObject({
      context: "earnings",
      daysToEarnings: 0,
    });
    expect(tickerContext("AAPL", d, ["2019-03-08"], p.universe, 1)).toMatchObject({
      context: "blackout",
      daysToEarnings: 4,
    });
    expect(tickerContext("AAPL", d, ["2019-03-20"], p.universe, 1).context).toBe("core");
    expect(tickerContext("AAPL", d, [], p.universe, 1).context).toBe("core");
  });

  it("passes core signals in core context, earnings signals in the earnings window, nothing in blackout", () => {
    const sig = (underlying: string, strategy: string): Signal => ({
      kind: "Signal",
      eventTime: closeOf(day0),
      seq: 0,
      id: `${strategy}:${underlying}`,
      underlying,
      strategy,
      action: "x",
      legs: [],
      buyStrike: null,
      sellStrike: null,
      expiration: "2019-03-08",
      dte: 4,
      creditOrDebit: 1,
      maxProfit: 1,
      maxRisk: 4,
      confidence: 0.8,
      regime: "low_vol",
      ivRank: 0.8,
      features: {},
    });
    const release = (date: string): EarningsEvent => ({
      kind: "EarningsEvent",
      eventTime: closeOf("2019-02-01"),
      seq: 0,
      symbol: "AAPL",
      date,
      timing: "amc",
      confirmed: true,
    });
    const run = (events: Event[]) => (runOperator(route, p, events).outputs as Signal[]).map((s) => s.id);
    expect(
      run([
        release("2019-03-08"),
        sig("AAPL", "iv_rank_sell"),
        sig("AAPL", "earnings_strangle"),
        sig("SPY", "iv_rank_sell"),
      ]),
    ).toEqual(["iv_rank_sell:SPY"]);
    expect(run([release(day0), sig("AAPL", "iv_rank_sell"), sig("AAPL", "earnings_strangle")])).toEqual([
      "earnings_strangle:AAPL",
    ]);
    expect(
      run([release("2019-04-30"), sig("AAPL", "iv_rank_sell"), sig("AAPL", "earnings_strangle")]),
    ).toEqual(["iv_rank_sell:AAPL"]);
  });
});
