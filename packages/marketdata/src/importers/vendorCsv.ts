import { Either, ParseResult, Schema } from "effect";
import { parseString } from "fast-csv";
import { parse as parseYaml } from "yaml";
import { fromParts, type IsoDate, isIsoDate } from "../calendar/isoDate.js";
import { easternTimeMicros } from "../calendar/nyseRules.js";
import { parseOccSymbol, tryOccSymbol } from "../generator/occ.js";
import {
  ImportCollector,
  type ImportResult,
  numberField,
  styleForRoot,
  underlyingForRoot,
} from "./importResult.js";

/** Target fields a vendor column can feed; `vendor.*` keep the vendor's analytics apart from ours. */
export const mappableFields = [
  "contract",
  "underlying",
  "expiry",
  "strike",
  "right",
  "bid",
  "ask",
  "bidSize",
  "askSize",
  "last",
  "volume",
  "openInterest",
  "underlyingPrice",
  "time",
  "timeOfDay",
  "vendor.iv",
  "vendor.delta",
  "vendor.gamma",
  "vendor.vega",
  "vendor.theta",
] as const;
export type MappableField = (typeof mappableFields)[number];

export const CsvMapping = Schema.Struct({
  columns: Schema.partial(Schema.Record({ key: Schema.Literal(...mappableFields), value: Schema.String })),
  /** Multiply the strike column by this (ThetaData quotes strikes in tenths of a cent: 0.001). */
  strikeScale: Schema.optionalWith(Schema.Number.pipe(Schema.positive()), { default: () => 1 }),
  expiryFormat: Schema.optionalWith(Schema.Literal("iso", "yyyymmdd"), { default: () => "iso" as const }),
  /**
   * epoch_s/ms/us/ns; iso (with offset, or UTC); date_close (a date: the 16:00 New York close);
   * date_ms_of_day (date column + `timeOfDay` ms after New York midnight, ThetaData style).
   */
  timeFormat: Schema.optionalWith(
    Schema.Literal("epoch_s", "epoch_ms", "epoch_us", "epoch_ns", "iso", "date_close", "date_ms_of_day"),
    { default: () => "epoch_ms" as const },
  ),
  /** Fixed underlying when the file has no such column. */
  underlying: Schema.optional(Schema.String),
});
export type CsvMapping = typeof CsvMapping.Type;

/** Column layouts of the two vendors the issue names, as starting points. */
export const csvPresets: Readonly<Record<"thetadata" | "polygon", CsvMapping>> = {
  thetadata: {
    columns: {
      underlying: "root",
      expiry: "expiration",
      strike: "strike",
      right: "right",
      bid: "bid",
      ask: "ask",
      bidSize: "bid_size",
      askSize: "ask_size",
      time: "date",
      timeOfDay: "ms_of_day",
      underlyingPrice: "underlying_price",
      "vendor.iv": "implied_vol",
      "vendor.delta": "delta",
      "vendor.gamma": "gamma",
      "vendor.vega": "vega",
      "vendor.theta": "theta",
    },
    strikeScale: 0.001,
    expiryFormat: "yyyymmdd",
    timeFormat: "date_ms_of_day",
  },
  polygon: {
    columns: {
      contract: "ticker",
      bid: "bid_price",
      ask: "ask_price",
      bidSize: "bid_size",
      askSize: "ask_size",
      time: "sip_timestamp",
      volume: "volume",
      openInterest: "open_interest",
      underlyingPrice: "underlying_price",
      "vendor.iv": "implied_volatility",
      "vendor.delta": "delta",
      "vendor.gamma": "gamma",
      "vendor.vega": "vega",
      "vendor.theta": "theta",
    },
    strikeScale: 1,
    expiryFormat: "iso",
    timeFormat: "epoch_ns",
  },
};

const decodeMapping = (doc: unknown, origin: string): CsvMapping => {
  const r = Schema.decodeUnknownEither(CsvMapping, { onExcessProperty: "error", errors: "all" })(doc);
  if (Either.isLeft(r)) {
    const issues = ParseResult.ArrayFormatter.formatErrorSync(r.left).map(
      (i) => `${i.path.join(".")}: ${i.message}`,
    );
    throw new Error(`${origin}: invalid CSV mapping: ${issues.join("; ")}`);
  }
  return r.right;
};

export const parseCsvMappingYaml = (text: string, origin: string): CsvMapping =>
  decodeMapping(parseYaml(text), origin);

/** `field=column,field=column` flags over a base mapping. */
export const applyMappingFlags = (
  base: CsvMapping,
  flags: ReadonlyArray<string>,
  origin = "--map",
): CsvMapping => {
  const columns: Record<string, string> = { ...base.columns };
  for (const flag of flags.flatMap((f) => f.split(","))) {
    const [field, column] = flag.split("=").map((s) => s.trim());
    if (field === undefined || column === undefined || column === "")
      throw new Error(`${origin}: expected field=column, got ${JSON.stringify(flag)}`);
    columns[field] = column;
  }
  return decodeMapping({ ...base, columns }, origin);
};

const parseExpiry = (raw: string, format: CsvMapping["expiryFormat"]): IsoDate | undefined => {
  const s = raw.trim();
  if (format === "yyyymmdd") {
    const m = /^(\d{4})(\d{2})(\d{2})$/.exec(s);
    if (m === null) return undefined;
    const iso = fromParts(Number(m[1]), Number(m[2]), Number(m[3]));
    return iso === `${m[1]}-${m[2]}-${m[3]}` ? iso : undefined;
  }
  return isIsoDate(s.slice(0, 10)) ? s.slice(0, 10) : undefined;
};

