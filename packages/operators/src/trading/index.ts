export { analyticsOf, type ContractAnalytics } from "./contractAnalytics.js";
export { signalConfidence, type TradeDirection } from "./confidence.js";
export { decideEarningsCrush, earningsCrush, EarningsCrushParams } from "./earningsCrush.js";
export { type ExitContext, ExitParams, type ExitRules, exitReason } from "./exits.js";
export { describeSettlement, type LegSettlement, settleLeg } from "./expiry.js";
export {
  type ComboFill,
  type ComboQuote,
  fillCombo,
  type FillModel,
  FillModelParams,
  limitFromQuote,
  quoteCombo,
} from "./fillModel.js";
export { decideIronCondor, ironCondor, IronCondorParams } from "./ironCondor.js";
export { decideIvRank, ivRankStrategy, IvRankParams } from "./ivRankStrategy.js";
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
  evaluateTrade,
  type Exposure,
  type GreekExposure,
  maxUnitsWithin,
  RiskParams,
  type RiskLimits,
  type RiskVerdict,
  type TradeCandidate,
  tradingStateOf,
} from "./riskRules.js";
export { route, RouteParams, strategyContext } from "./route.js";
export { defineStrategy, type StrategyState } from "./strategyOperator.js";
export {
  type EarningsCalendar,
  defaultUniverse,
  type TickerContext,
  tickerContext,
  type TradingContext,
  UniverseTicker,
} from "./tickerContext.js";
export { PORTFOLIO_KEY, trading } from "./trading.js";
export { TradingParams } from "./tradingParams.js";
