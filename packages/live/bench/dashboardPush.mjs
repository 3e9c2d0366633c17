// Dashboard push under load: engine throughput on one replay with no live session, with the
// dashboard serving 0 clients, and with 5 clients connected (in a separate process, like browsers),
// interleaved in the same run; then a replay paced at 10,000 events/s with 5 clients, checking the
// clients keep up (final state reached, longest silence between pushes).
// Run: npx tsc -b && node packages/live/bench/dashboardPush.mjs [--events N] [--rounds R] [--paced N]
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { builtinSinks, runTopology } from "@thetaflow/connectors";
import { compileTopology, Registry } from "@thetaflow/core";
import { formatOcc } from "@thetaflow/schemas";
import { Effect, Either } from "effect";
import { LiveSession } from "../dist/index.js";

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? dflt : Number(process.argv[i + 1]);
};
const EVENTS = arg("--events", 300_000);
const ROUNDS = arg("--rounds", 3);
const PACED = arg("--paced", 100_000);
const TOKEN = "bench-token-0123456789abcdef";
const CLIENTS = fileURLToPath(new URL("./wsClients.mjs", import.meta.url));

// Every event is one the dashboard shows: the worst case for the tap (real runs are mostly quotes,
// which the tap never sees).
const story = (n) => {
  const lines = [];
  const t0 = 1_546_300_800_000_000;
  const exp = "2019-03-15";
  const legs = [
    {
      contract: formatOcc("SPY", exp, "put", 250),
      right: "put",
      strike: 250,
      expiry: exp,
      side: "sell",
      ratio: 1,
    },
    {
      contract: formatOcc("SPY", exp, "put", 245),
      right: "put",
      strike: 245,
      expiry: exp,
      side: "buy",
      ratio: 1,
    },
  ];
  let seq = 0;
  for (let s = 0; lines.length < n; s++) {
    const t = t0 + s * 1_000_000;
    lines.push({
      kind: "UnderlyingTick",
      eventTime: t,
      seq: seq++,
      symbol: "SPY",
      price: 250 + Math.sin(s / 50),
    });
    for (let p = 0; p < 3; p++)
      lines.push({
        kind: "Position",
        eventTime: t + 1,
        seq: seq++,
        positionId: `p${(s + p) % 40}`,
        underlying: "SPY",
        strategy: "bull_put_spread",
        status: "open",
        legs: legs.map((l) => ({
          contract: l.contract,
          right: l.right,
          strike: l.strike,
          expiry: l.expiry,
          quantity: l.side === "sell" ? -1 : 1,
          avgPrice: 1,
          mark: 1,
          realizedPnlCents: 0,
          unrealizedPnlCents: s % 100,
        })),
        realizedPnlCents: 0,
        unrealizedPnlCents: s % 200,
        delta: 1,
        gamma: 0,
        vega: -1,
        theta: 1,
      });
    lines.push({
      kind: "PortfolioSnapshot",
      eventTime: t + 2,
      seq: seq++,
      cashCents: 1e7,
      positionsValueCents: s,
      equityCents: 1e7 + s,
      peakEquityCents: 1e7 + s,
      drawdown: 0,
      dailyPnlCents: s % 1000,
      openPositions: 40,
      tradingState: "ACTIVE",
      delta: 1,
      gamma: 0,
      vega: -1,
      theta: 1,
    });
    if (s % 5 === 0) {
      lines.push({
        kind: "Signal",
        eventTime: t + 3,
        seq: seq++,
        id: `s${s}`,
        underlying: "SPY",
        strategy: "bull_put_spread",
        action: "open",
        legs,
        buyStrike: 245,
        sellStrike: 250,
        expiration: exp,
        dte: 45,
        creditOrDebit: 1.2,
        maxProfit: 120,
        maxRisk: 380,
        confidence: 0.7,
        regime: "low_vol",
        ivRank: 0.4,
        features: {},
      });
      lines.push({
        kind: "RiskDecision",
        eventTime: t + 4,
        seq: seq++,
        intentId: `i${s}`,
        underlying: "SPY",
        accepted: s % 15 !== 0,
        quantity: 1,
        reasons: s % 15 === 0 ? ["max_open_positions"] : [],
        tradingState: "ACTIVE",
      });
      lines.push({
        kind: "Order",
        eventTime: t + 5,
        seq: seq++,
        orderId: `o${s}`,
        intentId: `i${s}`,
        underlying: "SPY",
        status: "filled",
        legs,
        quantity: 1,
        filledQuantity: 1,
        limitPrice: 1.2,
        avgFillPrice: 1.2,
      });
      lines.push({
        kind: "Fill",
        eventTime: t + 6,
        seq: seq++,
        fillId: `f${s}`,
        orderId: `o${s}`,
        underlying: "SPY",
        quantity: 1,
        netPrice: 1.2,
        legs: legs.map((l) => ({ contract: l.contract, side: l.side, quantity: 1, price: 1 })),
        commissionCents: 130,
      });
    }
  }
  return lines
    .slice(0, n)
    .map((e) => JSON.stringify(e))
    .join("\n");
};

