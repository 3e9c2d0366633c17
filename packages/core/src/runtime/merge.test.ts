import type { Event } from "@thetaflow/schemas";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mergeOrdered } from "./merge.js";

const ev = (eventTime: number, seq: number, tag: string): Event => ({
  kind: "IndexTick",
  eventTime,
  seq,
  symbol: tag,
  value: 1,
});

async function* batches(events: Event[], size: number) {
  for (let i = 0; i < events.length; i += size) yield events.slice(i, i + size);
}

const collect = async (inputs: Event[][], size: number) => {
  const out: { input: number; event: Event }[] = [];
  for await (const run of mergeOrdered(inputs.map((e) => batches(e, size))))
    for (const event of run.events) out.push({ input: run.input, event });
  return out;
};

describe("mergeOrdered", () => {
  it("orders by eventTime, then input index, keeping each input's own order", async () => {
    const a = [ev(1, 0, "a"), ev(2, 1, "a"), ev(2, 2, "a")];
    const b = [ev(0, 0, "b"), ev(2, 1, "b"), ev(3, 2, "b")];
    const out = await collect([a, b], 1);
    expect(
      out.map((o) => `${o.event.eventTime}${(o.event as { symbol: string }).symbol}${o.event.seq}`),
    ).toEqual(["0b0", "1a0", "2a1", "2a2", "2b1", "3b2"]);
  });

  it("equals a stable sort by (eventTime, input) for any ordered inputs and batch sizes", async () => {
    const sortedTimes = fc
      .array(fc.integer({ min: 0, max: 20 }), { maxLength: 30 })
      .map((t) => t.sort((x, y) => x - y));
    await fc.assert(
      fc.asyncProperty(
        fc.array(sortedTimes, { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 1, max: 7 }),
        async (inputs, size) => {
          const events = inputs.map((times, i) => times.map((t, seq) => ev(t, seq, String(i))));
          const expected = events
            .flatMap((es, input) => es.map((event) => ({ input, event })))
            .sort(
              (x, y) =>
                x.event.eventTime - y.event.eventTime || x.input - y.input || x.event.seq - y.event.seq,
            );
          expect(await collect(events, size)).toEqual(expected);
        },
      ),
    );
  });
});
