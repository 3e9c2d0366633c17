import type { UnderlyingTick } from "@thetaflow/schemas";
import { Schema } from "effect";
import { defineOperator } from "../operator.js";

/** Running close-to-close sum per symbol; throws on a price of exactly 13 to exercise supervision. */
export const runningSum = defineOperator({
  name: "runningSum",
  description: "test operator",
  params: Schema.Struct({ scale: Schema.optionalWith(Schema.Number, { default: () => 1 }) }),
  consumes: ["UnderlyingTick"],
  produces: ["UnderlyingTick"],
  keyOf: (e) => e.symbol,
  init: () => ({ sum: 0, n: 0 }),
  step: (state, e, out, params) => {
    if (e.price === 13) throw new Error("unlucky price");
    const next = { sum: state.sum + e.price * params.scale, n: state.n + 1 };
    out.emit({ ...e, seq: 0, price: next.sum } satisfies UnderlyingTick);
    return next;
  },
  onEnd: (state, out) => {
    out.emit({ kind: "UnderlyingTick", eventTime: 0, seq: 0, symbol: "END", price: state.n });
    return state;
  },
});
