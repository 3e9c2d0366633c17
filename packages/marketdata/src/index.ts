export { createRng, type Rng } from "./random/prng.js";
export * from "./calendar/isoDate.js";
export { easterSunday, easternTimeMicros, isEasternDaylightTime, type MarketClosure, nyseClosures } from "./calendar/nyseRules.js";
export { createTradingCalendar, type TradingCalendar, tradingCalendar } from "./calendar/tradingCalendar.js";
export { isMonthlyOpex, isOpexWeek, monthlyOpex, nextMonthlyOpex } from "./calendar/opex.js";
export {
  type EarningsDate,
  type FomcMeeting,
  loadEarningsCalendar,
  loadFomcMeetings,
  loadMarketClosures,
} from "./calendar/referenceTables.js";
export { daysToEarnings, isFomcDay, isFomcWeek, nextEarnings } from "./calendar/events.js";
export {
  findTicker,
  loadUniverse,
  parseUniverse,
  projectEarningsDates,
  type TickerConfig,
  type Universe,
} from "./universe/universe.js";
export { referenceDir, referenceFile, repoRoot } from "./referenceData.js";
export { type SsviParams, ssviParameterViolations, ssviTotalVariance, durrlemanG } from "./surface/ssvi.js";
export { atmTotalVariance, spotVarianceFor, type VarianceCurve } from "./surface/termStructure.js";
export { calibrateSsvi, loadReferenceSurface, type SsviFit, type SurfacePoint } from "./surface/calibrate.js";
export { occSymbol, parseOccSymbol, type ParsedOcc } from "./generator/occ.js";
export { defaultListingPolicy, listedExpiries, listedStrikes, type ListingPolicy } from "./generator/listing.js";
export type { OptionPricer, PricingInputs } from "./generator/pricer.js";
export { optionsMathPricer } from "./generator/optionsMathPricer.js";
export { buildChain, type ChainSlice, type ModelQuote } from "./generator/chain.js";
export type { DailyBar, MarketHistory } from "./generator/marketPath.js";
export {
  type GenerationStats,
  generateMarket,
  type MarketGeneratorConfig,
  VIX_TO_ATM_RATIO,
} from "./generator/generateMarket.js";
export { type ArbitrageViolation, checkChainArbitrage } from "./noArbitrage.js";
export { type ReplayWriteResult, writeReplay } from "./replay/replayWriter.js";
export { type Manifest, type ManifestEntry, readManifest, upsertManifestEntry } from "./replay/manifest.js";
export { loadSp500History, loadVixHistory, parseSp500Csv, parseVixCsv } from "./history/realHistory.js";
export { type ImportResult, sortForReplay } from "./importers/importResult.js";
export { importYahooChain } from "./importers/yahoo.js";
export { importCboeChain } from "./importers/cboe.js";
export {
  applyMappingFlags,
  type CsvMapping,
  csvPresets,
  importVendorCsv,
  mappableFields,
  parseCsvMappingYaml,
} from "./importers/vendorCsv.js";
export { type GenerateReplayOptions, type GenerateReplayResult, generateReplayFile } from "./replay/generateReplay.js";
export { type ImportFormat, importFormats, importReplayFile, type ImportReplayOptions, type ImportReplayResult } from "./importers/importReplay.js";
export { barsToTicks, closesToIndexTicks } from "./history/historyReplay.js";
