import { existsSync } from "node:fs";
import { relative } from "node:path";
import { type IsoDate, isIsoDate } from "../calendar/isoDate.js";
import { type TradingCalendar, tradingCalendar } from "../calendar/tradingCalendar.js";
import { type GenerationStats, generateMarket } from "../generator/generateMarket.js";
import type { ListingPolicy } from "../generator/listing.js";
import type { DailyBar, MarketHistory } from "../generator/marketPath.js";
import { optionsMathPricer } from "../generator/optionsMathPricer.js";
import type { OptionPricer } from "../generator/pricer.js";
import { loadSp500History, loadVixHistory } from "../history/realHistory.js";
import { repoRoot } from "../referenceData.js";
import { calibrateSsvi, loadReferenceSurface } from "../surface/calibrate.js";
import { findTicker, loadUniverse } from "../universe/universe.js";
import { upsertManifestEntry } from "./manifest.js";
import { type ReplayWriteResult, writeReplay } from "./replayWriter.js";

/** Everything `thetaflow generate` needs; the CLI only parses flags into this. */
export interface GenerateReplayOptions {
  readonly underlyings: ReadonlyArray<string>;
  readonly from: IsoDate;
  readonly to: IsoDate;
  readonly seed: number;
  readonly out: string;
  /** "close" or HH:MM (New York) marks. */
  readonly times: ReadonlyArray<string>;
  readonly rate: number;
  readonly universePath?: string;
  /** Real S&P 500 daily bars (vega-datasets CSV layout) and real VIX closes (arch CSV layout). */
  readonly sp500History?: string;
  readonly vixHistory?: string;
  readonly listing?: Partial<ListingPolicy>;
  readonly pricer?: OptionPricer;
  readonly calendar?: TradingCalendar;
  /** When set, upsert a manifest entry describing the file. */
  readonly manifest?: { readonly path: string; readonly description: string; readonly command: string };
}

export interface GenerateReplayResult {
  readonly file: ReplayWriteResult;
  readonly stats: GenerationStats;
}

const parseTimes = (times: ReadonlyArray<string>): Array<number | "close"> =>
  times.map((t) => {
    if (t === "close") return "close";
    const m = /^(\d{1,2}):(\d{2})$/.exec(t);
    if (m === null) throw new Error(`--times: ${JSON.stringify(t)} is neither "close" nor HH:MM`);
    return Number(m[1]) * 60 + Number(m[2]);
  });

export const generateReplayFile = async (o: GenerateReplayOptions): Promise<GenerateReplayResult> => {
  for (const [name, d] of [
    ["from", o.from],
    ["to", o.to],
  ] as const) {
    if (!isIsoDate(d)) throw new Error(`--${name}: ${JSON.stringify(d)} is not a YYYY-MM-DD date`);
  }
  if (o.from > o.to) throw new Error(`--from ${o.from} is after --to ${o.to}`);
  if (!Number.isInteger(o.seed) || o.seed < 0 || o.seed > 0xffffffff)
    throw new Error("--seed must be an integer in [0, 2^32)");
  const universe = loadUniverse(o.universePath);
  const tickers = o.underlyings.map((symbol) => {
    const t = findTicker(universe, symbol);
    if (t === undefined)
      throw new Error(
        `--underlying: ${symbol} is not in the universe (${universe.tickers.map((x) => x.symbol).join(", ")})`,
      );
    return t;
  });
  if ((o.sp500History === undefined) !== (o.vixHistory === undefined)) {
    throw new Error("--sp500-history and --vix-history go together");
  }
  for (const f of [o.sp500History, o.vixHistory, o.universePath]) {
    if (f !== undefined && !existsSync(f)) throw new Error(`no such file ${f}`);
  }
  let history: MarketHistory | undefined;
  if (o.sp500History !== undefined && o.vixHistory !== undefined) {
    const bars = new Map<IsoDate, DailyBar>(loadSp500History(o.sp500History).map((b) => [b.date, b]));
    history = { bars, vix: loadVixHistory(o.vixHistory) };
  }
  const shape = calibrateSsvi(loadReferenceSurface()).params;
  const batches = generateMarket({
    underlyings: tickers,
    from: o.from,
    to: o.to,
    seed: o.seed,
    snapshotTimes: parseTimes(o.times),
    pricer: o.pricer ?? optionsMathPricer,
    shape,
    rate: o.rate,
    calendar: o.calendar ?? tradingCalendar,
    ...(history !== undefined ? { history } : {}),
    ...(o.listing !== undefined ? { listing: o.listing } : {}),
  });
  // The generator's return value (its stats) arrives when iteration ends; capture it on the way.
  let stats: GenerationStats | undefined;
  const collect = function* () {
    stats = yield* batches;
  };
  const file = await writeReplay(o.out, collect());
  if (stats === undefined) throw new Error("generator ended without statistics");
  if (o.manifest !== undefined) {
    const real = history !== undefined;
    upsertManifestEntry(o.manifest.path, {
      file: relative(repoRoot, o.out) || o.out,
      description: o.manifest.description,
      instruments: [...o.underlyings, "VIX"],
      dateRange: { from: o.from, to: o.to },
      origin: real ? "synthesized-from-real" : "synthesized",
      provenance: real
        ? `Real: ${o.underlyings.filter((u) => u === "SPY" || u === "SPX").join("/")} daily bars = the S&P 500 index (npm vega-datasets@3.2.1 data/sp500-2000.csv; SPY = index / 10, labelled) and VIX closes (PyPI arch 8.0.0 arch/data/vix; ${stats.vixFallbackDays} days without a real VIX used a realised-vol estimate). Synthesized: every option quote (SSVI surface shaped on the Andreasen-Huge SX5E surface, levels from the real VIX, priced with @thetaflow/options-math), volumes, open interest, spreads, and all other names (beta to the real S&P path plus simulated idiosyncratic stochastic vol, projected earnings dates, earnings moves, dividends).`
        : "Fully synthesized by the seeded market generator: stochastic-vol + jump price paths, VIX from the simulated variance, SSVI option surfaces (shape calibrated to the real Andreasen-Huge SX5E surface), projected earnings dates and moves, dividends.",
      generator: { command: o.manifest.command, seed: o.seed },
      licence: real
        ? "Synthesized content: MIT (this repository). Embedded real values: S&P 500 bars from npm vega-datasets (package BSD-3-Clause; dataset terms follow its source, Yahoo Finance) and VIX closes from the PyPI arch wheel (package NCSA; values are CBOE's). See replays/LICENSES.md."
        : "MIT (this repository); synthesized data.",
      lines: file.lines,
      countsByKind: file.countsByKind,
      bytes: file.bytes,
      sha256: file.sha256,
    });
  }
  return { file, stats };
};
