import type { Event, IndexTick, UnderlyingTick } from "@thetaflow/schemas";
import { Either, Schema } from "effect";
import { describe, expect, it } from "vitest";
import { runningSum } from "../__fixtures__/runningSum.js";
import type { AnyOperator } from "../operator.js";
import { Registry } from "../registry.js";
import type { EventSink, SinkDefinition } from "../sink.js";
import { compileTopology } from "../topology/compile.js";
import { drive } from "./drive.js";

const registries = {
  operators: new Registry<AnyOperator>("operator").register(runningSum as unknown as AnyOperator),
  sinks: new Registry<SinkDefinition>("sink type").register({
    name: "memory",
    description: "test",
    params: Schema.Struct({}),
    open: async () => {
      throw new Error("drive gets its sinks directly");
    },
  }),
};

const topology = Either.getOrThrow(
  compileTopology(
    "t.yaml",
    `name: routed
sources:
  - id: market
    replay:
      files: [a.ndjson]
nodes:
  - { id: a, op: runningSum, inputs: [market] }
  - { id: b, op: runningSum, inputs: [market, a] }
sinks:
  - { id: all, type: memory, inputs: [market, b] }
  - { id: vix, type: memory, inputs: [market], kinds: [IndexTick] }
`,
    registries,
  ),
);

const tick = (t: number, price: number): UnderlyingTick => ({
  kind: "UnderlyingTick",
  eventTime: t,
  seq: t,
  symbol: "SPY",
  price,
});
const vix = (t: number): IndexTick => ({ kind: "IndexTick", eventTime: t, seq: t, symbol: "VIX", value: 15 });

const memorySink = (written: Event[], onWrite?: (e: Event) => void): EventSink => ({
  write: (e) => {
    onWrite?.(e);
    written.push(e);
  },
  flush: async () => {},
  close: async () => {},
  files: () => [],
});

async function* batches(events: Event[]) {
  yield events;
}

describe("drive", () => {
  it("routes each kind only to the nodes and sinks that take it, in graph order", async () => {
    const all: Event[] = [];
    const onlyVix: Event[] = [];
    const graph = await drive({
      topology,
      sources: new Map([["market", batches([tick(1, 1), vix(2), tick(3, 2)])]]),
      sinks: new Map([
        ["all", memorySink(all)],
        ["vix", memorySink(onlyVix)],
      ]),
    });
    // Hub order is subscription order: the sink's market input, then b's, then a's (b subscribes to
    // a, a to the market). b sees each tick raw and again as a's running sum; END lines are onEnd.
    const label = (e: Event) => (e.kind === "UnderlyingTick" ? `${e.symbol}:${e.price}` : e.kind);
    expect(all.map(label)).toEqual([
      "SPY:1",
      "SPY:1",
      "SPY:2",
      "IndexTick",
      "SPY:2",
      "SPY:4",
      "SPY:7",
      "END:2",
      "END:1",
      "END:4",
    ]);
    expect(onlyVix.map((e) => e.kind)).toEqual(["IndexTick"]);
    expect(graph.nodes.get("a")!.stats.eventsIn).toBe(2);
    expect(graph.nodes.get("b")!.stats.eventsIn).toBe(5);
  });

  it("applies a sink's kind filter to every event when kinds alternate on an unrouted input", async () => {
    // The market has a single reader here, so nothing routes by kind before the sink's own filter.
    const lone = Either.getOrThrow(
      compileTopology(
        "lone.yaml",
        `name: lone
sources:
  - id: market
    replay:
      files: [a.ndjson]
sinks:
  - { id: vix, type: memory, inputs: [market], kinds: [IndexTick] }
`,
        registries,
      ),
    );
    const onlyVix: Event[] = [];
    const graph = await drive({
      topology: lone,
      sources: new Map([["market", batches([tick(1, 1), vix(2), vix(3), tick(4, 2), vix(5), tick(6, 3)])]]),
      sinks: new Map([["vix", memorySink(onlyVix)]]),
    });
    expect(onlyVix.map((e) => e.eventTime)).toEqual([2, 3, 5]);
    expect(graph.counters.eventsOut).toBe(3);
  });

  it("fails the run with the error a sink throws", async () => {
    const run = drive({
      topology,
      sources: new Map([["market", batches([tick(1, 1), vix(2)])]]),
      sinks: new Map([
        ["all", memorySink([])],
        [
          "vix",
          memorySink([], () => {
            throw new Error("disk full");
          }),
        ],
      ]),
    });
    await expect(run).rejects.toThrow("disk full");
  });
});
