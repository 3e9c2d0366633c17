import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeBacktestReport } from "@thetaflow/backtest";
import { builtinSinks, loadTopology, runTopology } from "@thetaflow/connectors";
import { builtinOperators } from "@thetaflow/operators";
import { Effect } from "effect";
import { describe, expect, it } from "vitest";
import { tempDir } from "./support/tmp.js";

const replay = join(process.cwd(), "replays/small/spy-aapl-2019-01.ndjson.gz");

// The demo's graph on the small bundled replay, with a short rank window so a month can trade.
const topology = `name: btsmall
sources:
  - id: market
    replay:
      files: [${replay}]
nodes:
  - id: greeks
    op: greeks
    inputs: [market]
    params: { pricing: european, sideIvs: false }
  - id: ivSurface
    op: ivSurface
    inputs: [market, greeks]
  - id: volatility
    op: volatility
    inputs: [market, ivSurface]
    params: { rankWindow: 5, rankMinPeriods: 3 }
  - id: regime
    op: regime
    inputs: [volatility]
  - id: ivRank
    op: ivRankStrategy
    inputs: [market, volatility, regime]
    params: { sellThreshold: 0.5, buyThreshold: 0.5, minDte: 3, maxDte: 10 }
  - id: router
    op: route
    inputs: [market, ivRank]
  - id: desk
    op: trading
    inputs: [market, router, regime]
    params: { maxPortfolioDelta: 1000, maxPortfolioGamma: 500, maxPortfolioVega: 2000 }
sinks:
  - id: trading
    type: ndjson
    inputs: [desk]
  - id: signals
    type: ndjson
    inputs: [router]
`;

describe("backtest end to end", () => {
  const dir = tempDir();

  it("replays a topology through the desk and writes every artefact, identically twice", async () => {
    expect(existsSync(replay)).toBe(true);
    const file = join(dir, "bt.yaml");
    writeFileSync(file, topology);
    const registries = { operators: builtinOperators(), sinks: builtinSinks() };
    const runOnce = async (out: string) => {
      const compiled = await Effect.runPromise(loadTopology(file, registries));
      const report = await Effect.runPromise(runTopology(compiled, { registries, outDir: join(dir, out) }));
      expect(report.events.deadLetters).toBe(0);
      return writeBacktestReport({
        outDir: join(dir, out),
        topology: report.topologyName,
        topologyHash: report.topologyHash,
        files: report.outputs.map((o) => o.file),
      });
    };
    const a = await runOnce("a");
    const b = await runOnce("b");
    for (const f of [
      "summary.json",
      "trades.csv",
      "orders.ndjson",
      "fills.ndjson",
      "report.html",
      "run.json",
    ])
      expect(existsSync(join(dir, "a", f)), f).toBe(true);
    expect(readFileSync(join(dir, "a", "summary.json"), "utf8")).toBe(
      readFileSync(join(dir, "b", "summary.json"), "utf8"),
    );
    const s = a.summary;
    for (const k of [
      "trades",
      "totalPnl",
      "cagr",
      "sharpe",
      "sortino",
      "maxDrawdown",
      "winRate",
      "avgWin",
      "avgLoss",
      "byRegime",
      "byStrategy",
      "byUnderlying",
    ])
      expect(s, k).toHaveProperty(k);
    expect(a.events.fills.length).toBeGreaterThan(0);
    // Equity from the curve equals closed-trade P&L plus what is still open at the end.
    const last = a.events.snapshots.at(-1)!;
    const openValue = [...new Map(a.events.positions.map((p) => [p.positionId, p])).values()]
      .filter((p) => p.status === "open")
      .reduce((acc, p) => acc + p.realizedPnlCents + p.unrealizedPnlCents, 0);
    const closed = a.trades.reduce((acc, t) => acc + t.pnlCents, 0);
    expect(last.equityCents - 10_000_000).toBe(closed + openValue);
    expect(b.summary.totalPnl).toBe(s.totalPnl);
    const csv = readFileSync(join(dir, "a", "trades.csv"), "utf8")
      .trim()
      .split("\n");
    expect(csv).toHaveLength(s.trades + 1);
    const orders = readFileSync(join(dir, "a", "orders.ndjson"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(orders.every((o: { kind: string }) => o.kind === "Order")).toBe(true);
  });
});
