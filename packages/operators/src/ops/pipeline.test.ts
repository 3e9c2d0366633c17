import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { compileTopology, drive, type EventSink, Registry } from "@thetaflow/core";
import { europeanPrice } from "@thetaflow/options-math";
import type {
  Event,
  FeatureVector,
  IndexTick,
  OptionQuote,
  Regime,
  RegimeTransition,
  UnderlyingTick,
} from "@thetaflow/schemas";
import { Either, Schema } from "effect";
import { describe, expect, it } from "vitest";
import { isoFromDays, US_PER_DAY, yearsToExpiry } from "../calendar/nyTime.js";
import { FEATURE_NAMES } from "../features/catalog.js";
import { builtinOperators } from "../registry.js";
import { classifyRegime, RegimeParams } from "./regime.js";

// A deterministic synthetic market: SPY daily OHLC bars from a seeded walk, the VIX, and a European
// chain priced at a flat vol = VIX/100, so the expected features are known in closed form.
const DAYS = 80;
const FIRST_DAY = 17_900; // 2019-01-04
const closeUs = (day: number) => day * US_PER_DAY + 21 * 3_600_000_000; // 16:00 EST (Jan-Mar)

const lcg = (seed: number) => () => {
  seed = (seed * 1_664_525 + 1_013_904_223) >>> 0;
  return seed / 2 ** 32;
};

interface Session {
  readonly day: number;
  readonly bar: UnderlyingTick;
  readonly vix: IndexTick;
  readonly chain: OptionQuote[];
}

const market = (): Session[] => {
  const rnd = lcg(7);
  let spot = 250;
  const out: Session[] = [];
  for (let i = 0; i < DAYS; i++) {
    const day = FIRST_DAY + i;
    const t = closeUs(day);
    const open = spot * (1 + 0.004 * (rnd() - 0.5));
    spot = open * (1 + 0.02 * (rnd() - 0.5));
    const high = Math.max(open, spot) * (1 + 0.005 * rnd());
    const low = Math.min(open, spot) * (1 - 0.005 * rnd());
    const vixLevel = 12 + 20 * rnd();
    const chain: OptionQuote[] = [];
    for (const dte of [8, 29, 64]) {
      const expiry = isoFromDays(day + dte);
      for (let k = -5; k <= 5; k++) {
        const strike = Math.round(spot) + 2 * k;
        for (const right of ["call", "put"] as const) {
          const mid = europeanPrice({
            right,
            spot,
            strike,
            tYears: yearsToExpiry(t, expiry),
            rate: 0.03,
            divYield: 0,
            vol: vixLevel / 100,
          });
          chain.push({
            kind: "OptionQuote",
            eventTime: t,
            seq: 0,
            contract: `SPY ${expiry} ${right} ${strike}`,
            underlying: "SPY",
            expiry,
            strike,
            right,
            style: "european",
            settlement: "physical",
            multiplier: 100,
            bid: mid * 0.9999,
            ask: mid * 1.0001,
            bidSize: 1,
            askSize: 1,
            volume: right === "put" ? 30 : 20,
            openInterest: 100,
          });
        }
      }
    }
    out.push({
      day,
      // The VIX tick comes first each session, so the next session's VIX is already in when a day closes.
      vix: { kind: "IndexTick", eventTime: t, seq: 0, symbol: "VIX", value: vixLevel },
      bar: {
        kind: "UnderlyingTick",
        eventTime: t,
        seq: 0,
        symbol: "SPY",
        price: spot,
        open,
        high,
        low,
        volume: 1e6,
      },
      chain,
    });
  }
  return out;
};

const SESSIONS = market();

const topologyText = readFileSync(
  fileURLToPath(new URL("../../../../topologies/features.yaml", import.meta.url)),
  "utf8",
)
  .replace("pricing: by_style", "pricing: european")
  .replace("rankMinPeriods: 252", "rankMinPeriods: 20");

interface Captured {
  readonly features: FeatureVector[];
  readonly regimes: Regime[];
  readonly transitions: RegimeTransition[];
  readonly deadLetters: Event[];
}

