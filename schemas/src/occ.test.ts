import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { contractAgrees, contractMismatch, formatOcc, parseOcc } from "./occ.js";

// The definition contractAgrees shortcuts: parse the symbol, compare each part.
const agreesByParsing = (q: Parameters<typeof contractAgrees>[0]): boolean => {
  const p = parseOcc(q.contract);
  return (
    p !== undefined && p.expiry === q.expiry && p.right === q.right && !(Math.abs(p.strike - q.strike) > 5e-4)
  );
};

const date = fc
  .tuple(
    fc.integer({ min: 2000, max: 2099 }),
    fc.integer({ min: 1, max: 12 }),
    fc.integer({ min: 1, max: 31 }),
  )
  .map(([y, m, d]) => `${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`);
const right = fc.constantFrom("call" as const, "put" as const);
const strike = fc.oneof(
  fc.integer({ min: 1, max: 99_999_999 }).map((k) => k / 1000),
  fc.constantFrom(0, -0, Number.NaN, Number.POSITIVE_INFINITY, 260.0005, 260.0004999, 259.9995, 260.00050001),
  fc.double(),
);
const root = fc.stringMatching(/^[A-Z0-9.]{1,6}$/);

// A consistent quote, then perhaps one field or one character of the symbol changed.
const quote = fc
  .record({
    root,
    expiry: date,
    right,
    strike: fc.integer({ min: 1, max: 99_999_999 }).map((k) => k / 1000),
    otherExpiry: fc.oneof(date, fc.constantFrom("2019-1-02", "1919-01-02", "2019-01-02 ", "")),
    otherRight: right,
    otherStrike: strike,
    pos: fc.nat(),
    ch: fc.constantFrom("0", "9", "C", "P", " ", "A", ".", "x", "-"),
    how: fc.integer({ min: 0, max: 5 }),
    padded: fc.boolean(),
  })
  .map((r) => {
    let contract = formatOcc(r.root, r.expiry, r.right, r.strike);
    if (!r.padded) contract = contract.replace(/ +/, "");
    const q = { contract, expiry: r.expiry, right: r.right, strike: r.strike };
    switch (r.how) {
      case 1:
        return { ...q, expiry: r.otherExpiry };
      case 2:
        return { ...q, right: r.otherRight };
      case 3:
        return { ...q, strike: r.otherStrike };
      case 4: {
        const i = r.pos % contract.length;
        return { ...q, contract: contract.slice(0, i) + r.ch + contract.slice(i + 1) };
      }
      case 5:
        return { ...q, contract: contract.slice(0, r.pos % contract.length) };
      default:
        return q;
    }
  });

describe("OCC contract consistency", () => {
  it("contractAgrees is exactly 'the parsed symbol matches the quote'", () => {
    fc.assert(
      fc.property(quote, (q) => {
        expect(contractAgrees(q)).toBe(agreesByParsing(q));
        expect(contractMismatch(q) === undefined).toBe(agreesByParsing(q));
      }),
      { numRuns: 3000 },
    );
  });

  it("explains each kind of mismatch", () => {
    const q = { contract: "SPY   190315P00260000", expiry: "2019-03-15", right: "put" as const, strike: 260 };
    expect(contractMismatch(q)).toBeUndefined();
    expect(contractMismatch({ ...q, strike: 260.0005 })).toBeUndefined();
    expect(contractMismatch({ ...q, strike: 260.001 })).toContain("has strike 260");
    expect(contractMismatch({ ...q, expiry: "2019-03-16" })).toContain("expires 2019-03-15");
    expect(contractMismatch({ ...q, right: "call" })).toContain("is a put");
    expect(contractMismatch({ ...q, contract: "SPY 19031P00260000" })).toContain("not an OCC option symbol");
  });
});
