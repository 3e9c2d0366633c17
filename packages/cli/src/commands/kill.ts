import { requestKill } from "@thetaflow/live";
import type { Command } from "commander";

export const register = (program: Command): void => {
  program
    .command("kill")
    .description(
      "Engage a running engine's kill switch (token required): halt its feed and cancel every working order at the broker of each ib sink, as confirmed by TWS; --flatten also closes every broker position with market orders. Exit 1 if any target failed",
    )
    .requiredOption("--url <url>", "the engine's dashboard URL, e.g. http://127.0.0.1:8765")
    .option("--flatten", "also flatten all positions (market orders)")
    .action(async (opts: { url: string; flatten?: boolean }) => {
      const r = await requestKill(opts.url, { flatten: opts.flatten === true });
      for (const o of r.outcomes) console.log(`${o.ok ? "ok    " : "FAILED"} ${o.target}: ${o.detail}`);
      if (r.outcomes.some((o) => !o.ok)) process.exitCode = 1;
    });
};
