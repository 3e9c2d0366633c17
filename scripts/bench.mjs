#!/usr/bin/env node
// `npm run bench`: builds, then runs every benchmark in sequence (each prints ratios against a
// baseline measured in the same run). Pass names to run a subset: `npm run bench -- runtime`.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const benches = [
  { name: "runtime", file: "packages/core/bench/runtime.mjs", node: ["--expose-gc"] },
  { name: "options-math", file: "packages/options-math/bench/run.mjs" },
  { name: "marketdata", file: "packages/marketdata/bench/generator.mjs" },
  { name: "operators", file: "packages/operators/bench/signal-chain.mjs", node: ["--expose-gc"] },
  { name: "backtest", file: "packages/backtest/bench/run.mjs" },
  // These two need the services: `npm run services:up` first.
  { name: "kafka", file: "packages/connectors/bench/kafka.mjs", services: true },
  { name: "questdb", file: "packages/connectors/bench/questdb.mjs", services: true },
  { name: "live", file: "packages/connectors/bench/live.mjs", services: true },
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
  if (
    b.services &&
    wanted.length === 0 &&
    spawnSync("scripts/services.sh", ["status"], { stdio: "ignore" }).status !== 0
  ) {
    console.log(
      `\n== ${b.name}: needs Kafka/QuestDB — run \`npm run services:up\` (or \`npm run bench -- ${b.name}\`)`,
    );
    continue;
  }
  if (!existsSync(b.file)) {
    console.log(`\n== ${b.name}: not present (${b.file})`);
    continue;
  }
  console.log(`\n== ${b.name} (${b.file})`);
  if (run(process.execPath, [...(b.node ?? []), b.file]) !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
