import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type RunReport, runTopology } from "@thetaflow/connectors";
import { compileTopology } from "@thetaflow/core";
import { LiveSession } from "@thetaflow/live";
import type { Event } from "@thetaflow/schemas";
import { Effect, Either } from "effect";
import { describe, expect, it } from "vitest";
import { tradingStory, writeStoryTopology } from "./live-fixtures.js";
import { fixtureRegistries } from "./support/fixtureRegistries.js";
import { tempDir } from "./support/tmp.js";

const silentIo = (lines: string[]) => ({
  env: {} as NodeJS.ProcessEnv,
  print: (l: string) => void lines.push(l),
  logger: { log: (level: string, msg: string) => void lines.push(`${level} ${msg}`) },
  channels: [],
});

const runStory = async (
  dir: string,
  events: readonly Event[],
  session: LiveSession | undefined,
  out: string,
): Promise<RunReport> => {
  const registries = fixtureRegistries();
  const file = writeStoryTopology(dir, events, { sumNode: true });
  const topology = Either.getOrThrow(compileTopology(file, readFileSync(file, "utf8"), registries));
  return Effect.runPromise(
    runTopology(session?.instrument(topology) ?? topology, {
      registries,
      outDir: join(dir, out),
      ...(session ? { onGraph: session.attachGraph } : {}),
    }),
  );
};

