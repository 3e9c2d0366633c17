import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { runOperator } from "@thetaflow/core";
import { TradingParams, trading } from "@thetaflow/operators";
import type { Event } from "@thetaflow/schemas";
import { Schema } from "effect";
import { chain, putSpreadSignal, tick } from "../../packages/operators/src/trading/__fixtures__/market.js";

const isoDay = (start: number, i: number) => new Date(start + i * 86_400_000).toISOString().slice(0, 10);

/**
 * A few months of a synthetic SPY chain with a put credit spread signal every Monday, run through
 * the `trading` operator; its outputs are written as a sink would, so a backtest report can be built
 * from `dir` without a replay file.
 */
export const writeSyntheticRun = (dir: string): string[] => {
  const events: Event[] = [];
  let spot = 100;
  const start = Date.UTC(2019, 0, 7);
  for (let i = 0; i < 120; i++) {
    const date = isoDay(start, i);
    const weekday = new Date(`${date}T12:00:00Z`).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    spot = Math.round(spot * (1 + 0.012 * Math.sin(i * 1.7) + 0.002) * 100) / 100;
    const friday = isoDay(start, i + ((5 - weekday + 7) % 7) + 7);
    const strikes = Array.from({ length: 31 }, (_, k) => Math.round(spot) - 15 + k);
    const quotes = chain({
      underlying: "SPY",
      date,
      spot,
      expiries: [friday],
      strikes,
      vol: 0.2 + 0.05 * Math.cos(i / 9),
    });
    events.push(tick("SPY", date, spot), ...quotes);
    if (weekday === 1) {
      const short = Math.round(spot * 0.98);
      events.push(putSpreadSignal(quotes, { short, long: short - 5, expiry: friday, id: `weekly:${date}` }));
    }
  }
  const params = Schema.decodeUnknownSync(TradingParams)({
    maxPortfolioDelta: 5000,
    maxPortfolioGamma: 5000,
    maxPortfolioVega: 5000,
  });
  const { outputs } = runOperator(trading, params, events);
  writeFileSync(join(dir, "trading.ndjson"), `${outputs.map((e) => JSON.stringify(e)).join("\n")}\n`);
  return ["trading.ndjson"];
};
