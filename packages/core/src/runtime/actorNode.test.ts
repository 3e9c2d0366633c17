import type { Event, UnderlyingTick } from "@thetaflow/schemas";
import { Schema } from "effect";
import { describe, expect, it } from "vitest";
import { runningSum } from "../__fixtures__/runningSum.js";
import { defineOperator } from "../operator.js";
import { runOperator } from "../testing.js";

const tick = (symbol: string, price: number, t: number): UnderlyingTick => ({
  kind: "UnderlyingTick",
  eventTime: t,
  seq: t,
  symbol,
  price,
});

describe("ActorNode", () => {
  it("keeps state per key and stamps output seq in emission order", () => {
    const run = runOperator(runningSum, { scale: 1 }, [tick("A", 1, 1), tick("B", 10, 2), tick("A", 2, 3)], {
      end: false,
    });
    expect(
      run.outputs.map((e) => [(e as UnderlyingTick).symbol, (e as UnderlyingTick).price, e.seq]),
    ).toEqual([
      ["A", 1, 0],
      ["B", 10, 1],
      ["A", 3, 2],
    ]);
    expect(run.node.stats.actors).toBe(2);
  });

  it("restarts a failing actor from its last good state and dead-letters the event", () => {
    const events: Event[] = [tick("A", 1, 1), tick("A", 13, 2), tick("A", 2, 3)];
    const run = runOperator(runningSum, { scale: 1 }, events, { nodeId: "sum", end: false });
    expect(run.outputs.map((e) => (e as UnderlyingTick).price)).toEqual([1, 3]);
    expect(run.deadLetters).toHaveLength(1);
    expect(run.deadLetters[0]).toMatchObject({
      nodeId: "sum",
      eventTime: 2,
      reason: expect.stringContaining("unlucky price"),
    });
    expect(JSON.parse(run.deadLetters[0]!.raw)).toEqual(events[1]);
    expect(run.node.stats.failures).toBe(1);
  });

  it("ignores kinds the operator does not consume", () => {
    const run = runOperator(
      runningSum,
      { scale: 1 },
      [{ kind: "IndexTick", eventTime: 1, seq: 0, symbol: "VIX", value: 12 }],
      { end: false },
    );
    expect(run.outputs).toEqual([]);
    expect(run.node.stats.eventsIn).toBe(0);
  });

  it("filters kinds per event when consumed and ignored kinds alternate", () => {
    const vix = (t: number): Event => ({ kind: "IndexTick", eventTime: t, seq: t, symbol: "VIX", value: 12 });
    const run = runOperator(
      runningSum,
      { scale: 1 },
      [tick("A", 1, 1), vix(2), vix(3), tick("A", 2, 4), vix(5), tick("A", 4, 6)],
      { end: false },
    );
    expect(run.outputs.map((e) => (e as UnderlyingTick).price)).toEqual([1, 3, 7]);
    expect(run.node.stats.eventsIn).toBe(3);
  });

  it("calls onEnd per actor in key order", () => {
    const run = runOperator(runningSum, { scale: 1 }, [tick("B", 1, 1), tick("A", 1, 2), tick("B", 1, 3)]);
    expect(run.outputs.slice(-2).map((e) => (e as UnderlyingTick).price)).toEqual([1, 2]);
  });

  it("snapshot + restore resumes exactly where it stopped", () => {
    const first = runOperator(runningSum, { scale: 1 }, [tick("A", 1, 1), tick("A", 2, 2)], { end: false });
    const snap = first.node.snapshot();
    const resumed = runOperator(runningSum, { scale: 1 }, [], { end: false });
    resumed.node.restore(snap);
    resumed.node.push(tick("A", 4, 3));
    const whole = runOperator(runningSum, { scale: 1 }, [tick("A", 1, 1), tick("A", 2, 2), tick("A", 4, 3)], {
      end: false,
    });
    expect(resumed.outputs).toEqual(whole.outputs.slice(2));
  });

  describe("an operator that updates its state in place (detach)", () => {
    /** Prices per symbol in one array it appends to; throws on 13 before touching the state. */
    const priceLog = defineOperator({
      name: "priceLog",
      description: "test operator",
      params: Schema.Struct({}),
      consumes: ["UnderlyingTick"],
      produces: ["UnderlyingTick"],
      keyOf: (e) => e.symbol,
      init: () => ({ prices: [] as number[] }),
      step: (state, e, out) => {
        if (e.price === 13) throw new Error("unlucky price");
        state.prices.push(e.price);
        out.emit({ ...e, seq: 0, price: state.prices.length });
        return state;
      },
      detach: (state) => ({ prices: [...state.prices] }),
    });
    const pricesIn = (snapshot: { actors: ReadonlyArray<readonly [string, unknown]> }) =>
      snapshot.actors.map(([k, s]) => [k, (s as { prices: number[] }).prices]);

    it("snapshots copies that later events do not change", () => {
      const run = runOperator(priceLog, {}, [tick("A", 1, 1), tick("B", 2, 2)], { end: false });
      const snap = run.node.snapshot();
      run.node.push(tick("A", 3, 3));
      run.node.push(tick("B", 4, 4));
      expect(pricesIn(snap)).toEqual([
        ["A", [1]],
        ["B", [2]],
      ]);
      expect(pricesIn(run.node.snapshot())).toEqual([
        ["A", [1, 3]],
        ["B", [2, 4]],
      ]);
    });

    it("restores one snapshot into several nodes without sharing state between them", () => {
      const snap = runOperator(priceLog, {}, [tick("A", 1, 1)], { end: false }).node.snapshot();
      const left = runOperator(priceLog, {}, [], { end: false });
      const right = runOperator(priceLog, {}, [], { end: false });
      left.node.restore(snap);
      right.node.restore(snap);
      left.node.push(tick("A", 5, 2));
      right.node.push(tick("A", 6, 2));
      right.node.push(tick("A", 7, 3));
      expect(pricesIn(left.node.snapshot())).toEqual([["A", [1, 5]]]);
      expect(pricesIn(right.node.snapshot())).toEqual([["A", [1, 6, 7]]]);
      expect(pricesIn(snap)).toEqual([["A", [1]]]);
    });

    it("keeps the state as it stood when a step throws before changing it", () => {
      const run = runOperator(priceLog, {}, [tick("A", 1, 1), tick("A", 13, 2), tick("A", 2, 3)], {
        end: false,
      });
      expect(run.deadLetters).toHaveLength(1);
      expect(run.outputs.map((e) => (e as UnderlyingTick).price)).toEqual([1, 2]);
      expect(pricesIn(run.node.snapshot())).toEqual([["A", [1, 2]]]);
    });
  });
});
