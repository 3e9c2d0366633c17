#!/usr/bin/env node
// `npm run demo`: the main job. Builds (incremental, a no-op when up to date), then runs the full
// backtest of topologies/demo.yaml into out/demo (replacing it) and prints the summary table.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: "inherit" }).status ?? 1;

if (run("npx", ["tsc", "-b"]) !== 0) {
  console.error("demo: the build failed (npx tsc -b)");
  process.exit(1);
}
const replay = join(root, "replays/default/spy-aapl-2015-2018.ndjson.gz");
if (!existsSync(replay)) {
  console.error(`demo: missing replay ${replay} (see replays/README.md to rebuild it)`);
  process.exit(1);
}
const started = performance.now();
const status = run(process.execPath, [
  join(root, "packages/cli/bin/thetaflow.js"),
  "backtest",
  join(root, "topologies/demo.yaml"),
  "--out",
  join(root, "out/demo"),
  "--walk-forward",
  ...process.argv.slice(2),
]);
console.log(`\ndemo: ${((performance.now() - started) / 1000).toFixed(1)} s wall; open out/demo/report.html`);
process.exit(status);
