import { createHash } from "node:crypto";
import { createReadStream, readFileSync, statSync } from "node:fs";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import type { OptionQuote } from "@thetaflow/schemas";
import { decodeEvent } from "@thetaflow/schemas";
import { describe, expect, it } from "vitest";
import { tradingCalendar } from "../calendar/tradingCalendar.js";
import { checkChainArbitrage } from "../noArbitrage.js";
import { repoRoot } from "../referenceData.js";
import { readManifest } from "./manifest.js";

const manifest = readManifest(`${repoRoot}replays/manifest.json`);
const YEAR_MICROS = 365 * 86_400_000_000;
const dividendYield: Record<string, number> = { SPY: 0.019, AAPL: 0.015 };

interface ReplayScan {
  readonly counts: Record<string, number>;
  readonly days: Set<string>;
  readonly chains: number;
  readonly violations: string[];
  readonly badLines: string[];
}

/** Streams a replay once: schema, order and seq of every line, and no-arbitrage of every chain. */
const scan = async (path: string, rate: number, decodeEvery: number): Promise<ReplayScan> => {
  const lines = createInterface({ input: createReadStream(path).pipe(createGunzip()) });
  const counts: Record<string, number> = {};
  const days = new Set<string>();
  const violations: string[] = [];
  const badLines: string[] = [];
  let chains = 0;
  let time = -1;
  let seq = 0;
  let spots = new Map<string, number>();
  let open = new Map<string, OptionQuote[]>();
  let quoteSeenAtTime = false;
  const check = () => {
    for (const [underlying, quotes] of open) {
      chains++;
      const spot = spots.get(underlying)!;
      const tYears = (e: string) => (tradingCalendar.closeMicros(e) - time) / YEAR_MICROS;
      const found = checkChainArbitrage(quotes, {
        spot,
        tickTolerance: 0.01,
        tYears,
        forward: (e) => spot * Math.exp((rate - (dividendYield[underlying] ?? 0)) * tYears(e)),
      });
      violations.push(...found.map((v) => `${underlying}@${time} ${v.check}: ${v.detail}`));
    }
    open = new Map();
  };
  for await (const line of lines) {
    const e = JSON.parse(line) as
      | OptionQuote
      | { kind: string; eventTime: number; seq: number; symbol: string; price: number };
    seq++;
    if (e.seq !== seq) badLines.push(`seq ${e.seq} at line ${seq}`);
    if (e.eventTime < time) badLines.push(`time goes back at line ${seq}`);
    if (e.eventTime !== time) {
      check();
      time = e.eventTime;
      spots = new Map();
      quoteSeenAtTime = false;
      days.add(new Date(time / 1000).toISOString().slice(0, 10));
    }
    if (seq % decodeEvery === 0 && !decodeEvent(e).ok) badLines.push(`line ${seq} does not decode`);
    counts[e.kind] = (counts[e.kind] ?? 0) + 1;
    if (e.kind === "OptionQuote") {
      quoteSeenAtTime = true;
      const q = e as OptionQuote;
      open.set(q.underlying, [...(open.get(q.underlying) ?? []), q]);
    } else if (quoteSeenAtTime) {
      badLines.push(`${e.kind} after quotes at line ${seq}`);
    }
    if (e.kind === "UnderlyingTick")
      spots.set((e as { symbol: string }).symbol, (e as { price: number }).price);
  }
  check();
  return { counts, days, chains, violations, badLines };
};

describe("bundled replays and their manifest", () => {
  it("lists every replay with a matching sha256, size and row counts, and says what is real", () => {
    expect(manifest.replays.length).toBeGreaterThanOrEqual(4);
    for (const entry of manifest.replays) {
      const bytes = readFileSync(`${repoRoot}${entry.file}`);
      expect(createHash("sha256").update(bytes).digest("hex"), entry.file).toBe(entry.sha256);
      expect(statSync(`${repoRoot}${entry.file}`).size).toBe(entry.bytes);
      expect(Object.values(entry.countsByKind).reduce((a, b) => a + b, 0)).toBe(entry.lines);
      expect(entry.provenance.length).toBeGreaterThan(40);
    }
    const origins = Object.fromEntries(manifest.replays.map((e) => [e.file, e.origin]));
    expect(origins["replays/real/spx-daily-2000-2020.ndjson.gz"]).toBe("real");
    expect(origins["replays/real/vix-daily-2014-2019.ndjson.gz"]).toBe("real");
    expect(origins["replays/default/spy-aapl-2015-2018.ndjson.gz"]).toBe("synthesized-from-real");
    expect(origins["replays/small/spy-aapl-2019-01.ndjson.gz"]).toBe("synthesized");
  });

  it("default backtest replay: 4 years of daily SPY chains, VIX, AAPL with earnings, < 50 MB, arbitrage-free", async () => {
    const file = `${repoRoot}replays/default/spy-aapl-2015-2018.ndjson.gz`;
    expect(statSync(file).size).toBeLessThan(50 * 1024 * 1024);
    const s = await scan(file, 0.01, 97);
    expect(s.badLines).toEqual([]);
    expect(s.days.size).toBe(tradingCalendar.tradingDays("2015-01-02", "2018-12-31").length);
    expect(s.counts.IndexTick).toBe(s.days.size);
    expect(s.counts.UnderlyingTick).toBe(2 * s.days.size);
    expect(s.counts.EarningsEvent).toBeGreaterThanOrEqual(16);
    expect(s.counts.OptionQuote).toBeGreaterThan(500_000);
    expect(s.chains).toBe(2 * s.days.size);
    expect(s.violations.slice(0, 5)).toEqual([]);
  });

  it("small replay: intraday and close chains, arbitrage-free", async () => {
    const s = await scan(`${repoRoot}replays/small/spy-aapl-2019-01.ndjson.gz`, 0.02, 1);
    expect(s.badLines).toEqual([]);
    expect(s.chains).toBe(2 * 3 * s.days.size);
    expect(s.violations).toEqual([]);
  });

  it("real histories are untouched source values", async () => {
    const s = await scan(`${repoRoot}replays/real/vix-daily-2014-2019.ndjson.gz`, 0, 1);
    expect(s.counts).toEqual({ IndexTick: 1259 });
    const spx = await scan(`${repoRoot}replays/real/spx-daily-2000-2020.ndjson.gz`, 0, 1);
    expect(spx.counts).toEqual({ UnderlyingTick: 5105 });
  });
});
