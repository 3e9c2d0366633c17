import type { OptionQuote } from "@thetaflow/schemas";

/**
 * Static no-arbitrage checks on one chain snapshot (one underlying, one event time):
 *  - calls non-increasing and convex in strike, puts non-decreasing and convex (per expiry);
 *  - prices within bounds: call ≤ spot, put ≤ strike, mids ≥ intrinsic for American contracts;
 *  - total implied variance iv²·T non-decreasing in expiry at fixed log-moneyness (calendar).
 * Mids are compared with a tolerance of `tickTolerance` dollars so tick rounding is not reported.
 */
export interface ArbitrageViolation {
  readonly check: "monotone" | "convex" | "bounds" | "calendar";
  readonly detail: string;
}

export interface ChainCheckOptions {
  readonly spot: number;
  /**
   * Absolute tolerance for comparisons of quoted mids: one tick is the natural choice, given as a
   * function of price for classes that quote $0.05 above $3.
   */
  readonly tickTolerance: number | ((price: number) => number);
  /** Year fraction of each expiry at the snapshot, for the calendar check. */
  readonly tYears: (expiry: string) => number;
  /** Forward of each expiry, for log-moneyness of the calendar check. */
  readonly forward: (expiry: string) => number;
}

const mid = (q: OptionQuote): number => (q.bid + q.ask) / 2;

const checkStrikeShape = (
  rows: ReadonlyArray<{ strike: number; price: number }>,
  direction: 1 | -1,
  tol: (price: number) => number,
  label: string,
  out: ArbitrageViolation[],
) => {
  for (let i = 1; i < rows.length; i++) {
    const a = rows[i - 1]!;
    const b = rows[i]!;
    if (direction * (b.price - a.price) < -tol(Math.max(a.price, b.price))) {
      out.push({
        check: "monotone",
        detail: `${label}: ${a.strike}->${b.strike} price ${a.price}->${b.price}`,
      });
    }
  }
  for (let i = 2; i < rows.length; i++) {
    const a = rows[i - 2]!;
    const b = rows[i - 1]!;
    const c = rows[i]!;
    // Convexity on an uneven grid: b lies on or below the chord from a to c.
    const w = (c.strike - b.strike) / (c.strike - a.strike);
    const chord = w * a.price + (1 - w) * c.price;
    if (b.price > chord + tol(Math.max(a.price, b.price, c.price))) {
      out.push({
        check: "convex",
        detail: `${label}: ${b.strike} price ${b.price} above chord ${chord.toFixed(4)}`,
      });
    }
  }
};

const interpolate = (xs: ReadonlyArray<number>, ys: ReadonlyArray<number>, x: number): number | undefined => {
  for (let i = 1; i < xs.length; i++) {
    if (xs[i - 1]! <= x && x <= xs[i]!) {
      const t = (x - xs[i - 1]!) / (xs[i]! - xs[i - 1]!);
      return ys[i - 1]! + t * (ys[i]! - ys[i - 1]!);
    }
  }
  return undefined;
};

export const checkChainArbitrage = (
  quotes: ReadonlyArray<OptionQuote>,
  o: ChainCheckOptions,
): ArbitrageViolation[] => {
  const out: ArbitrageViolation[] = [];
  const tolerance = o.tickTolerance;
  const tol = typeof tolerance === "number" ? () => tolerance : tolerance;
  const byExpiry = new Map<string, OptionQuote[]>();
  for (const q of quotes) byExpiry.set(q.expiry, [...(byExpiry.get(q.expiry) ?? []), q]);
  const expiries = [...byExpiry.keys()].sort();
  for (const expiry of expiries) {
    const qs = byExpiry.get(expiry)!;
    for (const right of ["call", "put"] as const) {
      const rows = qs
        .filter((q) => q.right === right)
        .sort((a, b) => a.strike - b.strike)
        .map((q) => ({ strike: q.strike, price: mid(q), q }));
      checkStrikeShape(rows, right === "call" ? -1 : 1, tol, `${expiry} ${right}`, out);
      for (const r of rows) {
        const upper = right === "call" ? o.spot : r.strike;
        if (r.price > upper + tol(r.price)) {
          out.push({ check: "bounds", detail: `${r.q.contract}: mid ${r.price} above ${upper}` });
        }
        const intrinsic = right === "call" ? o.spot - r.strike : r.strike - o.spot;
        if (r.q.style === "american" && r.q.ask < intrinsic - tol(r.q.ask)) {
          out.push({
            check: "bounds",
            detail: `${r.q.contract}: ask ${r.q.ask} below intrinsic ${intrinsic.toFixed(2)}`,
          });
        }
      }
    }
  }
  // Calendar: at each log-moneyness covered by two consecutive expiries, w = iv²T must not fall.
  const slices = expiries
    .map((expiry) => {
      const calls = byExpiry
        .get(expiry)!
        .filter((q) => q.right === "call" && q.vendor?.iv !== undefined)
        .sort((a, b) => a.strike - b.strike);
      const t = o.tYears(expiry);
      const f = o.forward(expiry);
      return {
        expiry,
        ks: calls.map((q) => Math.log(q.strike / f)),
        ws: calls.map((q) => q.vendor!.iv! ** 2 * t),
      };
    })
    .filter((s) => s.ks.length >= 2);
  for (let i = 1; i < slices.length; i++) {
    const near = slices[i - 1]!;
    const far = slices[i]!;
    for (let k = -0.3; k <= 0.3; k += 0.01) {
      const wNear = interpolate(near.ks, near.ws, k);
      const wFar = interpolate(far.ks, far.ws, k);
      if (wNear !== undefined && wFar !== undefined && wFar < wNear - 1e-6) {
        out.push({
          check: "calendar",
          detail: `k=${k.toFixed(2)}: w(${far.expiry})=${wFar} < w(${near.expiry})=${wNear}`,
        });
      }
    }
  }
  return out;
};
