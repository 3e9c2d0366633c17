import { csvPresets, type ImportFormat, importFormats, importReplayFile } from "@thetaflow/marketdata";
import { type Command, InvalidArgumentError, Option } from "commander";

interface ImportFlags {
  format: ImportFormat;
  in: string;
  out: string;
  preset?: keyof typeof csvPresets;
  mapping?: string;
  map?: string[];
}

export const register = (program: Command): void => {
  program
    .command("import")
    .description(
      "Convert a vendor option-chain file into a replay; refused rows go to <out>.deadletters.ndjson with reasons",
    )
    .addOption(
      new Option("-f, --format <fmt>", "input format").choices([...importFormats]).makeOptionMandatory(),
    )
    .requiredOption("-i, --in <file>", "vendor file (Yahoo/yfinance JSON, CBOE delayed-quotes JSON, or CSV)")
    .requiredOption("-o, --out <replay>", "output replay (.ndjson or .ndjson.gz)")
    .addOption(new Option("--preset <name>", "csv: column layout preset").choices(Object.keys(csvPresets)))
    .option(
      "--mapping <file>",
      "csv: YAML mapping {columns: {field: column}, strikeScale, expiryFormat, timeFormat, underlying}",
    )
    .option(
      "--map <field=column>",
      "csv: map one field to a column (repeatable or comma-separated), e.g. bid=bid_px,vendor.iv=iv",
      (v: string, prev: string[] | undefined) => {
        if (!v.includes("=")) throw new InvalidArgumentError("expected field=column");
        return [...(prev ?? []), v];
      },
    )
    .action(async (flags: ImportFlags) => {
      if (
        flags.format !== "csv" &&
        (flags.preset !== undefined || flags.mapping !== undefined || flags.map !== undefined)
      ) {
        throw new Error("--preset, --mapping and --map apply to --format csv only");
      }
      const r = await importReplayFile({
        format: flags.format,
        input: flags.in,
        out: flags.out,
        ...(flags.preset !== undefined ? { preset: flags.preset } : {}),
        ...(flags.mapping !== undefined ? { mappingFile: flags.mapping } : {}),
        ...(flags.map !== undefined ? { map: flags.map } : {}),
      });
      const counts = Object.entries(r.replay.countsByKind)
        .map(([k, n]) => `${k}=${n}`)
        .join(" ");
      console.log(`wrote ${r.replay.path}: ${r.replay.lines} events (${counts || "none"})`);
      console.log(`dead letters: ${r.deadLetters} -> ${r.deadLetterPath}`);
      for (const [reason, n] of Object.entries(r.reasons)) console.log(`  ${n} x ${reason}`);
    });
};
