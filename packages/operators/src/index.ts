export * from "./calendar/fomc.js";
export * from "./calendar/nyTime.js";
export * from "./calendar/opex.js";
export * from "./chain/chainSummary.js";
export * from "./features/catalog.js";
export * as indicators from "./indicators/index.js";
export * from "./models/index.js";
export * from "./ops/features.js";
export * from "./ops/greeks.js";
export {
  IndicatorsParams,
  type IndicatorsState,
  indicators as indicatorsOperator,
} from "./ops/indicators.js";
export * from "./ops/ivSurface.js";
export * from "./ops/modelRouter.js";
export * from "./ops/regime.js";
export * from "./ops/score.js";
export * from "./ops/spreadLabels.js";
export * from "./ops/temporal.js";
export * from "./ops/volatility.js";
export * from "./registry.js";
export * from "./trading/index.js";
