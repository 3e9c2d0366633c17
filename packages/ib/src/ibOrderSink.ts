import { IBApi } from "@stoqey/ib";
import type { EventSink, SinkDefinition } from "@thetaflow/core";
import type { Event, OrderIntent } from "@thetaflow/schemas";
import { Schema } from "effect";
import { IbAdapter, type IbObserver } from "./ibAdapter.js";
import { type IbConfig, ibConfigFromEnv } from "./ibConfig.js";

/** An adapter for the environment's TWS / IB Gateway (IB_HOST, IB_PORT, IB_CLIENT_ID, IB_ACCOUNT, IB_TRADING_MODE). */
export const createIbAdapter = (options: {
  readonly emit: (e: Event) => void;
  readonly observer?: IbObserver;
  readonly env?: NodeJS.ProcessEnv;
  readonly config?: IbConfig;
}): IbAdapter => {
  const config = options.config ?? ibConfigFromEnv(options.env);
  return new IbAdapter({
    api: new IBApi({ host: config.host, port: config.port }),
    config,
    emit: options.emit,
    ...(options.observer ? { observer: options.observer } : {}),
  });
};

/** The client order id of an intent's order: one order per intent, so a replayed intent maps to the same id. */
export const orderIdOf = (intentId: string): string => `${intentId}:0`;

/**
 * A sink that trades through IB: it remembers OrderIntents and submits one order per intent when its
 * RiskDecision accepts it, with the decision's quantity. The adapter's own duplicate protection
 * makes a redelivered intent or decision harmless.
 */
export const ibOrderSink = (adapter: IbAdapter): SinkDefinition<Record<string, never>> => ({
  name: "ib",
  description:
    "Sends risk-accepted order intents to Interactive Brokers (needs OrderIntent and RiskDecision inputs)",
  params: Schema.Struct({}),
  open: async () => {
    const intents = new Map<string, OrderIntent>();
    const sink: EventSink = {
      write: (event) => {
        if (event.kind === "OrderIntent") intents.set(event.id, event);
        else if (event.kind === "RiskDecision") {
          const intent = intents.get(event.intentId);
          intents.delete(event.intentId);
          if (intent === undefined || !event.accepted || event.quantity === 0) return;
          adapter.submit({
            orderId: orderIdOf(intent.id),
            intentId: intent.id,
            underlying: intent.underlying,
            legs: intent.legs,
            quantity: event.quantity,
            limitPrice: intent.limitPrice,
          });
        }
      },
      flush: async () => {},
      close: async () => {},
      files: () => [],
    };
    return sink;
  },
});

/** The adapter as a kill-switch target (`LiveSession.registerKillTarget("ib", ibKillTarget(adapter))`). */
export const ibKillTarget =
  (adapter: IbAdapter) =>
  (request: { readonly flatten: boolean }): Promise<string> =>
    adapter.kill({ flatten: request.flatten });
