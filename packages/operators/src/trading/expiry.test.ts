import { runOperator } from "@thetaflow/core";
import type { Event, PortfolioSnapshot, Position } from "@thetaflow/schemas";
import { Schema } from "effect";
import { describe, expect, it } from "vitest";
import { chain, putSpreadSignal, tick } from "./__fixtures__/market.js";
import { settleLeg } from "./expiry.js";
import { newLeg, tradeLeg } from "./positionBook.js";
import { trading } from "./trading.js";
import { TradingParams } from "./tradingParams.js";

const days = ["2019-03-11", "2019-03-12", "2019-03-13", "2019-03-14", "2019-03-15"];
const expiry = "2019-03-15";
const strikes = [85, 90, 95, 100, 105, 110, 115];

// Exits that never fire before expiry, and limits wide enough that the size is the 2% rule's.
const params = Schema.decodeUnknownSync(TradingParams)({
  profitTarget: 1,
  creditStopMultiple: 1000,
  maxTimeElapsed: 1,
  maxPortfolioDelta: 1e6,
  maxPortfolioGamma: 1e6,
  maxPortfolioVega: 1e6,
});

/** Opens a 100/95 put credit spread on day 0 and walks spot to `finalSpot` at the expiry close. */
const runToExpiry = (finalSpot: number, settlement: "physical" | "cash" = "physical") => {
  const path = [100, 99.5, 99, 98.5, finalSpot];
  const events: Event[] = [];
  path.forEach((spot, i) => {
    const date = days[i]!;
    events.push(tick("SPY", date, spot));
    const quotes = chain({
      underlying: "SPY",
      date,
      spot,
      expiries: [expiry],
      strikes,
      vol: 0.2,
      settlement,
    });
    events.push(...quotes);
    if (i === 0) events.push(putSpreadSignal(quotes, { short: 100, long: 95, expiry }));
  });
  const { outputs, deadLetters } = runOperator(trading, params, events);
  expect(deadLetters).toEqual([]);
  const positions = outputs.filter((e): e is Position => e.kind === "Position");
  const last = positions[positions.length - 1]!;
  const snapshots = outputs.filter((e): e is PortfolioSnapshot => e.kind === "PortfolioSnapshot");
  const fills = outputs.filter((e) => e.kind === "Fill");
  return { last, snapshots, fills, outputs };
};

describe("expiration", () => {
  it("a spread straddling the strike: short put assigned, long put expires worthless", () => {
    const { last, snapshots, fills } = runToExpiry(97);
    expect(fills).toHaveLength(1);
    expect(last.status).toBe("closed");
    expect(last.exitReason).toMatch(/P00100000 assigned at intrinsic 3\.00 \(received \d+ shares at 97\.00/);
    expect(last.exitReason).toMatch(/P00095000 expired_worthless/);
    const [shortLeg, longLeg] = last.legs;
    expect(shortLeg!.quantity).toBe(0);
    expect(longLeg!.quantity).toBe(0);
    expect(last.realizedPnlCents).toBe(shortLeg!.realizedPnlCents + longLeg!.realizedPnlCents);
    // Short put: credit at entry minus 3.00 intrinsic per share, minus its commission.
    const fill = fills[0] as Extract<Event, { kind: "Fill" }>;
    const units = fill.quantity;
    const shortPrice = fill.legs.find((l) => l.side === "sell")!.price;
    expect(shortLeg!.realizedPnlCents).toBe(Math.round((shortPrice - 3) * 100 * 100 * units) - 65 * units);
    const final = snapshots[snapshots.length - 1]!;
    expect(final.openPositions).toBe(0);
    expect(final.equityCents).toBe(10_000_000 + last.realizedPnlCents);
    expect(final.cashCents).toBe(final.equityCents);
  });

  it("deep in the money: the long put is exercised and the short put assigned (max loss)", () => {
    const { last } = runToExpiry(90);
    expect(last.exitReason).toMatch(/P00095000 exercised at intrinsic 5\.00 \(delivered \d+ shares/);
    expect(last.exitReason).toMatch(/P00100000 assigned at intrinsic 10\.00/);
    const fill = runToExpiry(90).fills[0] as Extract<Event, { kind: "Fill" }>;
    // Loss per unit = width - credit, plus commissions.
    expect(last.realizedPnlCents).toBe(
      Math.round((fill.netPrice - 5) * 100 * 100 * fill.quantity) - fill.commissionCents,
    );
  });

  it("out of the money: both legs expire worthless and the whole credit is kept", () => {
    const { last, fills } = runToExpiry(104);
    expect(last.exitReason).toMatch(/P00100000 expired_worthless; .*P00095000 expired_worthless/);
    const fill = fills[0] as Extract<Event, { kind: "Fill" }>;
    expect(last.realizedPnlCents).toBe(
      Math.round(fill.netPrice * 100 * 100 * fill.quantity) - fill.commissionCents,
    );
  });

  it("cash settlement delivers no shares; a short strike at the settlement price is flagged as pin risk", () => {
    const { last } = runToExpiry(100.2, "cash");
    expect(last.exitReason).toMatch(/P00100000 expired_worthless \[pin risk\]/);
    const { last: itm } = runToExpiry(97, "cash");
    expect(itm.exitReason).toMatch(/P00100000 assigned at intrinsic 3\.00;/);
    expect(itm.exitReason).not.toMatch(/shares/);
  });

  it("settleLeg: exercise threshold, share direction of calls and puts", () => {
    const base = newLeg(
      { contract: "X", right: "call", strike: 50, expiry: "2019-03-15", side: "buy", ratio: 1 },
      chain({
        underlying: "SPY",
        date: days[0]!,
        spot: 100,
        expiries: [expiry],
        strikes: [100],
        vol: 0.2,
      })[0]!,
    );
    const longCall = tradeLeg({ ...base, right: "call" }, 2, 1, 0);
    expect(settleLeg(longCall, 50.005, 0.005)).toMatchObject({ outcome: "expired_worthless", shares: 0 });
    expect(settleLeg(longCall, 53, 0.005)).toMatchObject({ outcome: "exercised", price: 3, shares: 200 });
    const shortCall = tradeLeg({ ...base, right: "call" }, -1, 1, 0);
    expect(settleLeg(shortCall, 53, 0.005)).toMatchObject({
      outcome: "assigned",
      shares: -100,
      pinRisk: false,
    });
    const longPut = tradeLeg({ ...base, right: "put" }, 1, 1, 0);
    expect(settleLeg(longPut, 45, 0.005)).toMatchObject({ outcome: "exercised", price: 5, shares: -100 });
  });
});
