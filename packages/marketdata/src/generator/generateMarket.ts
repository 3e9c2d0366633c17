import type { Event, IndexTick, UnderlyingTick } from "@thetaflow/schemas";
import { addDays, type IsoDate, yearOf } from "../calendar/isoDate.js";
import { easternTimeMicros } from "../calendar/nyseRules.js";
import type { EarningsDate } from "../calendar/referenceTables.js";
import type { TradingCalendar } from "../calendar/tradingCalendar.js";
import { createRng, type Rng } from "../random/prng.js";
import type { SsviParams } from "../surface/ssvi.js";
import { atmTotalVariance, spotVarianceFor, type VarianceCurve } from "../surface/termStructure.js";
import { projectEarningsDates, type TickerConfig } from "../universe/universe.js";
import { OpenInterestBook } from "./activity.js";
import { buildChain } from "./chain.js";
import { defaultListingPolicy, type ListingPolicy, listedExpiries } from "./listing.js";
import {
  type MarketHistory,
  type MarketStep,
  realMarketDay,
  simulateMarketDay,
  stockSteps,
} from "./marketPath.js";
import type { OptionPricer } from "./pricer.js";
import { barFields, earningsEvent, exDividendDates, marketLinkedScale } from "./snapshotEvents.js";
import { marketFactorParams, TRADING_DAYS_PER_YEAR, type VolState } from "./stochasticVol.js";

/** Implied over realised volatility (the variance risk premium, as a vol ratio). */
const VOL_RISK_PREMIUM = 1.1;
/** VIX (a 30-day variance swap) over 30-day ATM implied vol: the skew makes it larger. */
export const VIX_TO_ATM_RATIO = 1.12;
const T30 = 30 / 365;
const TERM_MEAN_REVERSION = 4;
/** Stocks' smiles are flatter than an index's: their ρ is this fraction of the index ρ. */
const STOCK_SKEW_SCALE = 0.55;

export interface MarketGeneratorConfig {
  readonly underlyings: ReadonlyArray<TickerConfig>;
  readonly from: IsoDate;
  readonly to: IsoDate;
  readonly seed: number;
  /** Snapshot times as minutes after midnight New York time; `"close"` is each session's close. */
  readonly snapshotTimes: ReadonlyArray<number | "close">;
  readonly pricer: OptionPricer;
  /** SSVI shape (ρ, η, γ) for index underlyings, e.g. calibrated to the reference surface. */
  readonly shape: SsviParams;
  readonly rate: number;
  readonly calendar: TradingCalendar;
  /** Real S&P 500/VIX history; when given, SPY/SPX follow it and other names load on it. */
  readonly history?: MarketHistory;
  /** Earnings dates; defaults to the universe's projection rule. */
  readonly earnings?: ReadonlyArray<EarningsDate>;
  readonly listing?: Partial<ListingPolicy>;
}

export interface GenerationStats {
  readonly tradingDays: number;
  readonly counts: Record<string, number>;
  /** Days of a real-history run with no real VIX close (a realised-vol estimate stood in). */
  readonly vixFallbackDays: number;
}

interface UnderlyingState {
  readonly ticker: TickerConfig;
  readonly pathRng: Rng;
  readonly chainRng: Rng;
  readonly vol: VolState;
  readonly idiosyncraticLongRun: number;
  readonly openInterest: OpenInterestBook;
  readonly earnings: ReadonlyArray<EarningsDate & { readonly reactionDate: IsoDate }>;
  readonly exDividendDates: ReadonlySet<IsoDate>;
  price: number;
}

const round = (x: number, decimals: number): number => Number(x.toFixed(decimals));

