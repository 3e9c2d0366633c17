import { deserialize, serialize } from "node:v8";
import { type NodeSnapshot, runOperator } from "@thetaflow/core";
import type { Event, FeatureVector, IndexTick, UnderlyingTick, VolFeatures } from "@thetaflow/schemas";
import { Schema } from "effect";
import { describe, expect, it } from "vitest";
import { US_PER_DAY } from "../calendar/nyTime.js";
import { features } from "../ops/features.js";
import { indicators } from "../ops/indicators.js";
import { VolatilityParams, volatility } from "../ops/volatility.js";

// The signal operators keep their windows in rings whose successive states share one append-only log
// (indicators/ring.ts). A snapshot holds a state the live node keeps appending after; resuming from it,
// in process or after a v8 round trip (checkpoint files), must give exactly the uninterrupted outputs.

const DAYS = 320;
const FIRST_DAY = 17_900;
const closeUs = (i: number) => (FIRST_DAY + i) * US_PER_DAY + 21 * 3_600_000_000;

const lcg = (seed: number) => () => {
  seed = (seed * 1_664_525 + 1_013_904_223) >>> 0;
  return seed / 2 ** 32;
};

interface Market {
  readonly bars: UnderlyingTick[];
  /** VIX ticks and ivSurface-style daily snapshots, in time order. */
  readonly vol: (IndexTick | VolFeatures)[];
}

const market = (): Market => {
  const rnd = lcg(11);
  let spot = 250;
  const bars: UnderlyingTick[] = [];
  const vol: (IndexTick | VolFeatures)[] = [];
  for (let i = 0; i < DAYS; i++) {
    const t = closeUs(i);
    const open = spot * (1 + 0.004 * (rnd() - 0.5));
    spot = open * (1 + 0.03 * (rnd() - 0.5));
    const high = Math.max(open, spot) * (1 + 0.005 * rnd());
    const low = Math.min(open, spot) * (1 - 0.005 * rnd());
    const volume = Math.round(1e6 * (0.5 + rnd()));
    bars.push({
      kind: "UnderlyingTick",
      eventTime: t,
      seq: 0,
      symbol: "SPY",
      price: spot,
      open,
      high,
      low,
      volume,
    });
    vol.push({ kind: "IndexTick", eventTime: t, seq: 0, symbol: "VIX", value: 12 + 20 * rnd() });
    const values: Record<string, number | null> = {
      bar_close: spot,
      bar_open: open,
      bar_high: high,
      bar_low: low,
    };
    // Some days without an ATM IV, so the IV windows skip days as they do on real chains.
    values.iv_atm = rnd() < 0.1 ? null : 0.12 + 0.2 * rnd();
    vol.push({ kind: "VolFeatures", eventTime: t + 1, seq: 0, underlying: "SPY", values });
  }
  return { bars, vol };
};

type Op = Parameters<typeof runOperator>[0];

/** The same event with every price-like number scaled: a different future for a branch to take. */
const perturb = (e: Event): Event => {
  const scale = (v: Readonly<Record<string, number | null>>) =>
    Object.fromEntries(Object.entries(v).map(([k, x]) => [k, x === null ? null : x * 1.01]));
  switch (e.kind) {
    case "UnderlyingTick":
      return { ...e, price: e.price * 1.01, high: e.high! * 1.01, low: e.low! * 1.01, open: e.open! * 1.01 };
    case "IndexTick":
      return { ...e, value: e.value * 1.01 };
    case "VolFeatures":
    case "FeatureVector":
      return { ...e, values: scale(e.values) };
    default:
      return e;
  }
};

/**
 * Runs `events` whole, and again split at `cut`, where the node's snapshot is taken. Then, one event
 * at a time: the first node goes on past its snapshot, a node restored from the snapshot in process
 * takes a different future (perturbed events), and a node restored from a v8 round trip (checkpoint
 * files) takes the real one. Each must give exactly what an uninterrupted run of its events gives,
 * so no branch ever sees another's appends to the windows they share.
 */
const expectResumes = (op: Op, params: unknown, events: readonly Event[], cut: number) => {
  const run = (evs: readonly Event[]) => runOperator(op, params, evs, { end: false });
  const tail = events.slice(cut);
  const otherTail = tail.map(perturb);
  const whole = run(events).outputs;
  const other = run([...events.slice(0, cut), ...otherTail]).outputs;
  const head = run(events.slice(0, cut));
  const before = head.outputs.length;
  const snap: NodeSnapshot = head.node.snapshot();
  const branch = run([]);
  branch.node.restore(snap);
  const restored = run([]);
  restored.node.restore(deserialize(serialize(snap)) as NodeSnapshot);
  tail.forEach((e, i) => {
    branch.node.push(otherTail[i]!);
    head.node.push(e);
    restored.node.push(e);
  });
  expect(head.outputs).toEqual(whole);
  expect(branch.outputs).toEqual(other.slice(before));
  expect(restored.outputs).toEqual(whole.slice(before));
  expect(other.slice(before)).not.toEqual(whole.slice(before));
  return whole;
};

describe("signal operators resume from snapshots", () => {
  const m = market();
  const volParams = Schema.decodeUnknownSync(VolatilityParams)({ rankWindow: 30, rankMinPeriods: 10 });

  it("indicators, volatility and features give the uninterrupted outputs after a restore", () => {
    const ind = expectResumes(indicators as Op, {}, m.bars, 260) as FeatureVector[];
    const vol = expectResumes(volatility as Op, volParams, m.vol, 500) as VolFeatures[];
    expect(ind.length).toBe(DAYS);
    expect(vol.length).toBe(DAYS);
    // A late rank window and the 200-day SMA are only non-null if the windows survived the cuts.
    expect(vol.at(-1)!.values.iv_rank).not.toBeNull();
    expect(ind.at(-1)!.values.sma_200).not.toBeNull();

    const merged = [...ind, ...vol].sort((a, b) => a.eventTime - b.eventTime);
    const fv = expectResumes(features as Op, {}, merged, 400);
    expect(fv.length).toBeGreaterThan(DAYS - 5);
  });
});
