import { deserialize, serialize } from "node:v8";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as ring from "./ring.js";

/** The window a plain array model holds after the same pushes. */
const model = (xs: readonly number[], capacity: number): number[] => xs.slice(-capacity);

describe("ring", () => {
  it("keeps the last `capacity` values across many log compactions", () => {
    let r = ring.init(5);
    const xs: number[] = [];
    for (let i = 0; i < 500; i++) {
      xs.push(i * 1.5);
      r = ring.push(r, i * 1.5);
      expect(ring.toArray(r)).toEqual(model(xs, 5));
      expect(ring.back(r, 0)).toBe(i * 1.5);
      expect(ring.evictee(r)).toBe(xs.length >= 5 ? xs[xs.length - 5] : Number.NaN);
    }
  });

  it("a ring pushed again after its successor keeps both windows intact (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.array(fc.tuple(fc.double({ noNaN: true }), fc.nat({ max: 6 })), { maxLength: 200 }),
        (capacity, steps) => {
          // Every ring ever handed out, with the values pushed to reach it: branching from an old
          // one (as a retried step or a restored snapshot does) must never alter any of them.
          const seen: { r: ring.Ring; xs: number[] }[] = [{ r: ring.init(capacity), xs: [] }];
          for (const [x, back] of steps) {
            const from = seen[Math.max(0, seen.length - 1 - back)]!;
            const xs = [...from.xs, x];
            seen.push({ r: ring.push(from.r, x), xs });
          }
          for (const { r, xs } of seen) expect(ring.toArray(r)).toEqual(model(xs, capacity));
        },
      ),
    );
  });

  it("survives a v8 round trip (checkpoints) and resumes pushing", () => {
    let r = ring.init(3);
    for (const x of [1, 2, 3, 4]) r = ring.push(r, x);
    const restored = deserialize(serialize(r)) as ring.Ring;
    const next = ring.push(restored, 5);
    expect(ring.toArray(next)).toEqual([3, 4, 5]);
    expect(ring.toArray(r)).toEqual([2, 3, 4]);
    // The original keeps growing on its own log, independent of the restored copy.
    expect(ring.toArray(ring.push(r, 6))).toEqual([3, 4, 6]);
  });

  it("rejects a capacity that is not a positive integer", () => {
    expect(() => ring.init(0)).toThrow(RangeError);
    expect(() => ring.init(2.5)).toThrow(RangeError);
  });
});