const sample = (text: string, name: string, labels: Record<string, string> = {}): number | undefined => {
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const ok = Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`));
    if (ok) return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return undefined;
};

describe("live metrics on /metrics", () => {
  const dir = tempDir();

  it("exposes the seeds' trading metrics and the engine's per-node metrics, read from the run", async () => {
    const events = tradingStory(60, { rejectEvery: 3 });
    const lines: string[] = [];
    const session = await LiveSession.open(
      {
        dashboard: false,
        dashboardHost: "127.0.0.1",
        dashboardPort: 0,
        metricsPort: 0,
        metricsHost: "127.0.0.1",
        hold: false,
        auditLog: join(dir, "audit.ndjson"),
      },
      silentIo(lines),
    );
    const report = await runStory(dir, events, session, "run");
    session.engine.sample();
    const text = await (await fetch(session.metricsUrl!)).text();
    await session.complete({ ok: true });

    const count = (k: Event["kind"], pred: (e: Event) => boolean = () => true) =>
      events.filter((e) => e.kind === k && pred(e)).length;
    const last = events.filter((e) => e.kind === "PortfolioSnapshot").at(-1)!;
    if (last.kind !== "PortfolioSnapshot") throw new Error("story has no snapshot");

    for (const name of [
      "thetaflow_signals_generated_total",
      "thetaflow_signals_executed_total",
      "thetaflow_orders_rejected_total",
      "thetaflow_positions_open",
      "thetaflow_portfolio_value_usd",
      "thetaflow_drawdown_pct",
      "thetaflow_pnl_daily_usd",
      "thetaflow_data_fetch_duration_seconds",
      "thetaflow_signal_generation_duration_seconds",
      "thetaflow_model_prediction_duration_seconds",
      "thetaflow_api_errors_total",
      "thetaflow_node_events_in_total",
      "thetaflow_node_events_per_second",
      "thetaflow_node_mailbox_depth_max",
      "thetaflow_dead_letters_total",
      "thetaflow_consumer_lag_messages",
      "thetaflow_replay_backlog_bytes",
    ])
      expect(text, name).toContain(`# TYPE ${name} `);

    const signalsBy = (regime: string) => count("Signal", (e) => e.kind === "Signal" && e.regime === regime);
    expect(
      sample(text, "thetaflow_signals_generated_total", { strategy: "bull_put_spread", regime: "low_vol" }),
    ).toBe(signalsBy("low_vol"));
    expect(
      sample(text, "thetaflow_signals_generated_total", { strategy: "bull_put_spread", regime: "high_vol" }),
    ).toBe(signalsBy("high_vol"));
    const executed =
      (sample(text, "thetaflow_signals_executed_total", { regime: "low_vol" }) ?? 0) +
      (sample(text, "thetaflow_signals_executed_total", { regime: "high_vol" }) ?? 0);
    expect(executed).toBe(count("Fill"));
    expect(
      sample(text, "thetaflow_orders_rejected_total", { stage: "risk", reason: "max_open_positions" }),
    ).toBe(count("RiskDecision", (e) => e.kind === "RiskDecision" && !e.accepted));
    expect(sample(text, "thetaflow_positions_open")).toBe(last.openPositions);
    expect(sample(text, "thetaflow_portfolio_value_usd")).toBeCloseTo(last.equityCents / 100, 6);
    expect(sample(text, "thetaflow_drawdown_pct")).toBeCloseTo(last.drawdown * 100, 9);
    expect(sample(text, "thetaflow_pnl_daily_usd")).toBeCloseTo(last.dailyPnlCents / 100, 6);
    expect(sample(text, "thetaflow_signal_generation_duration_seconds_count")).toBe(count("Signal"));
    expect(sample(text, "thetaflow_events_in_total")).toBe(report.events.in);
    expect(sample(text, "thetaflow_node_events_in_total", { node: "sum" })).toBe(report.nodes.sum!.eventsIn);
    expect(sample(text, "thetaflow_node_events_out_total", { node: "sum" })).toBe(
      report.nodes.sum!.eventsOut,
    );
    expect(sample(text, "thetaflow_regime", { underlying: "SPY", regime: "low_vol" })).toBe(1);
  });

  it("the tap changes no output: the outputs checksum is the same with and without it", async () => {
    const events = tradingStory(30);
    const plain = await runStory(dir, events, undefined, "plain");
    const session = await LiveSession.open(
      {
        dashboard: false,
        dashboardHost: "127.0.0.1",
        dashboardPort: 0,
        metricsHost: "127.0.0.1",
        hold: false,
        auditLog: join(dir, "audit.ndjson"),
      },
      silentIo([]),
    );
    const tapped = await runStory(dir, events, session, "tapped");
    await session.complete({ ok: true });
    expect(tapped.outputsSha256).toBe(plain.outputsSha256);
    expect(tapped.events.in).toBe(plain.events.in);
  });

  it("the tap sees a source event before the node work it triggers (what the latency probes rely on)", async () => {
    const events = tradingStory(5);
    const session = await LiveSession.open(
      {
        dashboard: false,
        dashboardHost: "127.0.0.1",
        dashboardPort: 0,
        metricsHost: "127.0.0.1",
        hold: false,
        auditLog: join(dir, "audit.ndjson"),
      },
      silentIo([]),
    );
    const seen: number[] = [];
    session.tap.add({
      onEvent: (e) => void (e.kind === "UnderlyingTick" && e.symbol === "SPY" && seen.push(e.price)),
    });
    await runStory(dir, events, session, "order");
    await session.complete({ ok: true });
    const first = events.find((e) => e.kind === "UnderlyingTick")!;
    if (first.kind !== "UnderlyingTick") throw new Error("no tick");
    // Source tick p, then the node's running sum 2p (scale 2) it caused.
    expect(seen.slice(0, 2)).toEqual([first.price, 2 * first.price]);
  });
});

describe("Grafana dashboard", () => {
  const dir = tempDir();

  it("queries only metrics the engine exposes", async () => {
    const dashboard = JSON.parse(readFileSync("deploy/grafana/dashboards/thetaflow.json", "utf8")) as {
      panels: { targets?: { expr?: string }[] }[];
    };
    const used = new Set(
      dashboard.panels
        .flatMap((p) => p.targets ?? [])
        .flatMap((t) =>
          [...(t.expr ?? "").matchAll(/\bthetaflow_[a-z_]+/g)].map((m) => m[0].replace(/_bucket$/, "")),
        ),
    );
    expect(used.size).toBeGreaterThan(20);
    const session = await LiveSession.open(
      {
        dashboard: false,
        dashboardHost: "127.0.0.1",
        dashboardPort: 0,
        metricsHost: "127.0.0.1",
        hold: false,
        auditLog: join(dir, "audit.ndjson"),
      },
      silentIo([]),
    );
    const exposed = new Set((await session.registry.getMetricsAsJSON()).map((m) => m.name));
    await session.complete({ ok: true });
    expect([...used].filter((name) => !exposed.has(name))).toEqual([]);
  });
});
