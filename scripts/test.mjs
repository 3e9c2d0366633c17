#!/usr/bin/env node
// `npm test`: unit tests, then the integration tests against a real Kafka and QuestDB started by
// scripts/services.sh, which are always stopped again. Any failing phase fails the run; nothing is
// skipped because a service or Java is missing — the run stops with what to install.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const services = join(root, "scripts", "services.sh");
const timings = [];

const phase = (name, command, args, env = {}) => {
  const started = performance.now();
  console.log(`\n=== ${name}: ${[command, ...args].join(" ")}`);
  const r = spawnSync(command, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
  const seconds = (performance.now() - started) / 1000;
  const ok = r.error === undefined && r.status === 0;
  timings.push({ name, seconds, ok });
  if (r.error !== undefined) console.error(`${name}: could not start ${command}: ${r.error.message}`);
  return ok;
};

const javaProblem = () => {
  const r = spawnSync("java", ["-version"], { encoding: "utf8" });
  if (r.error !== undefined) return "java is not installed";
  const version = /version "([^"]+)"/.exec(`${r.stderr}${r.stdout}`)?.[1] ?? "";
  const parts = version.split(".");
  const major = Number(parts[0] === "1" ? parts[1] : parts[0]);
  return Number.isFinite(major) && major >= 17
    ? undefined
    : `java ${version || "(unknown version)"} is older than 17`;
};

const report = () => {
  console.log("\n=== timing");
  for (const t of timings)
    console.log(`${t.ok ? "ok  " : "FAIL"} ${t.name.padEnd(22)} ${t.seconds.toFixed(1).padStart(7)} s`);
};

// Tests that spawn the CLI run the built dist/, so build first (incremental: cheap when up to date).
let failed = !phase("lint", "npx", ["biome", "check", "."]);
if (!phase("build", "npx", ["tsc", "-b"])) failed = true;
if (!phase("unit tests", "npx", ["vitest", "run"])) failed = true;

const problem = javaProblem();
if (problem !== undefined) {
  timings.push({ name: "java 17+ check", seconds: 0, ok: false });
  console.error(
    `\nIntegration tests need a real Kafka and QuestDB, which run on Java 17+: ${problem}.\n` +
      "Install one (e.g. `apt-get install -y openjdk-17-jre-headless`, or Temurin 17/21) and run `npm test` again.",
  );
  failed = true;
} else {
  // Services a developer already runs (npm run services:up) are used and left running.
  const alreadyUp = spawnSync(services, ["status"], { stdio: "ignore" }).status === 0;
  if (alreadyUp) console.log("\n=== services already running: using them, leaving them up");
  if (alreadyUp || phase("services up", services, ["up"])) {
    // The suite reuses the services started above instead of managing its own.
    if (
      !phase("integration tests", "npx", ["vitest", "run", "-c", "vitest.integration.config.ts"], {
        THETAFLOW_SERVICES: "external",
      })
    )
      failed = true;
  } else {
    failed = true;
  }
  if (!alreadyUp && !phase("services down", services, ["down"])) failed = true;
}

report();
process.exit(failed ? 1 : 0);
