import type { IsoDate } from "../calendar/isoDate.js";

/**
 * OCC option symbol: root left-justified to 6 characters, expiry YYMMDD, C/P, strike × 1000 in
 * 8 digits — e.g. `SPY   190315P00260000`.
 */
export const occSymbol = (root: string, expiry: IsoDate, right: "call" | "put", strike: number): string => {
  const yymmdd = expiry.slice(2, 4) + expiry.slice(5, 7) + expiry.slice(8, 10);
  const strikeMilli = Math.round(strike * 1000);
  if (root.length > 6 || strikeMilli >= 1e8 || strikeMilli <= 0) {
    throw new RangeError(`cannot form an OCC symbol for ${root} ${expiry} ${strike}`);
  }
  return `${root.padEnd(6, " ")}${yymmdd}${right === "call" ? "C" : "P"}${String(strikeMilli).padStart(8, "0")}`;
};

export interface ParsedOcc {
  readonly root: string;
  readonly expiry: IsoDate;
  readonly right: "call" | "put";
  readonly strike: number;
}

/** Accepts the padded form and the compact vendor form (`AAPL190315C00150000`). */
export const parseOccSymbol = (symbol: string): ParsedOcc | undefined => {
  const m = /^([A-Z0-9.]{1,6})\s*(\d{2})(\d{2})(\d{2})([CP])(\d{8})$/.exec(symbol.trim());
  if (m === null) return undefined;
  return {
    root: m[1]!,
    expiry: `20${m[2]}-${m[3]}-${m[4]}`,
    right: m[5] === "C" ? "call" : "put",
    strike: Number(m[6]) / 1000,
  };
};

/** The OCC symbol, or undefined when the root or strike cannot be expressed in the OCC layout. */
export const tryOccSymbol = (
  root: string,
  expiry: IsoDate,
  right: "call" | "put",
  strike: number,
): string | undefined => {
  const strikeMilli = Math.round(strike * 1000);
  return root.length > 6 || strikeMilli >= 1e8 || strikeMilli <= 0
    ? undefined
    : occSymbol(root, expiry, right, strike);
};
