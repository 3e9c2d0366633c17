import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { encodeEvent } from "@thetaflow/schemas";
import { type ReplayWriteResult, writeReplay } from "../replay/replayWriter.js";
import { importCboeChain } from "./cboe.js";
import type { ImportResult } from "./importResult.js";
import {
  applyMappingFlags,
  type CsvMapping,
  csvPresets,
  importVendorCsv,
  parseCsvMappingYaml,
} from "./vendorCsv.js";
import { importYahooChain } from "./yahoo.js";

export const importFormats = ["yahoo", "cboe", "csv"] as const;
export type ImportFormat = (typeof importFormats)[number];

export interface ImportReplayOptions {
  readonly format: ImportFormat;
  readonly input: string;
  readonly out: string;
  /** CSV only: a preset layout, a YAML mapping file, and field=column overrides (applied in that order). */
  readonly preset?: keyof typeof csvPresets;
  readonly mappingFile?: string;
  readonly map?: ReadonlyArray<string>;
}

export interface ImportReplayResult {
  readonly replay: ReplayWriteResult;
  readonly deadLetterPath: string;
  readonly deadLetters: number;
  readonly reasons: Readonly<Record<string, number>>;
}

const parseJson = (text: string, origin: string): unknown => {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${origin}: not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
};

const csvMapping = (o: ImportReplayOptions): CsvMapping => {
  let mapping: CsvMapping =
    o.mappingFile !== undefined
      ? parseCsvMappingYaml(readFileSync(o.mappingFile, "utf8"), o.mappingFile)
      : o.preset !== undefined
        ? csvPresets[o.preset]
        : { columns: {}, strikeScale: 1, expiryFormat: "iso", timeFormat: "epoch_ms" };
  if (o.map !== undefined && o.map.length > 0) mapping = applyMappingFlags(mapping, o.map);
  if (
    mapping.columns.bid === undefined ||
    mapping.columns.ask === undefined ||
    mapping.columns.time === undefined
  ) {
    throw new Error(
      "csv import needs a mapping for at least bid, ask and time (--preset, --mapping or --map)",
    );
  }
  return mapping;
};

/** Reads a vendor file, writes the replay and `<out>.deadletters.ndjson` beside it. */
export const importReplayFile = async (o: ImportReplayOptions): Promise<ImportReplayResult> => {
  if (!existsSync(o.input)) throw new Error(`--in: no such file ${o.input}`);
  const text = readFileSync(o.input, "utf8");
  let result: ImportResult;
  switch (o.format) {
    case "yahoo":
      result = importYahooChain(parseJson(text, o.input), o.input);
      break;
    case "cboe":
      result = importCboeChain(parseJson(text, o.input), o.input);
      break;
    case "csv":
      result = await importVendorCsv(text, csvMapping(o), o.input);
      break;
  }
  const replay = await writeReplay(o.out, [result.events]);
  const deadLetterPath = `${o.out}.deadletters.ndjson`;
  writeFileSync(
    deadLetterPath,
    result.deadLetters.map((d) => `${JSON.stringify(encodeEvent(d))}\n`).join(""),
  );
  const reasons: Record<string, number> = {};
  for (const d of result.deadLetters) {
    const key = d.reason.replace(/[0-9.]+/g, "#").slice(0, 80);
    reasons[key] = (reasons[key] ?? 0) + 1;
  }
  return { replay, deadLetterPath, deadLetters: result.deadLetters.length, reasons };
};
