#!/usr/bin/env node
// `npm run bench`: builds, then runs every benchmark in sequence (each prints ratios against a
// baseline measured in the same run). Pass names to run a subset: `npm run bench -- runtime`.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const benches = [
  { name: "runtime", file: "packages/core/bench/runtime.mjs", node: ["--expose-gc"] },
  { name: "options-math", file: "packages/options-math/bench/run.mjs" },
  { name: "marketdata", file: "packages/marketdata/bench/generate.mjs" },
  { name: "operators", file: "packages/operators/bench/run.mjs", node: ["--expose-gc"] },
  { name: "backtest", file: "packages/backtest/bench/run.mjs" },
];

const wanted = process.argv.slice(2);
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: "inherit" });
  return r.status ?? 1;
};

if (run("npx", ["tsc", "-b"]) !== 0) process.exit(1);
let failed = 0;
for (const b of benches) {
  if (wanted.length > 0 && !wanted.includes(b.name)) continue;
  if (!existsSync(b.file)) {
    console.log(`\n== ${b.name}: not present (${b.file})`);
    continue;
  }
  console.log(`\n== ${b.name} (${b.file})`);
  if (run(process.execPath, [...(b.node ?? []), b.file]) !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
