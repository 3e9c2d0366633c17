import type { OptionQuote } from "@thetaflow/schemas";
import type { IsoDate } from "../calendar/isoDate.js";
import type { Rng } from "../random/prng.js";
import { type SsviParams, ssviTotalVariance } from "../surface/ssvi.js";
import { atmTotalVariance, type VarianceCurve } from "../surface/termStructure.js";
import type { TickerConfig } from "../universe/universe.js";
import { type ActivityInputs, dailyVolume, type OpenInterestBook } from "./activity.js";
import type { ListedExpiry, ListingPolicy } from "./listing.js";
import { listedStrikes } from "./listing.js";
import { occSymbol } from "./occ.js";
import type { OptionPricer } from "./pricer.js";
import { enforceMonotoneQuotes, quoteAround, spreadWidth } from "./quoting.js";

const MICROS_PER_YEAR = 365 * 86_400_000_000;

/** Everything that fixes one chain snapshot of one underlying. */
export interface ChainInputs {
  readonly ticker: TickerConfig;
  readonly eventTime: number;
  readonly seq: number;
  readonly spot: number;
  readonly rate: number;
  readonly shape: SsviParams;
  readonly curve: VarianceCurve;
  readonly expiries: ReadonlyArray<ListedExpiry & { readonly expiryMicros: number }>;
  readonly policy: ListingPolicy;
  readonly pricer: OptionPricer;
  readonly rng: Rng;
  readonly openInterest: OpenInterestBook;
  /** Volume multiplier for the day (market stress). */
  readonly stress: number;
}

/** One quoted contract with the model values behind it (kept for no-arbitrage checks). */
export interface ModelQuote {
  readonly quote: OptionQuote;
  readonly modelPrice: number;
  readonly modelVol: number;
}

export interface ChainSlice {
  readonly expiry: IsoDate;
  readonly tYears: number;
  readonly forward: number;
  readonly calls: ModelQuote[];
  readonly puts: ModelQuote[];
}

const round = (x: number, decimals: number): number => Number(x.toFixed(decimals));

/** OCC root: SPX weeklies trade under SPXW; everything else under its own symbol. */
const occRoot = (ticker: TickerConfig, monthly: boolean): string =>
  ticker.symbol === "SPX" && !monthly ? "SPXW" : ticker.symbol;

export const buildChain = (c: ChainInputs): ChainSlice[] => {
  const q = c.ticker.dividendYield;
  const style = c.ticker.options.style;
  const tick = { pennyPilot: c.ticker.options.pennyPilot };
  const slices: ChainSlice[] = [];
  for (const e of c.expiries) {
    const tYears = (e.expiryMicros - c.eventTime) / MICROS_PER_YEAR;
    if (tYears <= 0) continue;
    const forward = c.spot * Math.exp((c.rate - q) * tYears);
    const theta = atmTotalVariance(c.curve, tYears);
    const atmVol = Math.sqrt(theta / tYears);
    const strikes = listedStrikes(c.spot, atmVol, tYears, c.policy);
    const sides = (["call", "put"] as const).map((right) => {
      const rows = strikes.map((strike) => {
        const k = Math.log(strike / forward);
        const vol = Math.sqrt(ssviTotalVariance(c.shape, theta, k) / tYears);
        const inputs = { right, spot: c.spot, strike, tYears, rate: c.rate, divYield: q, vol };
        const modelPrice = c.pricer.price(style, inputs);
        const z = k / Math.sqrt(theta);
        const width = spreadWidth({
          modelPrice,
          standardisedMoneyness: z,
          dte: e.dte,
          liquidity: c.ticker.options.liquidity,
          jitter: c.rng.uniform(),
        });
        return { strike, vol, modelPrice, z, inputs, ...quoteAround(modelPrice, width, tick) };
      });
      enforceMonotoneQuotes(rows, right === "call" ? "decreasing" : "increasing");
      return rows.map((r): ModelQuote => {
        const contract = occSymbol(occRoot(c.ticker, e.monthly), e.expiry, right, r.strike);
        const activity: ActivityInputs = {
          standardisedMoneyness: r.z,
          dte: e.dte,
          monthly: e.monthly,
          liquidity: c.ticker.options.liquidity,
          stress: c.stress,
        };
        const volume = dailyVolume(activity, c.rng);
        const openInterest = c.openInterest.next(contract, activity, volume, c.rng);
        const bid = r.bidCents / 100;
        const ask = r.askCents / 100;
        const quote: OptionQuote = {
          kind: "OptionQuote",
          eventTime: c.eventTime,
          seq: c.seq,
          contract,
          underlying: c.ticker.symbol,
          expiry: e.expiry,
          strike: r.strike,
          right,
          style,
          settlement: c.ticker.options.settlement,
          multiplier: 100,
          bid,
          ask,
          bidSize: 10 * (1 + Math.floor(c.rng.uniform() * 50 * c.ticker.options.liquidity)),
          askSize: 10 * (1 + Math.floor(c.rng.uniform() * 50 * c.ticker.options.liquidity)),
          ...(volume > 0 ? { last: round(Math.min(ask, Math.max(bid, r.modelPrice)), 2) } : {}),
          volume,
          openInterest,
          underlyingPrice: c.spot,
          vendor: { iv: round(r.vol, 6), delta: round(c.pricer.delta(r.inputs), 4) },
        };
        return { quote, modelPrice: r.modelPrice, modelVol: r.vol };
      });
    });
    slices.push({ expiry: e.expiry, tYears, forward, calls: sides[0]!, puts: sides[1]! });
  }
  return slices;
};
