import type { Event, UnderlyingTick } from "@thetaflow/schemas";
import { describe, expect, it } from "vitest";
import { runningSum } from "../__fixtures__/runningSum.js";
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
});
