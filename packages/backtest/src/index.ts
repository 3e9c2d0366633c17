export { type BacktestReportOptions, type BacktestResult, writeBacktestReport } from "./backtest.js";
export {
  dailyEquity,
  dailyReturns,
  type EquityPoint,
  type MonthlyReturn,
  monthlyReturns,
} from "./equityCurve.js";
export {
  cagr,
  groupStats,
  maxDrawdown,
  type PerformanceMetrics,
  performance,
  sharpe,
  sortino,
  stdev,
  TRADING_DAYS,
  type TradeStats,
  tradeStats,
} from "./metrics.js";
export { pnlHistogram, renderReport } from "./report.js";
export { type RunEvents, readRunEvents } from "./runOutputs.js";
export { type BacktestSummary, summarize, summaryTable } from "./summary.js";
export { buildTrades, type Trade, tradesCsv } from "./trades.js";
export {
  seedsWalkForward,
  type WalkForwardOptions,
  type WalkForwardWindow,
  walkForwardWindows,
} from "./walkForward.js";
