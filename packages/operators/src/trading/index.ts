export { signalConfidence, type TradeDirection } from "./confidence.js";
export { analyticsOf, type ContractAnalytics } from "./contractAnalytics.js";
export { decideEarningsCrush, EarningsCrushParams, earningsCrush } from "./earningsCrush.js";
export { type ExitContext, ExitParams, type ExitRules, exitReason } from "./exits.js";
export { describeSettlement, type LegSettlement, settleLeg } from "./expiry.js";
export {
  type ComboFill,
  type ComboQuote,
  type FillModel,
  FillModelParams,
  fillCombo,
  limitFromQuote,
  quoteCombo,
} from "./fillModel.js";
export { decideIronCondor, IronCondorParams, ironCondor } from "./ironCondor.js";
export { decideIvRank, IvRankParams, ivRankStrategy } from "./ivRankStrategy.js";
export { buildMarketView, type MarketView } from "./marketView.js";
export { contractValueCents, toCents } from "./money.js";
export { clientOrderId, type WorkingOrder } from "./orderBook.js";
export {
  type LegBook,
  markLeg,
  newLeg,
  type PositionBook,
  positionTotals,
  toPositionEvent,
  tradeLeg,
} from "./positionBook.js";
export {
  drawdownOf,
  type Exposure,
  evaluateTrade,
  type GreekExposure,
  maxUnitsWithin,
  type RiskLimits,
  RiskParams,
  type RiskVerdict,
  type TradeCandidate,
  tradingStateOf,
} from "./riskRules.js";
export { RouteParams, route, strategyContext } from "./route.js";
export { defineStrategy, type StrategyState } from "./strategyOperator.js";
export {
  defaultUniverse,
  type EarningsCalendar,
  type TickerContext,
  type TradingContext,
  tickerContext,
  UniverseTicker,
} from "./tickerContext.js";
export { PORTFOLIO_KEY, trading } from "./trading.js";
export { TradingParams } from "./tradingParams.js";
