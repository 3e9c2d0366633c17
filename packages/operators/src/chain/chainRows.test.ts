import { deserialize, serialize } from "node:v8";
import type { Emitter } from "@thetaflow/core";
import type { Greeks, OptionQuote, VolFeatures } from "@thetaflow/schemas";
import { Schema } from "effect";
import { describe, expect, it } from "vitest";
import { US_PER_DAY } from "../calendar/nyTime.js";
import { IvSurfaceParams, type IvSurfaceState, ivSurface } from "../ops/ivSurface.js";
import { contractKey } from "./chainRows.js";
import { summarizeChain } from "./chainSummary.js";

const T = 17_900 * US_PER_DAY + 21 * 3_600_000_000; // 2019-01-04 16:00 New York
const params = Schema.decodeUnknownSync(IvSurfaceParams)({});
const ctx = { nodeId: "ivSurface", key: "SPY", seed: 0 };

const greeks = (strike: number, right: "call" | "put", iv: number, delta: number): Greeks => ({
  kind: "Greeks",
  eventTime: T,
  seq: 0,
  contract: `SPY ${right} ${strike}`,
  underlying: "SPY",
  expiry: "2019-02-01",
  strike,
  right,
  style: "european",
  spot: 250,
  tYears: 28 / 365,
  bid: 2.9,
  ask: 3.1,
  mid: 3,
  iv,
  ivBid: null,
  ivAsk: null,
  delta,
  gamma: 0.03,
  vega: 20,
  theta: -30,
  rho: 5,
  volume: 0,
  openInterest: 0,
  status: "ok",
});

/** `g` with its quote's volume (open interest ten times it), as the greeks operator stamps them. */
const traded = (g: Greeks, volume: number): Greeks => ({ ...g, volume, openInterest: 10 * volume });

const quote = (g: Greeks, volume: number): OptionQuote => ({
  kind: "OptionQuote",
  eventTime: T,
  seq: 0,
  contract: g.contract,
  underlying: "SPY",
  expiry: g.expiry,
  strike: g.strike,
  right: g.right,
  style: "european",
  settlement: "physical",
  multiplier: 100,
  bid: 2.9,
  ask: 3.1,
  bidSize: 1,
  askSize: 1,
  volume,
  openInterest: 10 * volume,
});

/** Runs ivSurface's step from `state` and returns the new state (outputs dropped). */
const step = (state: IvSurfaceState, e: Greeks): IvSurfaceState =>
  ivSurface.step(state, e, { emit: () => {} }, params, ctx);

const summaryOf = (state: IvSurfaceState): VolFeatures["values"] => {
  const out: VolFeatures[] = [];
  const emitter: Emitter<VolFeatures> = { emit: (e) => void out.push(e) };
  ivSurface.onEnd!(state, emitter, params, ctx);
  expect(out).toHaveLength(1);
  return out[0]!.values;
};

const withoutBar = (v: VolFeatures["values"]) =>
  Object.fromEntries(Object.entries(v).filter(([k]) => !k.startsWith("bar_")));

