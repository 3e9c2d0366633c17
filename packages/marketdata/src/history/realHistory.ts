import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import type { IsoDate } from "../calendar/isoDate.js";
import { isIsoDate } from "../calendar/isoDate.js";
import type { DailyBar } from "../generator/marketPath.js";

/**
 * Readers for the real histories registry packages ship: vega-datasets' `sp500-2000.csv`
 * (date,open,high,low,close,adjclose,volume) and the VIX closes of PyPI `arch` (`Date,vix` with
 * M/D/YYYY dates). Malformed rows are errors: these files are inputs to committed replays.
 */
const readText = (path: string): string =>
  path.endsWith(".gz") ? gunzipSync(readFileSync(path)).toString("utf8") : readFileSync(path, "utf8");

export const parseSp500Csv = (text: string, origin: string): DailyBar[] => {
  const lines = text.trim().split(/\r?\n/);
  const header = lines[0]?.trim();
  if (header !== "date,open,high,low,close,adjclose,volume")
    throw new Error(`${origin}: unexpected header ${header}`);
  return lines.slice(1).map((line, i) => {
    const [date, open, high, low, close, , volume] = line.split(",");
    const bar = {
      date: date ?? "",
      open: Number(open),
      high: Number(high),
      low: Number(low),
      close: Number(close),
      volume: Number(volume),
    };
    if (
      !isIsoDate(bar.date) ||
      ![bar.open, bar.high, bar.low, bar.close, bar.volume].every(Number.isFinite)
    ) {
      throw new Error(`${origin}:${i + 2}: malformed row ${JSON.stringify(line)}`);
    }
    return bar;
  });
};

export const loadSp500History = (path: string): DailyBar[] => parseSp500Csv(readText(path), path);

const usDate = (s: string): IsoDate | undefined => {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s.trim());
  if (m === null) return undefined;
  const iso = `${m[3]}-${m[1]!.padStart(2, "0")}-${m[2]!.padStart(2, "0")}`;
  return isIsoDate(iso) ? iso : undefined;
};

export const parseVixCsv = (text: string, origin: string): Map<IsoDate, number> => {
  const lines = text.trim().split(/\r?\n/);
  if (lines[0]?.trim() !== "Date,vix") throw new Error(`${origin}: unexpected header ${lines[0]}`);
  const out = new Map<IsoDate, number>();
  lines.slice(1).forEach((line, i) => {
    const [d, v] = line.split(",");
    // "." is FRED's missing-value marker: arch's series carries it on market holidays.
    if (v?.trim() === ".") return;
    const date = usDate(d ?? "");
    const value = Number(v);
    if (date === undefined || !(value > 0))
      throw new Error(`${origin}:${i + 2}: malformed row ${JSON.stringify(line)}`);
    out.set(date, value);
  });
  return out;
};

export const loadVixHistory = (path: string): Map<IsoDate, number> => parseVixCsv(readText(path), path);
