import { generateReplayFile } from "@thetaflow/marketdata";
import { type Command, InvalidArgumentError } from "commander";

const list = (v: string): string[] =>
  v
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
const integer =
  (name: string) =>
  (v: string): number => {
    if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`${name} must be a non-negative integer`);
    return Number(v);
  };
const decimal =
  (name: string) =>
  (v: string): number => {
    const n = Number(v);
    if (v.trim() === "" || !Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a number`);
    return n;
  };

interface GenerateFlags {
  underlying: string[];
  from: string;
  to: string;
  seed: number;
  out: string;
  times: string[];
  rate: number;
  universe?: string;
  sp500History?: string;
  vixHistory?: string;
  maxExpiries?: number;
  maxDte?: number;
  manifest?: string;
  describe?: string;
}

export const register = (program: Command): void => {
  program
    .command("generate")
    .description(
      "Generate a deterministic replay: underlying bars, VIX and option chains (seeded; same arguments give a byte-identical file)",
    )
    .requiredOption(
      "-u, --underlying <symbols>",
      "comma-separated symbols from the universe, e.g. SPY,AAPL",
      list,
    )
    .requiredOption("--from <date>", "first day, YYYY-MM-DD")
    .requiredOption("--to <date>", "last day, YYYY-MM-DD")
    .requiredOption("-o, --out <file>", "output replay (.ndjson or .ndjson.gz)")
    .option("-s, --seed <n>", "random seed", integer("--seed"), 1)
    .option("--times <marks>", 'snapshot times: "close" or HH:MM New York marks, comma-separated', list, [
      "close",
    ])
    .option("--rate <r>", "continuously compounded risk-free rate", decimal("--rate"), 0.02)
    .option("--universe <file>", "ticker universe YAML (default: replays/reference/universe.yaml)")
    .option(
      "--sp500-history <file>",
      "drive SPY/SPX by real S&P 500 daily bars (vega-datasets sp500-2000.csv layout)",
    )
    .option("--vix-history <file>", "real VIX closes (arch vix.csv layout); required with --sp500-history")
    .option("--max-expiries <n>", "expirations per chain", integer("--max-expiries"))
    .option("--max-dte <n>", "longest days to expiry listed", integer("--max-dte"))
    .option("--manifest <file>", "add/replace this file's entry in a replay manifest")
    .option("--describe <text>", "description for the manifest entry")
    .action(async (flags: GenerateFlags) => {
      const listing = {
        ...(flags.maxExpiries !== undefined ? { maxExpiries: flags.maxExpiries } : {}),
        ...(flags.maxDte !== undefined ? { maxDte: flags.maxDte } : {}),
      };
      const { file, stats } = await generateReplayFile({
        underlyings: flags.underlying,
        from: flags.from,
        to: flags.to,
        seed: flags.seed,
        out: flags.out,
        times: flags.times,
        rate: flags.rate,
        ...(flags.universe !== undefined ? { universePath: flags.universe } : {}),
        ...(flags.sp500History !== undefined ? { sp500History: flags.sp500History } : {}),
        ...(flags.vixHistory !== undefined ? { vixHistory: flags.vixHistory } : {}),
        listing,
        ...(flags.manifest !== undefined
          ? {
              manifest: {
                path: flags.manifest,
                description: flags.describe ?? `${flags.underlying.join(",")} ${flags.from}..${flags.to}`,
                command: `thetaflow ${process.argv.slice(2).join(" ")}`,
              },
            }
          : {}),
      });
      const counts = Object.entries(file.countsByKind)
        .map(([k, n]) => `${k}=${n}`)
        .join(" ");
      console.log(
        `wrote ${file.path}: ${file.lines} events (${counts}), ${stats.tradingDays} trading days, ${file.bytes} bytes, sha256 ${file.sha256}`,
      );
      if (stats.vixFallbackDays > 0)
        console.log(`note: ${stats.vixFallbackDays} days had no real VIX; a realised-vol estimate stood in`);
    });
};
