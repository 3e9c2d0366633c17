import type { Event } from "@thetaflow/schemas";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type PartitionedEvent, PartitionWatermark } from "./watermark.js";

const ev = (eventTime: number, seq: number): Event => ({
  kind: "IndexTick",
  eventTime,
  seq,
  symbol: "VIX",
  value: 1,
});
const item = (partition: string, t: number, seq: number, sourceRank = 0): PartitionedEvent => ({
  event: ev(t, seq),
  partition,
  sourceRank,
});
const key = (p: PartitionedEvent) => `${p.event.eventTime}/${p.event.seq}`;

describe("PartitionWatermark", () => {
  it("holds a leading partition back until a lagging one catches up", () => {
    const w = new PartitionWatermark({ maxLatenessUs: 0, nodeId: "market" });
    w.assign("t/0", false);
    w.assign("t/1", false);
    w.add(item("t/0", 10, 0));
    w.add(item("t/0", 20, 2));
    expect(w.release()).toEqual([]); // t/1 has said nothing yet
    w.add(item("t/1", 15, 1));
    expect(w.release().map(key)).toEqual(["10/0"]);
    w.add(item("t/1", 30, 3));
    expect(w.release().map(key)).toEqual(["15/1"]);
    w.setCaughtUp("t/0", true);
    expect(w.release().map(key)).toEqual(["20/2"]); // t/1 may still send more at 30
    w.setCaughtUp("t/1", true);
    expect(w.release().map(key)).toEqual(["30/3"]); // nothing else is in the log
    expect(w.drain()).toEqual([]);
  });

  it("reproduces the replay order for any split of an ordered stream over partitions and any interleaving", () => {
    fc.assert(
      fc.property(
        fc
          .array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 60 })
          .map((ts) => ts.sort((a, b) => a - b)),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.nat(), { minLength: 200, maxLength: 200 }),
        (times, partitions, choices) => {
          const stream = times.map((t, seq) => item(`p${seq % partitions}`, t, seq));
          const queues = Array.from({ length: partitions }, (_, p) =>
            stream.filter((s) => s.partition === `p${p}`),
          );
          const w = new PartitionWatermark({ maxLatenessUs: 0, nodeId: "x" });
          for (let p = 0; p < partitions; p++) w.assign(`p${p}`, queues[p]!.length === 0);
          const out: PartitionedEvent[] = [];
          let c = 0;
          while (queues.some((q) => q.length > 0)) {
            const open = queues.map((q, p) => [q, p] as const).filter(([q]) => q.length > 0);
            const [q, p] = open[choices[c++ % choices.length]! % open.length]!;
            const dl = w.add(q.shift()!);
            expect(dl).toBeUndefined();
            if (q.length === 0) w.setCaughtUp(`p${p}`, true);
            out.push(...w.release());
          }
          out.push(...w.drain());
          expect(out.map(key)).toEqual(stream.map(key));
        },
      ),
    );
  });

  it("dead-letters an event older than what was already released", () => {
    const w = new PartitionWatermark({ maxLatenessUs: 5, nodeId: "market" });
    w.assign("t/0", true);
    w.add(item("t/0", 100, 0));
    w.add(item("t/0", 200, 1));
    expect(w.release().map(key)).toEqual(["100/0"]); // 200 is held for the lateness bound
    expect(w.add(item("t/0", 197, 2))).toBeUndefined(); // within the bound: put in order
    expect(w.add(item("t/0", 50, 3))).toMatchObject({
      nodeId: "market",
      reason: expect.stringContaining("late event"),
    });
    w.add(item("t/0", 300, 4));
    expect(w.release().map(key)).toEqual(["197/2", "200/1"]);
  });
});
