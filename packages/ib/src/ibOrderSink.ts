import { IBApi } from "@stoqey/ib";
import type { Event, OrderIntent, RiskDecision } from "@thetaflow/schemas";
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
 * Turns the trading operator's output into broker orders: it remembers OrderIntents and submits one
 * order per intent when its RiskDecision accepts it, with the decision's quantity. The adapter's own
 * duplicate protection makes a redelivered intent or decision harmless.
 */
export class IntentRouter {
  readonly #intents = new Map<string, OrderIntent>();

  /** `refuse` names a reason not to send an accepted intent (e.g. it is replayed history). */
  constructor(
    private readonly adapter: IbAdapter,
    private readonly refuse: (intent: OrderIntent, decision: RiskDecision) => string | undefined = () =>
      undefined,
  ) {}

  intent(intent: OrderIntent): void {
    this.#intents.set(intent.id, intent);
  }

  decision(decision: RiskDecision): ReturnType<IbAdapter["submit"]> | undefined {
    const intent = this.#intents.get(decision.intentId);
    this.#intents.delete(decision.intentId);
    if (intent === undefined || !decision.accepted || decision.quantity === 0) return undefined;
    const request = {
      orderId: orderIdOf(intent.id),
      intentId: intent.id,
      underlying: intent.underlying,
      legs: intent.legs,
      quantity: decision.quantity,
      limitPrice: intent.limitPrice,
    };
    const reason = this.refuse(intent, decision);
    if (reason === undefined) return this.adapter.submit(request);
    this.adapter.refuse(request, reason);
    return "rejected";
  }
}

/** The adapter as a kill-switch target (`LiveSession.registerKillTarget("ib", ibKillTarget(adapter))`). */
export const ibKillTarget =
  (adapter: IbAdapter) =>
  (request: { readonly flatten: boolean }): Promise<string> =>
    adapter.kill({ flatten: request.flatten });
