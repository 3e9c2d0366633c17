import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { dailyEquity, type EquityPoint, monthlyReturns } from "./equityCurve.js";
import { performance } from "./metrics.js";
import { renderReport } from "./report.js";
import { type RunEvents, readRunEvents } from "./runOutputs.js";
import { type BacktestSummary, summarize } from "./summary.js";
import { buildTrades, type Trade, tradesCsv } from "./trades.js";
import { type WalkForwardOptions, walkForwardWindows } from "./walkForward.js";

export interface BacktestReportOptions {
  readonly outDir: string;
  readonly topology: string;
  readonly topologyHash: string;
  /** Sink files of the run (relative to outDir); all `*.ndjson` there when omitted. */
  readonly files?: readonly string[];
  readonly walkForward?: WalkForwardOptions;
}

export interface BacktestResult {
  readonly summary: BacktestSummary;
  readonly trades: readonly Trade[];
  readonly curve: readonly EquityPoint[];
  readonly events: RunEvents;
}

const ndjson = (events: readonly object[]): string =>
  events.map((e) => JSON.stringify(e)).join("\n") + (events.length > 0 ? "\n" : "");

/** Builds the backtest artefacts from a finished run's sink outputs and writes them beside them. */
export const writeBacktestReport = (o: BacktestReportOptions): BacktestResult => {
  const events = readRunEvents(o.outDir, o.files);
  if (events.snapshots.length === 0)
    throw new Error(
      "the run produced no PortfolioSnapshot events: wire a `trading` node into an ndjson sink",
    );
  const curve = dailyEquity(events.snapshots);
  const trades = buildTrades(events);
  const perf = performance(curve);
  const summary = summarize({
    topology: o.topology,
    topologyHash: o.topologyHash,
    events,
    trades,
    curve,
    perf,
    monthly: monthlyReturns(curve),
    ...(o.walkForward !== undefined ? { walkForward: walkForwardWindows(curve, trades, o.walkForward) } : {}),
  });
  writeFileSync(join(o.outDir, "summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
  writeFileSync(join(o.outDir, "trades.csv"), tradesCsv(trades));
  writeFileSync(join(o.outDir, "orders.ndjson"), ndjson(events.orders));
  writeFileSync(join(o.outDir, "fills.ndjson"), ndjson(events.fills));
  writeFileSync(join(o.outDir, "report.html"), renderReport(summary, curve, trades));
  return { summary, trades, curve, events };
};