const parseDateLoose = (s: string): IsoDate | undefined => {
  const compact = /^(\d{4})(\d{2})(\d{2})$/.exec(s.trim());
  const iso = compact !== null ? `${compact[1]}-${compact[2]}-${compact[3]}` : s.trim().slice(0, 10);
  return isIsoDate(iso) ? iso : undefined;
};

const parseTime = (
  raw: string,
  timeOfDay: string | undefined,
  format: CsvMapping["timeFormat"],
): number | undefined => {
  switch (format) {
    case "epoch_s":
    case "epoch_ms":
    case "epoch_us": {
      const n = numberField(raw);
      if (n === undefined) return undefined;
      return Math.round(n * (format === "epoch_s" ? 1e6 : format === "epoch_ms" ? 1e3 : 1));
    }
    case "epoch_ns": {
      // Nanoseconds exceed float64 integers; cut the last three digits as text.
      const s = raw.trim();
      return /^\d{10,}$/.test(s) ? Number(s.slice(0, -3)) : undefined;
    }
    case "iso": {
      const ms = Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(raw.trim()) ? raw.trim() : `${raw.trim()}Z`);
      return Number.isFinite(ms) ? ms * 1000 : undefined;
    }
    case "date_close": {
      const d = parseDateLoose(raw);
      return d === undefined ? undefined : easternTimeMicros(d, 16, 0);
    }
    case "date_ms_of_day": {
      const d = parseDateLoose(raw);
      const ms = numberField(timeOfDay);
      return d === undefined || ms === undefined
        ? undefined
        : easternTimeMicros(d, 0, 0) + Math.round(ms * 1000);
    }
  }
};

const parseRight = (raw: string): "call" | "put" | undefined => {
  const s = raw.trim().toLowerCase();
  return s === "c" || s === "call" ? "call" : s === "p" || s === "put" ? "put" : undefined;
};

/** Imports a vendor CSV through `mapping`; rows that cannot become a valid OptionQuote are dead letters. */
export const importVendorCsv = async (
  text: string,
  mapping: CsvMapping,
  origin: string,
): Promise<ImportResult> => {
  const out = new ImportCollector("import:csv");
  const rows: Array<Record<string, string>> = [];
  await new Promise<void>((resolve, reject) => {
    parseString<Record<string, string>, Record<string, string>>(text, {
      headers: true,
      trim: true,
      ignoreEmpty: true,
    })
      .on("error", reject)
      .on("data", (row: Record<string, string>) => rows.push(row))
      .on("end", () => resolve());
  });
  const col = (row: Record<string, string>, field: MappableField): string | undefined => {
    const name = mapping.columns[field];
    if (name === undefined) return undefined;
    const v = row[name];
    return v === undefined || v === "" ? undefined : v;
  };
  const required: MappableField[] = ["bid", "ask", "time"];
  for (const [i, row] of rows.entries()) {
    const where = `${origin}:${i + 2}`;
    const missing = required.filter((f) => col(row, f) === undefined);
    if (missing.length > 0) {
      out.reject(`missing ${missing.join(", ")}`, row, where);
      continue;
    }
    const eventTime = parseTime(col(row, "time")!, col(row, "timeOfDay"), mapping.timeFormat);
    if (eventTime === undefined) {
      out.reject(`bad time ${JSON.stringify(col(row, "time"))} for ${mapping.timeFormat}`, row, where);
      continue;
    }
    const fromSymbol = parseOccSymbol((col(row, "contract") ?? "").replace(/^O:/, ""));
    const root = fromSymbol?.root ?? col(row, "underlying") ?? mapping.underlying;
    const expiry = fromSymbol?.expiry ?? parseExpiry(col(row, "expiry") ?? "", mapping.expiryFormat);
    const right = fromSymbol?.right ?? parseRight(col(row, "right") ?? "");
    const rawStrike = numberField(col(row, "strike"));
    const strike =
      fromSymbol?.strike ??
      (rawStrike !== undefined ? Number((rawStrike * mapping.strikeScale).toFixed(6)) : undefined);
    if (
      root === undefined ||
      expiry === undefined ||
      right === undefined ||
      strike === undefined ||
      !(strike > 0)
    ) {
      out.reject("cannot identify the contract (underlying/expiry/right/strike)", row, where, eventTime);
      continue;
    }
    const bid = numberField(col(row, "bid"));
    const ask = numberField(col(row, "ask"));
    if (bid === undefined || ask === undefined) {
      out.reject("bid or ask is not a number", row, where, eventTime);
      continue;
    }
    const contract = tryOccSymbol(root, expiry, right, strike);
    if (contract === undefined) {
      out.reject(`root ${root} or strike ${strike} outside the OCC symbol layout`, row, where, eventTime);
      continue;
    }
    const vendor: Record<string, number> = {};
    for (const f of ["iv", "delta", "gamma", "vega", "theta"] as const) {
      const v = numberField(col(row, `vendor.${f}`));
      if (v !== undefined) vendor[f] = v;
    }
    const optional = (f: MappableField) => numberField(col(row, f));
    const underlyingPrice = optional("underlyingPrice");
    const last = optional("last");
    out.accept(
      {
        kind: "OptionQuote",
        eventTime,
        contract,
        underlying: mapping.underlying ?? underlyingForRoot(root),
        expiry,
        strike,
        right,
        ...styleForRoot(root),
        multiplier: 100,
        bid,
        ask,
        bidSize: optional("bidSize") ?? 0,
        askSize: optional("askSize") ?? 0,
        ...(last !== undefined ? { last } : {}),
        volume: optional("volume") ?? 0,
        openInterest: optional("openInterest") ?? 0,
        ...(underlyingPrice !== undefined && underlyingPrice > 0 ? { underlyingPrice } : {}),
        ...(Object.keys(vendor).length > 0 ? { vendor } : {}),
      },
      row,
      where,
    );
  }
  return out.result();
};
