export { daysToEarnings, isFomcDay, isFomcWeek, nextEarnings } from "./calendar/events.js";
export * from "./calendar/isoDate.js";
export {
  easternTimeMicros,
  easterSunday,
  isEasternDaylightTime,
  type MarketClosure,
  nyseClosures,
} from "./calendar/nyseRules.js";
export { isMonthlyOpex, isOpexWeek, monthlyOpex, nextMonthlyOpex } from "./calendar/opex.js";
export {
  type EarningsDate,
  type FomcMeeting,
  loadEarningsCalendar,
  loadFomcMeetings,
  loadMarketClosures,
} from "./calendar/referenceTables.js";
export { createTradingCalendar, type TradingCalendar, tradingCalendar } from "./calendar/tradingCalendar.js";
export { buildChain, type ChainSlice, type ModelQuote } from "./generator/chain.js";
export {
  type GenerationStats,
  generateMarket,
  type MarketGeneratorConfig,
  VIX_TO_ATM_RATIO,
} from "./generator/generateMarket.js";
export {
  defaultListingPolicy,
  type ListingPolicy,
  listedExpiries,
  listedStrikes,
} from "./generator/listing.js";
export type { DailyBar, MarketHistory } from "./generator/marketPath.js";
export { occSymbol, type ParsedOcc, parseOccSymbol } from "./generator/occ.js";
export { optionsMathPricer } from "./generator/optionsMathPricer.js";
export type { OptionPricer, PricingInputs } from "./generator/pricer.js";
export { barsToTicks, closesToIndexTicks } from "./history/historyReplay.js";
export { loadSp500History, loadVixHistory, parseSp500Csv, parseVixCsv } from "./history/realHistory.js";
export { importCboeChain } from "./importers/cboe.js";
export {
  type ImportFormat,
  type ImportReplayOptions,
  type ImportReplayResult,
  importFormats,
  importReplayFile,
} from "./importers/importReplay.js";
export { type ImportResult, sortForReplay } from "./importers/importResult.js";
export {
  applyMappingFlags,
  type CsvMapping,
  csvPresets,
  importVendorCsv,
  mappableFields,
  parseCsvMappingYaml,
} from "./importers/vendorCsv.js";
export { importYahooChain } from "./importers/yahoo.js";
export { type ArbitrageViolation, checkChainArbitrage } from "./noArbitrage.js";
export { createRng, type Rng } from "./random/prng.js";
export { referenceDir, referenceFile, repoRoot } from "./referenceData.js";
export {
  type GenerateReplayOptions,
  type GenerateReplayResult,
  generateReplayFile,
} from "./replay/generateReplay.js";
export { type Manifest, type ManifestEntry, readManifest, upsertManifestEntry } from "./replay/manifest.js";
export { type ReplayWriteResult, writeReplay } from "./replay/replayWriter.js";
export { calibrateSsvi, loadReferenceSurface, type SsviFit, type SurfacePoint } from "./surface/calibrate.js";
export { durrlemanG, type SsviParams, ssviParameterViolations, ssviTotalVariance } from "./surface/ssvi.js";
export { atmTotalVariance, spotVarianceFor, type VarianceCurve } from "./surface/termStructure.js";
export {
  findTicker,
  loadUniverse,
  parseUniverse,
  projectEarningsDates,
  type TickerConfig,
  type Universe,
} from "./universe/universe.js";
