import type { EarningsEvent, Greeks, ModelScore, OptionQuote, RegimeName, Signal } from "@thetaflow/schemas";
import { daysFromIso, nyDayNumber, nyIsoDate } from "../calendar/nyTime.js";
import { analyticsOf, type ContractAnalytics } from "./contractAnalytics.js";
import { lookupSnapshot, type SnapshotView, snapshotItems } from "./snapshotLog.js";
import type { EarningsCalendar } from "./tickerContext.js";

/** Everything a strategy sees about one underlying at one snapshot time (inputs as of that time). */
export interface MarketView {
  readonly underlying: string;
  readonly time: number;
  readonly date: string;
  readonly day: number;
  readonly spot: number;
  readonly quotes: readonly OptionQuote[];
  readonly ivRank: number | null;
  readonly ivPercentile: number | null;
  readonly regime: RegimeName | null;
  readonly model: ModelScore | null;
  /** VolFeatures and FeatureVector values by name (null = missing). */
  readonly features: Readonly<Record<string, number | null>>;
  readonly earnings: EarningsCalendar;
  readonly lastEarnings: EarningsEvent | null;
  analytics(quote: OptionQuote): ContractAnalytics | null;
  quote(contract: string): OptionQuote | undefined;
}

export const contractKey = (q: { readonly contract: string }): string => q.contract;

export const buildMarketView = (args: {
  underlying: string;
  time: number;
  spot: number;
  divYield: number;
  rate: number;
  chain: SnapshotView<OptionQuote>;
  greeks: SnapshotView<Greeks>;
  ivRank: number | null;
  ivPercentile: number | null;
  regime: RegimeName | null;
  model: ModelScore | null;
  features: Readonly<Record<string, number | null>>;
  earnings: EarningsCalendar;
  lastEarnings: EarningsEvent | null;
}): MarketView => {
  const cache = new Map<string, ContractAnalytics | null>();
  const greeksAt = args.greeks.log.time === args.time ? args.greeks : undefined;
  return {
    underlying: args.underlying,
    time: args.time,
    date: nyIsoDate(args.time),
    day: nyDayNumber(args.time),
    spot: args.spot,
    quotes: snapshotItems(args.chain),
    ivRank: args.ivRank,
    ivPercentile: args.ivPercentile,
    regime: args.regime,
    model: args.model,
    features: args.features,
    earnings: args.earnings,
    lastEarnings: args.lastEarnings,
    analytics: (q) => {
      let a = cache.get(q.contract);
      if (a === undefined && !cache.has(q.contract)) {
        const g = greeksAt === undefined ? undefined : lookupSnapshot(greeksAt, q.contract, contractKey);
        a = analyticsOf(q, args.spot, args.rate, args.divYield, g);
        cache.set(q.contract, a);
      }
      return a ?? null;
    },
    quote: (contract) => lookupSnapshot(args.chain, contract, contractKey),
  };
};

export const dteOf = (view: MarketView, expiry: string): number => daysFromIso(expiry) - view.day;

/** Expirations of the chain within [minDte, maxDte], the one nearest `targetDte` first. */
export const expiriesByPreference = (
  view: MarketView,
  minDte: number,
  maxDte: number,
  targetDte: number,
): string[] => {
  const set = new Set<string>();
  for (const q of view.quotes) set.add(q.expiry);
  return [...set]
    .map((e) => ({ e, dte: dteOf(view, e) }))
    .filter((x) => x.dte >= minDte && x.dte <= maxDte)
    .sort((a, b) => Math.abs(a.dte - targetDte) - Math.abs(b.dte - targetDte) || a.dte - b.dte)
    .map((x) => x.e);
};

/** Quotes of one expiry and right with a two-sided market, by strike ascending. */
export const sideOfChain = (view: MarketView, expiry: string, right: "call" | "put"): OptionQuote[] =>
  view.quotes
    .filter((q) => q.expiry === expiry && q.right === right && q.ask > 0 && q.ask >= q.bid)
    .sort((a, b) => a.strike - b.strike);

/** The quote whose delta is nearest `targetDelta` (signed: puts negative). */
export const nearestDelta = (
  view: MarketView,
  quotes: readonly OptionQuote[],
  targetDelta: number,
): { quote: OptionQuote; delta: number } | null => {
  let best: { quote: OptionQuote; delta: number } | null = null;
  for (const q of quotes) {
    const a = view.analytics(q);
    if (a === null) continue;
    if (best === null || Math.abs(a.delta - targetDelta) < Math.abs(best.delta - targetDelta))
      best = { quote: q, delta: a.delta };
  }
  return best;
};

/** Listed strike nearest `strike` among `quotes`. */
export const nearestStrike = (quotes: readonly OptionQuote[], strike: number): OptionQuote | null => {
  let best: OptionQuote | null = null;
  for (const q of quotes)
    if (best === null || Math.abs(q.strike - strike) < Math.abs(best.strike - strike)) best = q;
  return best;
};

export const legOf = (q: OptionQuote, side: "buy" | "sell"): Signal["legs"][number] => ({
  contract: q.contract,
  right: q.right,
  strike: q.strike,
  expiry: q.expiry,
  side,
  ratio: 1,
});

/** Bid-ask spread as a fraction of mid (a liquidity feature the seeds record on signals). */
export const spreadPct = (q: OptionQuote): number | null => {
  const mid = 0.5 * (q.bid + q.ask);
  return mid > 0 ? (q.ask - q.bid) / mid : null;
};

export const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;

export const modelProbability = (view: MarketView): number | null => view.model?.score ?? null;

/** `model` / `modelFallback` fields of a Signal from the model score seen at decision time. */
export const modelFields = (view: MarketView): Pick<Signal, "model" | "modelFallback"> => {
  const m = view.model;
  if (m === null) return {};
  if (m.score === null) return { modelFallback: m.fallbackReason ?? "model returned no score" };
  return { model: { name: m.model, version: m.version, score: m.score } };
};