describe("ivSurface chain columns", () => {
  const call250 = greeks(250, "call", 0.2, 0.52);
  const put250 = greeks(250, "put", 0.22, -0.48);
  const call255 = greeks(255, "call", 0.19, 0.3);
  const put245 = greeks(245, "put", 0.24, -0.3);

  it("keeps a detached state's rows while the live state moves on, in its chain and past later ones", () => {
    const base = [traded(call250, 5), traded(put250, 7)].reduce(step, ivSurface.init(params, ctx));
    const kept = ivSurface.detach!(base);
    const branchA = step(base, traded(call255, 11));
    expect(branchA).toBe(base);
    // A second branch from the copy (detached again, as every restore does): neither sees the other's rows.
    const branchB = step(ivSurface.detach!(kept), traded(put245, 13));
    const a = summaryOf(branchA);
    const b = summaryOf(branchB);
    expect(withoutBar(a)).toEqual(
      summarizeChain(
        T,
        null,
        [call250, put250, call255],
        [call250, put250, call255].map((g, i) => quote(g, [5, 7, 11][i]!)),
        params,
      ),
    );
    expect(withoutBar(b)).toEqual(
      summarizeChain(
        T,
        null,
        [call250, put250, put245],
        [call250, put250, put245].map((g, i) => quote(g, [5, 7, 13][i]!)),
        params,
      ),
    );
    expect(a.chain_contracts).toBe(3);
    expect(a.call_volume).toBe(16);
    expect(b.put_volume).toBe(20);
    // The live state refills its columns for the next day's chain; the copy still has its own two contracts.
    const columns = branchA.head.greeks;
    const nextDay = [traded(put245, 1)].map((e) => ({ ...e, eventTime: T + US_PER_DAY }));
    const later = nextDay.reduce(step, branchA);
    expect(later.head.greeks).toBe(columns);
    expect(summaryOf(later).chain_contracts).toBe(1);
    expect(summaryOf(kept).chain_contracts).toBe(2);
    expect(summaryOf(kept).option_volume_total).toBe(12);
  });

  it("refills one set of columns chain after chain, each summary that of the chain alone", () => {
    // Chains of changing size, strikes and expiries, each summarised when the next one starts.
    const chainOn = (day: number, size: number, expiry: string) =>
      Array.from({ length: size }, (_, i) => {
        const g = greeks(
          230 + i + day,
          i % 2 === 0 ? "call" : "put",
          0.2 + day * 0.01 + i * 1e-3,
          0.5 - i * 0.01,
        );
        return { ...g, eventTime: T + day * US_PER_DAY, expiry, contract: `${g.contract} ${expiry}` };
      });
    const chains = [
      chainOn(0, 60, "2019-02-01"),
      chainOn(1, 9, "2019-02-08"),
      chainOn(2, 40, "2019-03-01"),
      chainOn(3, 1, "2019-03-01"),
    ];
    const quoteOf = (g: Greeks, volume: number) => ({ ...quote(g, volume), eventTime: g.eventTime });
    const summaries: VolFeatures[] = [];
    const emitter: Emitter<VolFeatures> = { emit: (e) => void summaries.push(e) };
    let state = ivSurface.init(params, ctx);
    let columns: IvSurfaceState["head"]["greeks"] = null;
    for (const [day, chain] of chains.entries()) {
      for (const g of chain) {
        state = ivSurface.step(state, traded(g, day + 1), emitter, params, ctx);
      }
      if (day === 0) columns = state.head.greeks;
      else expect(state.head.greeks).toBe(columns);
    }
    ivSurface.onEnd!(state, emitter, params, ctx);
    expect(summaries).toHaveLength(chains.length);
    for (const [day, chain] of chains.entries()) {
      const t = T + day * US_PER_DAY;
      expect(summaries[day]!.eventTime).toBe(t);
      expect(withoutBar(summaries[day]!.values)).toEqual(
        summarizeChain(
          t,
          null,
          chain.map((g) => traded(g, day + 1)),
          chain.map((g) => quoteOf(g, day + 1)),
          params,
        ),
      );
    }
  });

  it("grows past the columns' first size without losing rows", () => {
    const strikes = Array.from({ length: 100 }, (_, i) => 200 + i);
    const chain = strikes.map((k) => greeks(k, "call", 0.2 + (k - 250) * 1e-3, 0.5 - (k - 250) * 0.01));
    const state = chain.reduce(step, ivSurface.init(params, ctx));
    expect(withoutBar(summaryOf(state))).toEqual(
      summarizeChain(
        T,
        null,
        chain,
        chain.map((g) => quote(g, 0)),
        params,
      ),
    );
    expect(summaryOf(state).chain_contracts).toBe(100);
  });

  it("resumes from a checkpoint written before quote rows had contract keys", () => {
    const first = [traded(call250, 5), traded(put250, 7)];
    const rest = [traded(call255, 11)];
    const mid = first.reduce(step, ivSurface.init(params, ctx));
    const old = deserialize(serialize(mid)) as IvSurfaceState;
    delete (old.head.quotes as { contractKey?: Int32Array }).contractKey;
    expect(summaryOf(old)).toEqual(summaryOf(mid));
    expect(summaryOf(rest.reduce(step, old))).toEqual(summaryOf(rest.reduce(step, mid)));
  });

  it("takes the ATM contract's first quote, passing over other contracts with the same key", () => {
    const impostor = "XPY call 250"; // same length and key characters as call250's id
    expect(contractKey(impostor)).toBe(contractKey(call250.contract));
    const quotes = [
      { ...quote(call250, 100), contract: impostor },
      quote(call250, 5),
      quote(call250, 9),
      quote(put250, 7),
    ];
    const v = summarizeChain(T, 250, [call250, put250], quotes, params);
    expect(v.atm_call_log_volume).toBe(Math.log1p(5));
    expect(v.atm_call_volume_oi_ratio).toBe(0.1);
    expect(v.atm_put_log_volume).toBe(Math.log1p(7));
    expect(v.call_volume).toBe(114);
  });

  it("gives equal keys for equal ids, whatever their length", () => {
    for (const id of ["", "A", "SPY", "SPY   190104C00250000", "SPX 2019-01-04 C 2500"]) {
      const copy = [...id].join("");
      expect(contractKey(copy)).toBe(contractKey(id));
      expect(Number.isInteger(contractKey(id))).toBe(true);
    }
  });

  it("summarises expiries the same whether their rows come grouped or interleaved", () => {
    const front = [245, 250, 255].flatMap((k) => [
      greeks(k, "call", 0.2 + (250 - k) * 2e-3, 0.5 - (k - 250) * 0.04),
      greeks(k, "put", 0.21 + (250 - k) * 2e-3, -0.5 - (k - 250) * 0.04),
    ]);
    const back = front.map((g) => ({
      ...g,
      contract: `${g.contract} Mar`,
      expiry: "2019-03-01",
      tYears: 56 / 365,
      iv: (g.iv ?? 0) + 0.01,
    }));
    const grouped = [...front, ...back];
    const interleaved = front.flatMap((g, i) => [g, back[i]!]);
    const backFirst = [...back, ...front];
    const quotesOf = (gs: Greeks[]) => gs.map((g, i) => quote(g, i + 1));
    const a = summarizeChain(T, 250, grouped, quotesOf(grouped), params);
    expect(a.iv_atm).not.toBeNull();
    expect(a.iv_60d).not.toBe(a.iv_atm);
    const withoutVolumes = (v: VolFeatures["values"]) =>
      Object.fromEntries(Object.entries(v).filter(([k]) => !/volume|_oi|open_interest/.test(k)));
    expect(withoutVolumes(summarizeChain(T, 250, interleaved, quotesOf(interleaved), params))).toEqual(
      withoutVolumes(a),
    );
    expect(withoutVolumes(summarizeChain(T, 250, backFirst, quotesOf(backFirst), params))).toEqual(
      withoutVolumes(a),
    );
  });

  it("summarises a chain the same after a larger one", () => {
    const small = [call250, put250, call255, put245];
    const smallQuotes = small.map((g, i) => quote(g, i + 1));
    const first = summarizeChain(T, 250, small, smallQuotes, params);
    // More rows than the sort's first scratch arrays hold, so they grow in between.
    const strikes = Array.from({ length: 5000 }, (_, i) => 150 + i / 50);
    const big = strikes.map((k) => greeks(k, "put", 0.2 + (250 - k) * 1e-3, -0.5 + (k - 250) * 0.01));
    summarizeChain(T, 250, big, [], params);
    expect(summarizeChain(T, 250, small, smallQuotes, params)).toEqual(first);
  });

  it("resumes from a v8-serialized checkpoint (what live checkpoints store) with the same summary", () => {
    const first = [traded(call250, 5), traded(put250, 7)];
    const rest = [traded(call255, 11)];
    const mid = first.reduce(step, ivSurface.init(params, ctx));
    const restored = deserialize(serialize(mid)) as IvSurfaceState;
    const direct = rest.reduce(step, mid);
    const resumed = rest.reduce(step, restored);
    expect(summaryOf(resumed)).toEqual(summaryOf(direct));
    expect(summaryOf(resumed).chain_contracts).toBe(3);
  });
});
