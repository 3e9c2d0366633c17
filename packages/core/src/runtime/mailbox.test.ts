import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Mailbox } from "./mailbox.js";

describe("Mailbox", () => {
  it("is FIFO and refuses offers beyond its capacity", () => {
    const m = new Mailbox<number>(2);
    expect(m.offer(1)).toBe(true);
    expect(m.offer(2)).toBe(true);
    expect(m.offer(3)).toBe(false);
    expect(m.poll()).toBe(1);
    expect(m.offer(4)).toBe(true);
    expect([m.poll(), m.poll(), m.poll()]).toEqual([2, 4, undefined]);
  });

  it("behaves like a bounded array queue for any sequence of operations", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.option(fc.integer(), { nil: undefined })),
        (cap, ops) => {
          const m = new Mailbox<number>(cap);
          const model: number[] = [];
          for (const op of ops) {
            if (op === undefined) expect(m.poll()).toBe(model.shift());
            else {
              const accepted = model.length < cap;
              expect(m.offer(op)).toBe(accepted);
              if (accepted) model.push(op);
            }
            expect(m.size).toBe(model.length);
          }
        },
      ),
    );
  });

  it("rejects a non-positive capacity", () => {
    expect(() => new Mailbox(0)).toThrow(RangeError);
  });
});