const run = async (sessions: readonly Session[]): Promise<Captured> => {
  const noSinks = new Registry<never>("sink type");
  const ndjson = {
    name: "ndjson",
    description: "test stand-in",
    params: Schema.Struct({}),
    open: async () => undefined as never,
  };
  const compiled = compileTopology("features.yaml", topologyText, {
    operators: builtinOperators(),
    sinks: (noSinks as unknown as Registry<typeof ndjson>).register(ndjson),
  });
  if (Either.isLeft(compiled)) throw new Error(compiled.left.message);
  const topology = compiled.right;
  const captured: Captured = { features: [], regimes: [], transitions: [], deadLetters: [] };
  const sink = (write: (e: Event) => void): EventSink => ({
    write,
    flush: async () => {},
    close: async () => {},
    files: () => [],
  });
  const sinks = new Map<string, EventSink>([
    ["featureVectors", sink((e) => captured.features.push(e as FeatureVector))],
    [
      "regimes",
      sink((e) =>
        e.kind === "Regime"
          ? captured.regimes.push(e)
          : e.kind === "RegimeTransition" && captured.transitions.push(e),
      ),
    ],
    ["labelRows", sink(() => {})],
    ["errors", sink((e) => captured.deadLetters.push(e))],
  ]);
  let seq = 0;
  async function* batches() {
    for (const s of sessions) yield [s.vix, s.bar, ...s.chain].map((e) => ({ ...e, seq: seq++ }));
  }
  await drive({ topology, sources: new Map([["market", batches()]]), sinks });
  return captured;
};

const full = await run(SESSIONS);

const sampleStd = (xs: readonly number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
};

describe("signal topology over a synthetic market", () => {
  it("emits one complete feature vector per decision, no dead letters", () => {
    expect(full.deadLetters).toEqual([]);
    expect(full.features.map((f) => f.date)).toEqual(SESSIONS.map((s) => isoFromDays(s.day)));
    for (const f of full.features) {
      expect(Object.keys(f.values)).toEqual(FEATURE_NAMES);
      expect(f.missing).toEqual(FEATURE_NAMES.filter((n) => f.values[n] === null));
    }
  });

  it("recovers the flat vol of the chain as ATM IV and a zero skew", () => {
    SESSIONS.forEach((s, i) => {
      const v = full.features[i]!.values;
      expect(v.iv_atm!).toBeCloseTo(s.vix.value / 100, 6);
      expect(v.iv_60d!).toBeCloseTo(s.vix.value / 100, 6);
      expect(Math.abs(v.iv_skew!)).toBeLessThan(1e-6);
      expect(v.put_call_volume_ratio).toBeCloseTo(1.5, 12);
    });
  });

  it("matches batch realised vol, VIX rank and the seeds' regime rules, using only data up to each day", () => {
    const closes = SESSIONS.map((s) => s.bar.price);
    const vix = SESSIONS.map((s) => s.vix.value);
    const p = Schema.decodeUnknownSync(RegimeParams)({});
    for (let i = 25; i < DAYS; i++) {
      const v = full.features[i]!.values;
      const returns = closes
        .slice(i - 20, i + 1)
        .map((c, j, a) => (j === 0 ? 0 : Math.log(c / a[j - 1]!)))
        .slice(1);
      expect(v.rv_20!).toBeCloseTo(sampleStd(returns) * Math.sqrt(252), 10);
      // Day i's VIX, not day i+1's, although that one arrived before day i was decided.
      expect(v.vix).toBe(vix[i]);
      const window = vix.slice(0, i + 1).slice(-252);
      const lo = Math.min(...window);
      const hi = Math.max(...window);
      expect(v.vix_rank!).toBeCloseTo((vix[i]! - lo) / (hi - lo), 12);
      const expected = classifyRegime({ vix: v.vix, vixRank: v.vix_rank, hvIv: v.hv_iv_ratio }, p);
      expect(full.regimes[i]!.regime).toBe(expected);
    }
  });

  it("emits a transition whenever the regime changes, with the days spent in the previous one", () => {
    const changes = full.regimes.flatMap((r, i) =>
      i > 0 && full.regimes[i - 1]!.regime !== r.regime ? [[i, r] as const] : [],
    );
    expect(full.transitions).toHaveLength(changes.length);
    changes.forEach(([i, r], k) => {
      expect(full.transitions[k]!).toMatchObject({
        from: full.regimes[i - 1]!.regime,
        to: r.regime,
        eventTime: r.eventTime,
      });
      expect(full.transitions[k]!.daysInPrevious).toBe(full.regimes[i - 1]!.daysInRegime);
    });
  });

  it("has no look-ahead: a run cut after day D gives the same vectors up to D", async () => {
    for (const cut of [30, 57]) {
      const part = await run(SESSIONS.slice(0, cut));
      expect(part.features).toEqual(full.features.slice(0, cut));
    }
  });
});
