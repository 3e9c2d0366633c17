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

interface QuotedContract {
  readonly contract: string;
  readonly expiry: string;
  readonly right: "call" | "put";
  readonly strike: number;
}

/** The OCC pattern without capture groups: same language, no match array to allocate. */
const OCC_SHAPE = /^[A-Z0-9.]{1,6} *\d{6}[CP]\d{8}$/;
const DIGIT_0 = 48;

/**
 * True exactly when `contractMismatch` finds nothing, computed in place on the symbol's fixed
 * 15-character tail (YYMMDD, C/P, 8 strike digits) so the common consistent quote allocates
 * nothing. Runs once per decoded quote; occ.test.ts checks it against the parsing path.
 */
export const contractAgrees = (q: QuotedContract): boolean => {
  const c = q.contract;
  if (!OCC_SHAPE.test(c)) return false;
  const e = q.expiry;
  const t = c.length - 15;
  if (
    e.length !== 10 ||
    e.charCodeAt(0) !== 50 /* 2 */ ||
    e.charCodeAt(1) !== DIGIT_0 ||
    e.charCodeAt(2) !== c.charCodeAt(t) ||
    e.charCodeAt(3) !== c.charCodeAt(t + 1) ||
    e.charCodeAt(4) !== 45 /* - */ ||
    e.charCodeAt(5) !== c.charCodeAt(t + 2) ||
    e.charCodeAt(6) !== c.charCodeAt(t + 3) ||
    e.charCodeAt(7) !== 45 ||
    e.charCodeAt(8) !== c.charCodeAt(t + 4) ||
    e.charCodeAt(9) !== c.charCodeAt(t + 5)
  )
    return false;
  if ((c.charCodeAt(t + 6) === 67 /* C */ ? "call" : "put") !== q.right) return false;
  let strikeThousandths = 0;
  for (let i = t + 7; i < c.length; i++)
    strikeThousandths = strikeThousandths * 10 + c.charCodeAt(i) - DIGIT_0;
  // Negated so a NaN strike agrees, as it does in contractMismatch.
  return !(Math.abs(strikeThousandths / 1000 - q.strike) > 5e-4);
};

/** Why a quote's contract symbol is unknown or contradicts its own fields; undefined when consistent. */
export const contractMismatch = (q: QuotedContract): string | undefined => {
  if (contractAgrees(q)) return undefined;
  const p = parseOcc(q.contract);
  if (p === undefined) return `unknown contract '${q.contract}': not an OCC option symbol`;
  if (p.expiry !== q.expiry) return `contract '${q.contract}' expires ${p.expiry}, quote says ${q.expiry}`;
  if (p.right !== q.right) return `contract '${q.contract}' is a ${p.right}, quote says ${q.right}`;
  if (Math.abs(p.strike - q.strike) > 5e-4)
    return `contract '${q.contract}' has strike ${p.strike}, quote says ${q.strike}`;
  return undefined;
};
