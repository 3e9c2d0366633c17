import { createReadStream, createWriteStream, existsSync } from "node:fs";
import { finished } from "node:stream/promises";
import {
  bsmAmericanGreeksInto,
  bsmAmericanImpliedVol,
  bsmGreeksInto,
  bsmImpliedVol,
  emptyGreeks,
  IV_STATUS_CODE,
  IV_STATUS_NAMES,
  ivScratch,
} from "@thetaflow/options-math";
import type { Command } from "commander";
import { format, parse } from "fast-csv";

export const GREEKS_INPUT_COLUMNS = [
  "id",
  "type",
  "style",
  "spot",
  "strike",
  "t_years",
  "rate",
  "div_yield",
  "vol",
  "price",
];
export const GREEKS_OUTPUT_COLUMNS = [
  "id",
  "price",
  "iv",
  "delta",
  "gamma",
  "vega",
  "theta",
  "rho",
  "status",
] as const;
const REQUIRED_COLUMNS = ["id", "type", "spot", "strike", "t_years"];

export type GreeksOutputRow = Record<(typeof GREEKS_OUTPUT_COLUMNS)[number], string>;

const scratch = emptyGreeks();

/** Empty string -> fallback; otherwise a finite number or NaN (which the math turns into invalid_input). */
function numberField(raw: string | undefined, fallback: number): number {
  const text = (raw ?? "").trim();
  if (text === "") return fallback;
  const value = Number(text);
  return Number.isFinite(value) ? value : Number.NaN;
}

const cell = (x: number): string => (Number.isFinite(x) ? String(x) : "");

/**
 * One input row to one output row. `vol` given: price and Greeks at that vol. Otherwise `price` given:
 * implied vol, then Greeks at it. Rate and dividend yield default to 0 when empty; style defaults to
 * european. Never throws: problems become the status column.
 */
export function greeksForRow(row: Record<string, string | undefined>): GreeksOutputRow {
  const id = row.id ?? "";
  const out: GreeksOutputRow = {
    id,
    price: "",
    iv: "",
    delta: "",
    gamma: "",
    vega: "",
    theta: "",
    rho: "",
    status: "invalid_input",
  };
  const type = (row.type ?? "").trim().toLowerCase();
  const style = (row.style ?? "").trim().toLowerCase() || "european";
  if ((type !== "call" && type !== "put") || (style !== "european" && style !== "american")) return out;
  const sign = type === "call" ? 1 : -1;
  const american = style === "american";
  const spot = numberField(row.spot, Number.NaN);
  const strike = numberField(row.strike, Number.NaN);
  const tYears = numberField(row.t_years, Number.NaN);
  const rate = numberField(row.rate, 0);
  const divYield = numberField(row.div_yield, 0);
  let vol = numberField(row.vol, Number.NaN);
  const volGiven = (row.vol ?? "").trim() !== "";
  if (!volGiven) {
    if ((row.price ?? "").trim() === "") return out;
    const price = numberField(row.price, Number.NaN);
    const code = american
      ? bsmAmericanImpliedVol(sign, spot, strike, tYears, rate, divYield, price)
      : bsmImpliedVol(sign, spot, strike, tYears, rate, divYield, price);
    if (code !== IV_STATUS_CODE.ok) {
      out.status = IV_STATUS_NAMES[code] ?? "invalid_input";
      return out;
    }
    vol = ivScratch.iv;
    out.iv = cell(vol);
  }
  const code = american
    ? bsmAmericanGreeksInto(sign, spot, strike, tYears, rate, divYield, vol, scratch)
    : bsmGreeksInto(sign, spot, strike, tYears, rate, divYield, vol, scratch);
  out.status = IV_STATUS_NAMES[code] ?? "invalid_input";
  if (code === IV_STATUS_CODE.invalid_input) return out;
  out.price = cell(scratch.price);
  out.delta = cell(scratch.delta);
  out.gamma = cell(scratch.gamma);
  out.vega = cell(scratch.vega);
  out.theta = cell(scratch.theta);
  out.rho = cell(scratch.rho);
  return out;
}

/** Streams inFile through greeksForRow into outFile; resolves with the row count. */
export async function runGreeks(inFile: string, outFile: string): Promise<number> {
  if (!existsSync(inFile)) throw new Error(`${inFile}: no such file`);
  const formatter = format<GreeksOutputRow, GreeksOutputRow>({ headers: [...GREEKS_OUTPUT_COLUMNS] });
  const sink = createWriteStream(outFile);
  formatter.pipe(sink);
  let rows = 0;
  let headerError: Error | undefined;
  const parser = createReadStream(inFile).pipe(
    parse<Record<string, string>, Record<string, string>>({ headers: true, trim: true }),
  );
  parser.on("headers", (headers: string[]) => {
    const missing = REQUIRED_COLUMNS.filter((c) => !headers.includes(c));
    if (!headers.includes("vol") && !headers.includes("price")) missing.push("vol or price");
    if (missing.length > 0) {
      headerError = new Error(`${inFile}: missing column(s): ${missing.join(", ")}`);
      parser.destroy(headerError);
    }
  });
  parser.on("data", (row: Record<string, string>) => {
    rows++;
    formatter.write(greeksForRow(row));
  });
  try {
    await finished(parser);
  } catch (e) {
    formatter.end();
    throw headerError ?? new Error(`${inFile}: ${(e as Error).message}`);
  }
  formatter.end();
  await finished(sink);
  return rows;
}

export const register = (program: Command): void => {
  program
    .command("greeks")
    .description(
      "Price, implied vol and Greeks for each CSV row (columns id,type,style,spot,strike,t_years,rate,div_yield,vol,price). " +
        "Units: vega per 1.00 sigma, theta per year of calendar time, rho per 1.00 rate.",
    )
    .requiredOption("--in <file.csv>", "input CSV")
    .requiredOption("--out <file.csv>", "output CSV: id,price,iv,delta,gamma,vega,theta,rho,status")
    .action(async (opts: { in: string; out: string }) => {
      try {
        const rows = await runGreeks(opts.in, opts.out);
        console.log(`${opts.out}: ${rows} row(s)`);
      } catch (e) {
        console.error(`thetaflow greeks: ${(e as Error).message}`);
        process.exitCode = 1;
      }
    });
};
