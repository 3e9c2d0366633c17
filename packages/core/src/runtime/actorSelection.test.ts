import { describe, expect, it } from "vitest";
import { actorStatesOf, selectActors, withActors } from "./actorSelection.js";
import type { GraphSnapshot } from "./graph.js";

const snapshot: GraphSnapshot = {
  counters: { eventsIn: 10, eventsOut: 8, deadLetters: 1 },
  nodes: {
    greeks: {
      seq: 5,
      lastEventTime: 100,
      actors: [
        ["AAPL", { n: 1 }],
        ["QQQ", { n: 2 }],
        ["SPY", { n: 3 }],
      ],
    },
    regime: {
      seq: 2,
      lastEventTime: 90,
      actors: [
        ["QQQ", "calm"],
        ["SPY", "stress"],
      ],
    },
  },
};

describe("actor selection (state hand-over between processes)", () => {
  it("splits a snapshot by key and merges the parts back into the original", () => {
    const moving = (_: string, key: string) => key === "QQQ";
    const stays = selectActors(snapshot, (node, key) => !moving(node, key));
    const travels = actorStatesOf(selectActors(snapshot, moving));
    expect(travels).toEqual({ greeks: [["QQQ", { n: 2 }]], regime: [["QQQ", "calm"]] });
    expect(stays.nodes.greeks!.actors.map(([k]) => k)).toEqual(["AAPL", "SPY"]);
    // Node and run counters stay with the process.
    expect(stays.nodes.greeks!.seq).toBe(5);
    expect(stays.counters).toEqual(snapshot.counters);
    expect(withActors(stays, travels)).toEqual(snapshot);
  });

  it("refuses an actor both sides hold, and nodes the topology lacks", () => {
    expect(() => withActors(snapshot, { regime: [["SPY", "calm"]] })).toThrow(
      /already has an actor for key 'SPY'/,
    );
    expect(() => withActors(snapshot, { portfolio: [["book", {}]] })).toThrow(/node 'portfolio'/);
  });
});
