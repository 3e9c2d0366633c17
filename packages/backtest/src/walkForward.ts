import type { EquityPoint } from "./equityCurve.js";
import { performance, tradeStats } from "./metrics.js";
import type { Trade } from "./trades.js";

/** Seeds (implementation-plan week 8): 2 years train, 3 months test, 1 month step, in trading days. */
export interface WalkForwardOptions {
  readonly trainDays: number;
  readonly testDays: number;
  readonly stepDays: number;
}

export const seedsWalkForward: WalkForwardOptions = { trainDays: 504, testDays: 63, stepDays: 21 };

export interface WalkForwardWindow {
  readonly index: number;
  readonly trainStart: string;
  readonly trainEnd: string;
  readonly testStart: string;
  readonly testEnd: string;
  readonly train: {
    readonly sharpe: number;
    readonly totalReturn: number;
    readonly maxDrawdown: number;
    readonly trades: number;
  };
  readonly test: {
    readonly sharpe: number;
    readonly sortino: number;
    readonly totalReturn: number;
    readonly pnl: number;
    readonly maxDrawdown: number;
    readonly trades: number;
    readonly winRate: number;
  };
}

/**
 * Rolling train/test windows over the daily curve, as the seeds' walk_forward_validation slices its
 * data. The strategies here are rule-based (a model, when used, is trained by the Python package on
 * the feature files), so each window reports in-sample (train) figures beside the out-of-sample
 * (test) figures of the same run: a test window much worse than its train window flags overfitting
 * of the parameters chosen before the run.
 */
export const walkForwardWindows = (
  curve: readonly EquityPoint[],
  trades: readonly Trade[],
  o: WalkForwardOptions,
): WalkForwardWindow[] => {
  const windows: WalkForwardWindow[] = [];
  for (let start = 0, i = 0; start + o.trainDays + o.testDays <= curve.length; start += o.stepDays, i++) {
    const train = curve.slice(start, start + o.trainDays);
    // The test window starts from the last training day so its first return is inside it.
    const test = curve.slice(start + o.trainDays - 1, start + o.trainDays + o.testDays);
    const inRange = (from: string, to: string) => trades.filter((t) => t.exitDate > from && t.exitDate <= to);
    const trainPerf = performance(train);
    const testPerf = performance(test);
    const testTrades = tradeStats(inRange(test[0]!.date, test[test.length - 1]!.date));
    windows.push({
      index: i,
      trainStart: train[0]!.date,
      trainEnd: train[train.length - 1]!.date,
      testStart: curve[start + o.trainDays]!.date,
      testEnd: test[test.length - 1]!.date,
      train: {
        sharpe: trainPerf.sharpe,
        totalReturn: trainPerf.totalReturn,
        maxDrawdown: trainPerf.maxDrawdown,
        trades: inRange(train[0]!.date, train[train.length - 1]!.date).length,
      },
      test: {
        sharpe: testPerf.sharpe,
        sortino: testPerf.sortino,
        totalReturn: testPerf.totalReturn,
        pnl: testPerf.totalPnl,
        maxDrawdown: testPerf.maxDrawdown,
        trades: testTrades.trades,
        winRate: testTrades.winRate,
      },
    });
  }
  return windows;
};
