import { Arbitrary, type Schema } from "effect";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeEvent, encodeEvent, eventKinds, eventSchemas } from "./index.js";

describe("event schemas", () => {
  for (const kind of eventKinds) {
    it(`${kind}: arbitrary values survive encode -> JSON -> decode`, () => {
      const arb = Arbitrary.make(eventSchemas[kind] as Schema.Schema<any, any, never>);
      fc.assert(
        fc.property(arb, (event) => {
          // The wire form is JSON, so equality is judged on it (JSON has no -0).
          const wire = JSON.stringify(encodeEvent(event));
          const back = decodeEvent(JSON.parse(wire), kind);
          expect(back.ok).toBe(true);
          if (back.ok) expect(JSON.stringify(encodeEvent(back.value))).toBe(wire);
        }),
        { numRuns: 30 },
      );
    });
  }

  it("rejects a crossed option quote with a reason naming it", () => {
    const r = decodeEvent({
      kind: "OptionQuote",
      eventTime: 1,
      seq: 0,
      contract: "SPY   190315P00260000",
      underlying: "SPY",
      expiry: "2019-03-15",
      strike: 260,
      right: "put",
      style: "american",
      bid: 2.1,
      ask: 2.0,
    });
    expect(r).toEqual({ ok: false, reason: expect.stringContaining("crossed quote") });
  });

  it("rejects NaN, negative prices and unknown kinds without throwing", () => {
    const base = { kind: "UnderlyingTick", eventTime: 5, seq: 1, symbol: "SPY" };
    expect(decodeEvent({ ...base, price: Number.NaN }).ok).toBe(false);
    expect(decodeEvent({ ...base, price: -1 }).ok).toBe(false);
    expect(decodeEvent({ ...base, price: "abc" }).ok).toBe(false);
    expect(decodeEvent({ kind: "Nope" })).toEqual({ ok: false, reason: 'unknown event kind "Nope"' });
    expect(decodeEvent(null).ok).toBe(false);
    expect(decodeEvent({ ...base, price: 250.5 }).ok).toBe(true);
  });

  it("rejects a fractional or negative eventTime", () => {
    const base = { kind: "IndexTick", seq: 0, symbol: "VIX", value: 15 };
    expect(decodeEvent({ ...base, eventTime: 1.5 }).ok).toBe(false);
    expect(decodeEvent({ ...base, eventTime: -1 }).ok).toBe(false);
  });
});
