import type { Event } from "@thetaflow/schemas";
import { describe, expect, it } from "vitest";
import { ReorderBuffer } from "./reorder.js";

const ev = (eventTime: number, seq: number): Event => ({
  kind: "IndexTick",
  eventTime,
  seq,
  symbol: "VIX",
  value: 1,
});

const feed = (buf: ReorderBuffer, events: Event[]) => {
  const out: Event[] = [];
  const late: string[] = [];
  for (const e of events) {
    const dl = buf.add(e);
    if (dl) late.push(dl.raw);
    out.push(...buf.release());
  }
  out.push(...buf.drain());
  return { out: out.map((e) => [e.eventTime, e.seq]), late };
};

describe("ReorderBuffer", () => {
  it("puts events within the lateness bound back in order", () => {
    const r = feed(new ReorderBuffer({ maxLatenessUs: 5, sourceId: "s" }), [
      ev(10, 0),
      ev(7, 1),
      ev(12, 2),
      ev(11, 3),
    ]);
    expect(r.out).toEqual([
      [7, 1],
      [10, 0],
      [11, 3],
      [12, 2],
    ]);
    expect(r.late).toEqual([]);
  });

  it("dead-letters events behind the watermark with the reason", () => {
    const buf = new ReorderBuffer({ maxLatenessUs: 2, sourceId: "quotes" });
    const r = feed(buf, [ev(10, 0), ev(20, 1), ev(15, 2), ev(21, 3)]);
    expect(r.out).toEqual([
      [10, 0],
      [20, 1],
      [21, 3],
    ]);
    expect(r.late).toEqual([JSON.stringify(ev(15, 2))]);
    const dl = new ReorderBuffer({ maxLatenessUs: 0, sourceId: "quotes" });
    dl.add(ev(10, 0));
    expect(dl.add(ev(9, 1))).toMatchObject({
      nodeId: "quotes",
      reason: expect.stringContaining("1µs behind"),
    });
  });

  it("with zero lateness sorts equal times by seq", () => {
    const r = feed(new ReorderBuffer({ maxLatenessUs: 0, sourceId: "s" }), [ev(1, 2), ev(1, 1), ev(2, 0)]);
    expect(r.out).toEqual([
      [1, 1],
      [1, 2],
      [2, 0],
    ]);
  });
});
