import { REGIME_CODES } from "@thetaflow/operators";
import type { RegimeName } from "@thetaflow/schemas";
import type { Command } from "commander";
import { runFeatureGraph } from "./features.js";

export interface RegimeStats {
  readonly underlying: string;
  readonly from: string;
  readonly to: string;
  /** Decisions whose VIX rank was known (the rules need it); the others classify as neutral by default. */
  readonly classifiedDays: number;
  readonly totalDays: number;
  readonly days: Readonly<Record<RegimeName, number>>;
  readonly transitions: number;
  readonly transitionsByPair: Readonly<Record<string, number>>;
  readonly meanDaysInRegime: Readonly<Record<RegimeName, number | null>>;
}

/** Regime shares and transitions per underlying over a replay (days where vix_rank is known). */
export const regimeStatistics = async (replays: readonly string[]): Promise<RegimeStats[]> => {
  const run = await runFeatureGraph(replays);
  const known = new Set(
    run.features
      .filter((f) => f.values.vix_rank !== null && f.values.vix_rank !== undefined)
      .map((f) => `${f.eventTime}|${f.underlying}`),
  );
  const stats: RegimeStats[] = [];
  for (const underlying of [...new Set(run.regimes.map((r) => r.underlying))].sort()) {
    const regimes = run.regimes.filter(
      (r) => r.underlying === underlying && known.has(`${r.eventTime}|${r.underlying}`),
    );
    const days = Object.fromEntries(REGIME_CODES.map((c) => [c, 0])) as Record<RegimeName, number>;
    const spells = Object.fromEntries(REGIME_CODES.map((c) => [c, [] as number[]])) as Record<
      RegimeName,
      number[]
    >;
    const pairs: Record<string, number> = {};
    let transitions = 0;
    regimes.forEach((r, i) => {
      days[r.regime]++;
      const prev = regimes[i - 1];
      if (prev !== undefined && prev.regime !== r.regime) {
        transitions++;
        const key = `${prev.regime}->${r.regime}`;
        pairs[key] = (pairs[key] ?? 0) + 1;
        spells[prev.regime].push(prev.daysInRegime);
      }
    });
    const last = regimes[regimes.length - 1];
    if (last !== undefined) spells[last.regime].push(last.daysInRegime);
    const mean = Object.fromEntries(
      REGIME_CODES.map((c) => [
        c,
        spells[c].length > 0 ? spells[c].reduce((a, b) => a + b, 0) / spells[c].length : null,
      ]),
    ) as Record<RegimeName, number | null>;
    const dates = run.features.filter(
      (f) => f.underlying === underlying && known.has(`${f.eventTime}|${f.underlying}`),
    );
    stats.push({
      underlying,
      from: dates[0]?.date ?? "",
      to: dates[dates.length - 1]?.date ?? "",
      classifiedDays: regimes.length,
      totalDays: run.regimes.filter((r) => r.underlying === underlying).length,
      days,
      transitions,
      transitionsByPair: pairs,
      meanDaysInRegime: mean,
    });
  }
  return stats;
};

export const formatRegimeStats = (all: readonly RegimeStats[]): string => {
  const lines: string[] = [];
  for (const s of all) {
    lines.push(
      `${s.underlying}: ${s.from} .. ${s.to}, ${s.classifiedDays} classified decision days (of ${s.totalDays}), ${s.transitions} transitions`,
    );
    lines.push("| regime | days | share | mean spell (days) |", "|---|---|---|---|");
    for (const c of REGIME_CODES) {
      const share = s.classifiedDays > 0 ? ((100 * s.days[c]) / s.classifiedDays).toFixed(1) : "-";
      const spell = s.meanDaysInRegime[c];
      lines.push(`| ${c} | ${s.days[c]} | ${share}% | ${spell === null ? "-" : spell.toFixed(1)} |`);
    }
    lines.push("", "| transition | count |", "|---|---|");
    for (const [pair, n] of Object.entries(s.transitionsByPair).sort((a, b) => b[1] - a[1]))
      lines.push(`| ${pair} | ${n} |`);
    lines.push("");
  }
  return lines.join("\n");
};

export const register = (program: Command): void => {
  program
    .command("regimes")
    .description(
      "Volatility-regime statistics of a replay: share of days per regime and transitions, per underlying",
    )
    .requiredOption("--replay <files...>", "replay file(s) with daily bars and the VIX, merged by event time")
    .option("--json", "print JSON instead of tables")
    .action(async (opts: { replay: string[]; json?: boolean }) => {
      const stats = await regimeStatistics(opts.replay);
      console.log(opts.json ? JSON.stringify(stats, null, 2) : formatRegimeStats(stats));
    });
};
