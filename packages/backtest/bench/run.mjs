#!/usr/bin/env node
// Backtest benchmark: the demo backtest (topologies/demo.yaml over the bundled 2015-2018 replay)
// end to end in this process — replay decode, signal operators, strategy, desk, report. Prints wall
// time, CPU time (user+system, which matters on a shared machine) and events/s of both.
// Run after `npx tsc -b`: node packages/backtest/bench/run.mjs
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runFile } from "../../cli/dist/commands/run.js";
import { writeBacktestReport } from "../dist/index.js";

const root = join(fileURLToPath(import.meta.url), "../../../..");
const out = join(root, "out/bench-backtest");
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const run = await runFile(join(root, "topologies/demo.yaml"), { out, progress: false });
const result = writeBacktestReport({
  outDir: out,
  topology: run.topologyName,
  topologyHash: run.topologyHash,
  files: run.outputs.map((o) => o.file),
});
const wall = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
const events = run.events.in;
console.log(
  `events in        ${events.toLocaleString("en-US")} (${run.events.out.toLocaleString("en-US")} out)`,
);
console.log(
  `wall             ${wall.toFixed(1)} s  -> ${Math.round(events / wall).toLocaleString("en-US")} events/s`,
);
console.log(
  `cpu (user+sys)   ${cpuSeconds.toFixed(1)} s  -> ${Math.round(events / cpuSeconds).toLocaleString("en-US")} events/s of CPU`,
);
console.log(`trades           ${result.summary.trades}, total P&L $${result.summary.totalPnl.toFixed(2)}`);
