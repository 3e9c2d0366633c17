import { bsmPrice } from "@thetaflow/options-math";
import { formatOcc, type OptionQuote, type Signal, type UnderlyingTick } from "@thetaflow/schemas";
import { daysFromIso, nyWallClockUs, yearsToExpiry } from "../../calendar/nyTime.js";

/** 16:00 New York close of an ISO date, as event time. */
export const closeOf = (date: string): number => nyWallClockUs(daysFromIso(date), 16);

export const tick = (symbol: string, date: string, price: number): UnderlyingTick => ({
  kind: "UnderlyingTick",
  eventTime: closeOf(date),
  seq: 0,
  symbol,
  price,
});

export interface ChainSpec {
  readonly underlying: string;
  readonly date: string;
  readonly spot: number;
  readonly expiries: readonly string[];
  readonly strikes: readonly number[];
  readonly vol: number;
  /** Half spread as a fraction of the price, floored at $0.01. */
  readonly halfSpread?: number;
  readonly size?: number;
  readonly settlement?: "physical" | "cash";
}

/** A BSM-priced chain with a bid/ask around the model price (European, flat vol). */
export const chain = (c: ChainSpec): OptionQuote[] => {
  const t = closeOf(c.date);
  const quotes: OptionQuote[] = [];
  for (const expiry of c.expiries)
    for (const strike of c.strikes)
      for (const right of ["put", "call"] as const) {
        const tYears = Math.max(yearsToExpiry(t, expiry), 0);
        const value =
          tYears > 0
            ? bsmPrice(right === "call" ? 1 : -1, c.spot, strike, tYears, 0.03, 0, c.vol)
            : Math.max(0, right === "call" ? c.spot - strike : strike - c.spot);
        const half = Math.max(0.01, value * (c.halfSpread ?? 0.02));
        const bid = Math.max(0, Math.round((value - half) * 100) / 100);
        const ask = Math.round((value + half) * 100) / 100 || 0.01;
        quotes.push({
          kind: "OptionQuote",
          eventTime: t,
          seq: 0,
          contract: formatOcc(c.underlying, expiry, right, strike),
          underlying: c.underlying,
          expiry,
          strike,
          right,
          style: "american",
          settlement: c.settlement ?? "physical",
          multiplier: 100,
          bid,
          ask: Math.max(ask, bid),
          bidSize: c.size ?? 500,
          askSize: c.size ?? 500,
          volume: 0,
          openInterest: 0,
        });
      }
  return quotes;
};

/** A put credit spread signal on quotes of `chain` (sell `short`, buy `long`). */
export const putSpreadSignal = (
  quotes: readonly OptionQuote[],
  args: {
    readonly short: number;
    readonly long: number;
    readonly expiry: string;
    readonly confidence?: number;
    readonly id?: string;
  },
): Signal => {
  const find = (strike: number) =>
    quotes.find((q) => q.right === "put" && q.strike === strike && q.expiry === args.expiry)!;
  const s = find(args.short);
  const l = find(args.long);
  const credit = Math.round((s.bid - l.ask) * 1e4) / 1e4;
  return {
    kind: "Signal",
    eventTime: s.eventTime,
    seq: 0,
    id: args.id ?? `test:${s.underlying}:${s.eventTime}:${args.short}`,
    underlying: s.underlying,
    strategy: "iv_rank_sell",
    action: "sell_put_credit_spread",
    legs: [
      { contract: s.contract, right: "put", strike: s.strike, expiry: s.expiry, side: "sell", ratio: 1 },
      { contract: l.contract, right: "put", strike: l.strike, expiry: l.expiry, side: "buy", ratio: 1 },
    ],
    sellStrike: s.strike,
    buyStrike: l.strike,
    expiration: args.expiry,
    dte: daysFromIso(args.expiry) - daysFromIso(new Date(s.eventTime / 1000).toISOString().slice(0, 10)),
    creditOrDebit: credit,
    maxProfit: credit,
    maxRisk: Math.round((args.short - args.long - credit) * 1e4) / 1e4,
    confidence: args.confidence ?? 0.8,
    regime: "low_vol",
    ivRank: 0.8,
    features: {},
  };
};
