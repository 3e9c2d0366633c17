import { Schema } from "effect";
import { ExitParams } from "./exits.js";
import { FillModelParams } from "./fillModel.js";
import { RiskParams } from "./riskRules.js";
import { defaultUniverse, UniverseTicker } from "./tickerContext.js";

export const TradingParams = Schema.Struct({
  /** Starting cash in dollars. */
  initialCapital: Schema.optionalWith(Schema.Number.pipe(Schema.positive()), { default: () => 100_000 }),
  /** Flat rate for the Greeks this operator computes when no `greeks` node feeds it. */
  rate: Schema.optionalWith(Schema.Number.pipe(Schema.finite()), { default: () => 0.03 }),
  /** Correlation groups come from the universe (`group`); a ticker not listed is its own group. */
  universe: Schema.optionalWith(Schema.Array(UniverseTicker), { default: () => defaultUniverse }),
  /** Event-time age after which a working order is cancelled and replaced (seeds: 5 minutes). */
  orderTimeoutSeconds: Schema.optionalWith(Schema.Number.pipe(Schema.positive()), { default: () => 300 }),
  /** Replacements of an opening order before it is given up; closes keep trying longer. */
  maxReplaces: Schema.optionalWith(Schema.Number.pipe(Schema.int(), Schema.nonNegative()), {
    default: () => 2,
  }),
  maxCloseReplaces: Schema.optionalWith(Schema.Number.pipe(Schema.int(), Schema.nonNegative()), {
    default: () => 10,
  }),
  /** A short strike within this fraction of the settlement price at expiry is flagged as pin risk. */
  pinRiskBand: Schema.optionalWith(Schema.Number.pipe(Schema.between(0, 1)), { default: () => 0.005 }),
  ...RiskParams,
  ...FillModelParams,
  ...ExitParams,
});
export type TradingParams = typeof TradingParams.Type;