export const validateSnapshotTimes = (
  times: ReadonlyArray<number | "close">,
  history: boolean,
): string | undefined => {
  if (times.length === 0) return "at least one snapshot time is needed";
  for (const t of times) {
    if (t === "close") continue;
    if (history) return "a real-history run has daily bars only: use the close snapshot";
    if (!Number.isInteger(t) || t < 575 || t > 960 || t % 5 !== 0) {
      return `snapshot time ${t} must be a 5-minute mark between 09:35 and 16:00`;
    }
  }
  return undefined;
};

/**
 * Generates the market day by day and yields each snapshot's events, already ordered: underlying
 * ticks and VIX first, then earnings announcements, then option quotes. Yielding keeps multi-year
 * runs within memory and lets the writer apply backpressure; `seq` is left 0 for the writer.
 */
export function* generateMarket(
  config: MarketGeneratorConfig,
): Generator<Event[], GenerationStats, undefined> {
  const timesError = validateSnapshotTimes(config.snapshotTimes, config.history !== undefined);
  if (timesError !== undefined) throw new Error(timesError);
  const cal = config.calendar;
  const days = cal.tradingDays(config.from, config.to);
  if (days.length === 0) throw new Error(`no trading days between ${config.from} and ${config.to}`);
  const counts: Record<string, number> = {};
  const count = (kind: string, n = 1) => {
    counts[kind] = (counts[kind] ?? 0) + n;
  };
  const marketRng = createRng(config.seed, "market");
  const marketVol: VolState = { variance: marketFactorParams.longRunVariance };
  const earningsTable =
    config.earnings ??
    config.underlyings.flatMap((t) =>
      projectEarningsDates(t, yearOf(config.from), yearOf(config.to) + 1, cal),
    );

  const history = config.history;
  const firstBar = history?.bars.get(days[0]!);
  if (history !== undefined && firstBar === undefined) throw new Error(`history has no bar for ${days[0]}`);
  let prevMarketClose = firstBar?.open ?? 1;
  let marketLevel = 1;
  let ewmaVariance = marketFactorParams.longRunVariance;
  let vixFallbackDays = 0;

  const states: UnderlyingState[] = config.underlyings.map((ticker) => {
    const scale = marketLinkedScale[ticker.symbol];
    const startPrice =
      history !== undefined && scale !== undefined ? firstBar!.open * scale : ticker.referencePrice;
    const totalLongRun = (ticker.averageIv / VOL_RISK_PREMIUM) ** 2;
    const idiosyncraticLongRun = Math.max(
      totalLongRun - ticker.beta ** 2 * marketFactorParams.longRunVariance,
      0.3 * totalLongRun,
    );
    return {
      ticker,
      pathRng: createRng(config.seed, `path:${ticker.symbol}`),
      chainRng: createRng(config.seed, `chain:${ticker.symbol}`),
      vol: { variance: idiosyncraticLongRun },
      idiosyncraticLongRun,
      openInterest: new OpenInterestBook(),
      earnings: earningsTable
        .filter((e) => e.symbol === ticker.symbol)
        .map((e) => ({ ...e, reactionDate: e.timing === "amc" ? cal.nextTradingDay(e.date) : e.date })),
      exDividendDates: exDividendDates(ticker, config.from, config.to, cal),
      price: startPrice,
    };
  });

  for (const date of days) {
    const close = cal.sessionClose(date);
    const closeMinute = close.hour * 60 + close.minute;
    let market: MarketStep[];
    let realVix: number | undefined;
    let realBar: typeof firstBar | undefined;
    if (history !== undefined) {
      realBar = history.bars.get(date);
      if (realBar === undefined) throw new Error(`history has no bar for trading day ${date}`);
      realVix = history.vix.get(date);
      if (realVix === undefined) vixFallbackDays++;
      const impliedVariance =
        realVix !== undefined ? (realVix / 100 / VIX_TO_ATM_RATIO / VOL_RISK_PREMIUM) ** 2 : ewmaVariance;
      market = realMarketDay(realBar, prevMarketClose, impliedVariance);
      const r = Math.log(realBar.close / prevMarketClose);
      ewmaVariance = 0.94 * ewmaVariance + 0.06 * r * r * TRADING_DAYS_PER_YEAR;
      prevMarketClose = realBar.close;
    } else {
      market = simulateMarketDay(marketVol, closeMinute, marketRng);
    }
    const snapshotSteps = config.snapshotTimes.map((t) =>
      t === "close" || t >= closeMinute ? market.length - 1 : (t - 570) / 5,
    );
    const snapshotMinutes = config.snapshotTimes.map((t) =>
      t === "close" || t >= closeMinute ? closeMinute : t,
    );

    // Price paths of every name for the day, indexed like `market` (0 = open after the gap).
    const marketLevels: number[] = [];
    for (const m of market) {
      marketLevel *= Math.exp(m.logReturn);
      marketLevels.push(marketLevel);
    }
    const paths = states.map((s) => {
      const scale = marketLinkedScale[s.ticker.symbol];
      const levels: number[] = [];
      let idiosyncraticVariance = 0;
      if (scale !== undefined) {
        const startLevel = marketLevels[0]! / Math.exp(market[0]!.logReturn);
        const gapFactor =
          history === undefined && s.exDividendDates.has(date) ? 1 - s.ticker.dividendYield / 4 : 1;
        let p = s.price;
        for (let i = 0; i < market.length; i++) {
          const prev = i === 0 ? startLevel : marketLevels[i - 1]!;
          p = p * (marketLevels[i]! / prev) * (i === 0 ? gapFactor : 1);
          levels.push(p);
        }
      } else {
        const steps = stockSteps(market, s.ticker.beta, s.idiosyncraticLongRun, s.vol, s.pathRng);
        const reaction = s.earnings.find((e) => e.reactionDate === date);
        let p = s.price;
        steps.forEach((st, i) => {
          let r = st.logReturn;
          if (i === 0 && reaction !== undefined) {
            const sd = s.ticker.earnings?.moveStdDev ?? 0;
            r += sd * s.pathRng.normal() - 0.5 * sd * sd;
          }
          p *= Math.exp(r);
          if (i === 0 && s.exDividendDates.has(date)) p *= 1 - s.ticker.dividendYield / 4;
          levels.push(p);
          idiosyncraticVariance = st.idiosyncraticVariance;
        });
      }
      return { levels, idiosyncraticVariance };
    });

    for (let si = 0; si < snapshotSteps.length; si++) {
      const step = snapshotSteps[si]!;
      const minute = snapshotMinutes[si]!;
      const atClose = minute === closeMinute;
      const eventTime = easternTimeMicros(date, Math.floor(minute / 60), minute % 60);
      const stepVariance = market[step]!.variance;
      const events: Event[] = [];
      const quotes: Event[] = [];

      const marketCurve: VarianceCurve =
        realVix !== undefined
          ? {
              spotVariance: spotVarianceFor(
                (realVix / 100 / VIX_TO_ATM_RATIO) ** 2,
                T30,
                marketFactorParams.longRunVariance * VOL_RISK_PREMIUM ** 2,
                TERM_MEAN_REVERSION,
              ),
              longRunVariance: marketFactorParams.longRunVariance * VOL_RISK_PREMIUM ** 2,
              meanReversion: TERM_MEAN_REVERSION,
              events: [],
            }
          : {
              spotVariance: stepVariance * VOL_RISK_PREMIUM ** 2,
              longRunVariance: marketFactorParams.longRunVariance * VOL_RISK_PREMIUM ** 2,
              meanReversion: TERM_MEAN_REVERSION,
              events: [],
            };
      const vixValue = round(
        realVix ?? 100 * VIX_TO_ATM_RATIO * Math.sqrt(atmTotalVariance(marketCurve, T30) / T30),
        2,
      );

      states.forEach((s, idx) => {
        const path = paths[idx]!;
        const price = round(path.levels[step]!, 2);
        const tick: UnderlyingTick = atClose
          ? {
              kind: "UnderlyingTick",
              eventTime,
              seq: 0,
              symbol: s.ticker.symbol,
              price,
              ...barFields(s.ticker, s.pathRng, path.levels, realBar, date),
              dividendYield: s.ticker.dividendYield,
            }
          : {
              kind: "UnderlyingTick",
              eventTime,
              seq: 0,
              symbol: s.ticker.symbol,
              price,
              bid: round(price - 0.01, 2),
              ask: round(price + 0.01, 2),
              dividendYield: s.ticker.dividendYield,
            };
        events.push(tick);
      });
      const vix: IndexTick = { kind: "IndexTick", eventTime, seq: 0, symbol: "VIX", value: vixValue };
      events.push(vix);

      for (const s of states) {
        if (!atClose) continue;
        for (const e of s.earnings) {
          // Announced about 30 days ahead; the result (with the actual move) after the reaction close.
          const announce = cal.previousTradingDay(addDays(e.date, -29));
          if (announce === date) events.push(earningsEvent(s.ticker.symbol, e, eventTime, undefined));
          if (e.reactionDate === date) {
            const pathIdx = states.indexOf(s);
            const levels = paths[pathIdx]!.levels;
            const move = levels[levels.length - 1]! / s.price - 1;
            events.push(earningsEvent(s.ticker.symbol, e, eventTime, round(move, 6)));
          }
        }
      }

      states.forEach((s, idx) => {
        const spot = round(paths[idx]!.levels[step]!, 2);
        const isMarketLinked = marketLinkedScale[s.ticker.symbol] !== undefined;
        const shape =
          s.ticker.type === "stock"
            ? { ...config.shape, rho: config.shape.rho * STOCK_SKEW_SCALE }
            : config.shape;
        const eventVariances = s.earnings
          .map((e) => {
            const open = easternTimeMicros(e.reactionDate, 9, 30);
            return {
              afterYears: (open - eventTime) / (365 * 86_400_000_000),
              variance: (s.ticker.earnings?.moveStdDev ?? 0) ** 2,
            };
          })
          .filter((e) => e.afterYears > 0 && e.afterYears < 1);
        const curve: VarianceCurve = isMarketLinked
          ? marketCurve
          : {
              spotVariance:
                (s.ticker.beta ** 2 * stepVariance + paths[idx]!.idiosyncraticVariance) *
                VOL_RISK_PREMIUM ** 2,
              longRunVariance: s.ticker.averageIv ** 2,
              meanReversion: TERM_MEAN_REVERSION,
              events: eventVariances,
            };
        const policy = { ...defaultListingPolicy(spot), ...config.listing };
        const expiries = listedExpiries(date, s.ticker, policy, cal, !atClose).map((e) => ({
          ...e,
          expiryMicros: cal.closeMicros(e.expiry),
        }));
        const chain = buildChain({
          ticker: s.ticker,
          eventTime,
          seq: 0,
          spot,
          rate: config.rate,
          shape,
          curve,
          expiries,
          policy,
          pricer: config.pricer,
          rng: s.chainRng,
          openInterest: s.openInterest,
          stress: Math.max(0.5, vixValue / 16),
        });
        for (const slice of chain) {
          for (const mq of slice.calls) quotes.push(mq.quote);
          for (const mq of slice.puts) quotes.push(mq.quote);
        }
      });

      for (const e of events) count(e.kind);
      count("OptionQuote", quotes.length);
      yield [...events, ...quotes];
    }

    states.forEach((s, idx) => {
      const levels = paths[idx]!.levels;
      s.price = levels[levels.length - 1]!;
      s.openInterest.forget(
        (contract) => `20${contract.slice(6, 8)}-${contract.slice(8, 10)}-${contract.slice(10, 12)}` < date,
      );
    });
  }
  return { tradingDays: days.length, counts, vixFallbackDays };
}
