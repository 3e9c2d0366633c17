import { formatOcc, type Position } from "@thetaflow/schemas";
import { describe, expect, it } from "vitest";
import { EnginePositions, PositionReconciler, positionDifferences } from "./reconciliation.js";
import { spyPutPosition } from "./testing/positions.js";

const occ = (strike: number) => formatOcc("SPY", "2026-02-20", "put", strike);
const position = (id: string, status: "open" | "closed", legs: [number, number][]): Position =>
  spyPutPosition({
    id,
    eventTime: 1,
    strategy: "bull_put_spread",
    status,
    legs: legs.map(([strike, quantity]) => ({ strike, quantity, avgPrice: 1 })),
  });
const map = (entries: [number, number][]) => new Map(entries.map(([s, q]) => [occ(s), q]));

describe("engine positions", () => {
  it("sum legs over open positions; the latest event of a position replaces it; closed positions hold nothing", () => {
    const e = new EnginePositions();
    e.apply(
      position("a", "open", [
        [570, -1],
        [560, 1],
      ]),
    );
    e.apply(
      position("b", "open", [
        [570, -2],
        [550, 2],
      ]),
    );
    expect(e.byContract()).toEqual(
      map([
        [570, -3],
        [560, 1],
        [550, 2],
      ]),
    );
    e.apply(position("a", "closed", []));
    expect(e.byContract()).toEqual(
      map([
        [570, -2],
        [550, 2],
      ]),
    );
    const restored = new EnginePositions();
    restored.restore(e.snapshot());
    expect(restored.byContract()).toEqual(e.byContract());
  });
});

describe("position reconciliation", () => {
  it("differences list every contract where broker != engine + adopted, sorted", () => {
    expect(
      positionDifferences(
        map([
          [570, -1],
          [500, -2],
        ]),
        map([
          [570, -1],
          [560, 1],
        ]),
        map([[500, -2]]),
      ),
    ).toEqual([{ contract: occ(560), broker: 0, engine: 1, adopted: 0 }]);
  });

  it("halt: a mismatch holds orders; rechecks stay quiet until the positions match, then the halt lifts", () => {
    const r = new PositionReconciler("halt");
    expect(r.check("connect", map([]), map([]))).toMatchObject({ matched: true, action: "none" });
    expect(r.holdReason()).toBeUndefined();
    const engine = map([[570, -1]]);
    expect(r.check("reconnect", map([[570, -2]]), engine)).toMatchObject({
      matched: false,
      action: "halted",
      differences: [{ contract: occ(570), broker: -2, engine: -1, adopted: 0 }],
    });
    expect(r.holdReason()).toMatch(/no new orders/);
    expect(r.check("recheck", map([[570, -3]]), engine)).toBeUndefined();
    expect(r.check("reconnect", map([[570, -2]]), engine)?.action).toBe("still_halted");
    expect(r.check("recheck", map([[570, -1]]), engine)).toMatchObject({ matched: true, action: "resumed" });
    expect(r.halted).toBe(false);
  });

  it("adopt: differences become positions held outside the engine; later comparisons expect engine + adopted", () => {
    const r = new PositionReconciler("adopt");
    expect(r.check("connect", map([[500, -2]]), map([]))).toMatchObject({
      matched: false,
      action: "adopted",
    });
    expect(r.holdReason()).toBeUndefined();
    expect(r.check("reconnect", map([[500, -2]]), map([]))).toMatchObject({ matched: true, action: "none" });
    expect(
      r.check(
        "reconnect",
        map([
          [500, -2],
          [570, 1],
        ]),
        map([]),
      )?.differences,
    ).toEqual([{ contract: occ(570), broker: 1, engine: 0, adopted: 0 }]);
    expect(new Map(r.adopted())).toEqual(
      map([
        [500, -2],
        [570, 1],
      ]),
    );
  });
});
