/**
 * OCC option symbols: root (1-6 chars, space-padded to 6 in the canonical form), expiry YYMMDD,
 * C/P, strike x 1000 in 8 digits — e.g. `SPY   190315P00260000`.
 */
const OCC = /^([A-Z0-9.]{1,6}) *(\d{2})(\d{2})(\d{2})([CP])(\d{8})$/;

export interface OccParts {
  readonly root: string;
  readonly expiry: string;
  readonly right: "call" | "put";
  readonly strike: number;
}

export const parseOcc = (symbol: string): OccParts | undefined => {
  const m = OCC.exec(symbol);
  if (m === null) return undefined;
  const [, root, yy, mm, dd, cp, strike] = m;
  return {
    root: root!,
    expiry: `20${yy}-${mm}-${dd}`,
    right: cp === "C" ? "call" : "put",
    strike: Number(strike) / 1000,
  };
};

export const formatOcc = (root: string, expiry: string, right: "call" | "put", strike: number): string =>
  `${root.padEnd(6, " ")}${expiry.slice(2, 4)}${expiry.slice(5, 7)}${expiry.slice(8, 10)}${right === "call" ? "C" : "P"}${String(Math.round(strike * 1000)).padStart(8, "0")}`;

/** Why a quote's contract symbol is unknown or contradicts its own fields; undefined when consistent. */
export const contractMismatch = (q: {
  readonly contract: string;
  readonly expiry: string;
  readonly right: "call" | "put";
  readonly strike: number;
}): string | undefined => {
  const p = parseOcc(q.contract);
  if (p === undefined) return `unknown contract '${q.contract}': not an OCC option symbol`;
  if (p.expiry !== q.expiry) return `contract '${q.contract}' expires ${p.expiry}, quote says ${q.expiry}`;
  if (p.right !== q.right) return `contract '${q.contract}' is a ${p.right}, quote says ${q.right}`;
  if (Math.abs(p.strike - q.strike) > 5e-4)
    return `contract '${q.contract}' has strike ${p.strike}, quote says ${q.strike}`;
  return undefined;
};
