import { type AnyOperator, Registry } from "@thetaflow/core";
import { features } from "./ops/features.js";
import { greeks } from "./ops/greeks.js";
import { indicators } from "./ops/indicators.js";
import { ivSurface } from "./ops/ivSurface.js";
import { regime } from "./ops/regime.js";
import { score } from "./ops/score.js";
import { spreadLabels } from "./ops/spreadLabels.js";
import { temporal } from "./ops/temporal.js";
import { volatility } from "./ops/volatility.js";
import { earningsCrush } from "./trading/earningsCrush.js";
import { ironCondor } from "./trading/ironCondor.js";
import { ivRankStrategy } from "./trading/ivRankStrategy.js";
import { route } from "./trading/route.js";
import { trading } from "./trading/trading.js";

/** Every built-in operator by name: what topology files can use. One register line per operator. */
export const builtinOperators = (): Registry<AnyOperator> =>
  new Registry<AnyOperator>("operator")
    .register(greeks as unknown as AnyOperator)
    .register(ivSurface as unknown as AnyOperator)
    .register(volatility as unknown as AnyOperator)
    .register(regime as unknown as AnyOperator)
    .register(indicators as unknown as AnyOperator)
    .register(temporal as unknown as AnyOperator)
    .register(features as unknown as AnyOperator)
    .register(spreadLabels as unknown as AnyOperator)
    .register(score as unknown as AnyOperator)
    .register(ivRankStrategy as unknown as AnyOperator)
    .register(earningsCrush as unknown as AnyOperator)
    .register(ironCondor as unknown as AnyOperator)
    .register(route as unknown as AnyOperator)
    .register(trading as unknown as AnyOperator);
