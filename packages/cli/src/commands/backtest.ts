import { basename, resolve } from "node:path";
import { seedsWalkForward, summaryTable, writeBacktestReport } from "@thetaflow/backtest";
import { type Command, InvalidArgumentError } from "commander";
import { printReport, runFile } from "./run.js";

const days =
  (name: string) =>
  (v: string): number => {
    if (!/^[1-9]\d*$/.test(v))
      throw new InvalidArgumentError(`${name} must be a positive integer (trading days)`);
    return Number(v);
  };

interface BacktestFlags {
  out?: string;
  progress: boolean;
  walkForward: boolean;
  trainDays: number;
  testDays: number;
  stepDays: number;
  quiet?: boolean;
}

export const register = (program: Command): void => {
  program
    .command("backtest")
    .description(
      "Replay a trading topology end to end and write summary.json, trades.csv, orders.ndjson, fills.ndjson and report.html",
    )
    .argument("<topology>", "topology YAML file with a `trading` node written to an ndjson sink")
    .option("-o, --out <dir>", "output directory (default out/<topology name>)")
    .option("--walk-forward", "also report rolling train/test windows (seeds: 504/63/21 trading days)", false)
    .option(
      "--train-days <n>",
      "walk-forward training window",
      days("--train-days"),
      seedsWalkForward.trainDays,
    )
    .option("--test-days <n>", "walk-forward test window", days("--test-days"), seedsWalkForward.testDays)
    .option("--step-days <n>", "walk-forward step", days("--step-days"), seedsWalkForward.stepDays)
    .option("--no-progress", "no progress bar")
    .action(async (file: string, flags: BacktestFlags) => {
      const run = await runFile(file, {
        progress: flags.progress,
        ...(flags.out !== undefined ? { out: flags.out } : {}),
      });
      const outDir = resolve(flags.out ?? `out/${run.topologyName}`);
      const result = writeBacktestReport({
        outDir,
        topology: run.topologyName,
        topologyHash: run.topologyHash,
        files: run.outputs.map((o) => o.file).filter((f) => f.endsWith(".ndjson")),
        ...(flags.walkForward
          ? {
              walkForward: { trainDays: flags.trainDays, testDays: flags.testDays, stepDays: flags.stepDays },
            }
          : {}),
      });
      printReport(run);
      console.log(`\n${summaryTable(result.summary)}`);
      if (result.summary.walkForward !== undefined)
        console.log(
          `\nwalk-forward: ${result.summary.walkForward.length} window(s) in summary.json and report.html`,
        );
      console.log(
        `\nwrote ${["summary.json", "trades.csv", "orders.ndjson", "fills.ndjson", "report.html"].join(", ")} to ${outDir} (topology ${basename(file)})`,
      );
    });
};