const dir = mkdtempSync(join(tmpdir(), "thetaflow-dashbench-"));
const registries = { operators: new Registry("operator"), sinks: builtinSinks() };
const topologyFor = (file, events) => {
  writeFileSync(join(dir, file), `${story(events)}\n`);
  const yaml = `name: dashbench\nsources:\n  - id: market\n    replay:\n      files: [${file}]\nsinks:\n  - id: out\n    type: ndjson\n    inputs: [market]\n`;
  const path = join(dir, `${file}.yaml`);
  writeFileSync(path, yaml);
  return Either.getOrThrow(compileTopology(path, yaml, registries));
};

const startClients = async (url, n) => {
  const child = spawn(process.execPath, [CLIENTS, url, String(n)], {
    env: { ...process.env, THETAFLOW_TOKEN: TOKEN },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout });
  const it = lines[Symbol.asyncIterator]();
  await it.next(); // {"ready":true}
  return { result: it.next().then((r) => JSON.parse(r.value)) };
};

const run = async (topology, mode, speed) => {
  let session;
  if (mode !== "plain")
    session = await LiveSession.open(
      {
        dashboard: true,
        dashboardHost: "127.0.0.1",
        dashboardPort: 0,
        metricsHost: "127.0.0.1",
        hold: false,
        auditLog: join(dir, "audit.ndjson"),
        ...(speed ? { speed } : {}),
      },
      { env: { THETAFLOW_TOKEN: TOKEN }, print: () => {}, logger: { log: () => {} }, channels: [] },
    );
  const clients = mode === "clients" ? await startClients(session.dashboardUrl, 5) : undefined;
  const cpu0 = process.cpuUsage();
  const report = await Effect.runPromise(
    runTopology(session ? session.instrument(topology) : topology, {
      registries,
      outDir: join(dir, `out-${mode}`),
      ...(session ? { onGraph: session.attachGraph } : {}),
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  await session?.complete({ ok: true });
  // Engine-process CPU per event: unlike wall time, other processes on the machine barely move it.
  const cpuPerEventUs = (cpu.user + cpu.system) / report.events.in;
  return { report, cpuPerEventUs, clients: clients ? await clients.result : undefined };
};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  const topology = topologyFor("story.ndjson", EVENTS);
  const rates = { plain: [], dashboard0: [], clients: [] };
  const cpus = { plain: [], dashboard0: [], clients: [] };
  for (let r = 0; r < ROUNDS; r++)
    for (const mode of ["plain", "dashboard0", "clients"]) {
      const { report, clients, cpuPerEventUs } = await run(
        topology,
        mode === "dashboard0" ? "dashboard" : mode,
      );
      rates[mode].push(report.eventsPerSecond);
      cpus[mode].push(Math.round(cpuPerEventUs * 100) / 100);
      if (clients)
        console.log(
          `  round ${r + 1} clients: ${clients.clients.map((c) => `${c.messages} msgs/${(c.bytes / 1e6).toFixed(1)} MB, final eventsIn ${c.eventsIn}`).join("; ")}`,
        );
    }
  console.log(
    `unpaced replay, ${EVENTS.toLocaleString("en-US")} dashboard events, ${ROUNDS} interleaved rounds (median events/s):`,
  );
  console.log(
    `  no live session      ${median(rates.plain).toLocaleString("en-US")}   (${rates.plain.join(", ")})`,
  );
  console.log(
    `  dashboard, 0 clients ${median(rates.dashboard0).toLocaleString("en-US")}   (${rates.dashboard0.join(", ")})`,
  );
  console.log(
    `  dashboard, 5 clients ${median(rates.clients).toLocaleString("en-US")}   (${rates.clients.join(", ")})`,
  );
  console.log(
    `  5 clients vs 0 clients: ${((median(rates.clients) / median(rates.dashboard0)) * 100).toFixed(1)}%`,
  );
  console.log(
    "engine-process CPU per event (µs, median; user+system over the whole run incl. replay decode and NDJSON sink):",
  );
  for (const [mode, label] of [
    ["plain", "no live session     "],
    ["dashboard0", "dashboard, 0 clients"],
    ["clients", "dashboard, 5 clients"],
  ])
    console.log(`  ${label} ${median(cpus[mode])}   (${cpus[mode].join(", ")})`);

  const paced = topologyFor("paced.ndjson", PACED);
  const { report, clients } = await run(paced, "clients", 10_000);
  console.log(
    `paced at 10,000 events/s, ${PACED.toLocaleString("en-US")} events, 5 clients: achieved ${report.eventsPerSecond.toLocaleString("en-US")} events/s over ${report.wallSeconds} s`,
  );
  for (const c of clients.clients)
    console.log(
      `  client: ${c.messages} msgs, ${(c.bytes / 1e6).toFixed(2)} MB, longest gap between pushes ${c.maxGapMs.toFixed(0)} ms, final eventsIn ${c.eventsIn} (${c.status}), ${c.equityPoints} equity points, ${c.positions} positions`,
    );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
