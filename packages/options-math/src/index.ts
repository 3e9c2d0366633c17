export {
  AMERICAN_SCHEMES,
  type AmericanScheme,
  americanGreeks,
  americanGreeksInto,
  americanPrice,
  bsmAmericanGreeksInto,
  bsmAmericanPrice,
  isEffectivelyEuropean,
} from "./american.js";
export {
  bsmAmericanChainGreeksInto,
  bsmAmericanChainIvGreeks,
  chainGreeks,
  chainIvGreeks,
} from "./americanChain.js";
export { bsmAmericanImpliedVol } from "./americanImpliedVol.js";
export { bsmAmericanChainPrice, chainPrices } from "./americanPrices.js";
export {
  allocateGreeksColumns,
  type BatchOptions,
  type ChainColumns,
  europeanGreeksBatch,
  type GreeksColumns,
  greeksBatch,
  impliedVolBatch,
  STYLE_CODE,
} from "./batch.js";
export {
  bsmGreeksInto,
  bsmPrice,
  bsmSensitivitiesInto,
  emptyGreeks,
  europeanGreeks,
  europeanGreeksInto,
  europeanPrice,
} from "./european.js";
export { bsmImpliedVol, ivScratch } from "./europeanImpliedVol.js";
export { bsmGuessedImpliedVol } from "./guessedImpliedVol.js";
export { impliedVol } from "./impliedVol.js";
export { erf, erfc, erfcx, inverseNormCdf, normCdf, normCdfFast, normPdf } from "./normal.js";
export { bsmSideImpliedVol } from "./sideImpliedVol.js";
export * from "./types.js";
