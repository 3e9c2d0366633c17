import { closeSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { IBApi } from "@stoqey/ib";
import type { EventSink, SinkContext, SinkDefinition } from "@thetaflow/core";
import { type Event, encodeEvent, type Fill, type Order } from "@thetaflow/schemas";
import { Schema } from "effect";
import { IbAdapter } from "./ibAdapter.js";
import { ibConfigFromEnv } from "./ibConfig.js";
import { IntentRouter } from "./ibOrderSink.js";
import {
  brokerPositionsByContract,
  EnginePositions,
  PositionReconciler,
  type ReconciliationReport,
  type ReconciliationTrigger,
} from "./reconciliation.js";

const PositiveInt = Schema.Number.pipe(Schema.int(), Schema.positive());

/**
 * The `ib` sink's topology params. Connection settings here are defaults: IB_HOST / IB_PORT /
 * IB_CLIENT_ID / IB_ACCOUNT, when set, win (the deployment says where TWS is); a live port (7496,
 * 4001) needs IB_TRADING_MODE=live either way. Nothing secret belongs here: TWS authenticates the
 * login itself.
 */
export const IbSinkParams = Schema.Struct({
  host: Schema.optional(Schema.String.pipe(Schema.minLength(1))),
  /** TWS paper 7497 (default), TWS live 7496, IB Gateway paper 4002 / live 4001. */
  port: Schema.optional(Schema.Number.pipe(Schema.int(), Schema.between(1, 65535))),
  clientId: Schema.optional(Schema.Number.pipe(Schema.int(), Schema.nonNegative())),
  account: Schema.optional(Schema.String.pipe(Schema.minLength(1))),
  /** What a position mismatch at connect/reconnect does: `halt` new orders (default) or `adopt` the broker's. */
  reconciliation: Schema.optionalWith(Schema.Literal("halt", "adopt"), { default: () => "halt" as const }),
  /** The run fails if TWS has not connected and synchronised within this time. */
  connectTimeoutMs: Schema.optionalWith(PositiveInt, { default: () => 30_000 }),
  /** How long the feed waits for TWS to acknowledge orders before going on with a warning. */
  ackTimeoutMs: Schema.optionalWith(PositiveInt, { default: () => 30_000 }),
  /**
   * An accepted intent whose event time is further behind the wall clock than this is refused, not
   * sent: a replay (or history re-published to Kafka) is never traded. 0 turns the check off.
   */
  maxIntentAgeMs: Schema.optionalWith(Schema.Number.pipe(Schema.int(), Schema.nonNegative()), {
    default: () => 300_000,
  }),
  /** How long the kill switch waits for TWS to confirm the cancels. */
  cancelConfirmMs: Schema.optionalWith(PositiveInt, { default: () => 10_000 }),
});
export type IbSinkParams = typeof IbSinkParams.Type;

/** What the run's operator side (kill switch) gets once the sink is connected. */
export interface IbSinkLink {
  readonly sinkId: string;
  /** Cancels every working order at TWS (with `flatten`, also closes every position); resolves with what TWS confirmed. */
  readonly kill: (flatten: boolean) => Promise<string>;
}

export type IbLogLevel = "info" | "warn" | "error";

/** How the CLI (or a test) plugs the sink into a run: kill switch, audit, alerts, logs. All optional. */
export interface IbSinkHooks {
  readonly env?: NodeJS.ProcessEnv;
  /** The IBApi to use (tests keep it to emit the messages the scripted peer does not encode). */
  readonly createApi?: (host: string, port: number) => IBApi;
  readonly opened?: (link: IbSinkLink) => void;
  readonly closed?: (sinkId: string) => void;
  /** Order status and executions from IB, as Order and Fill events. */
  readonly brokerEvent?: (sinkId: string, event: Order | Fill) => void;
  readonly reconciled?: (sinkId: string, report: ReconciliationReport) => void;
  readonly log?: (level: IbLogLevel, message: string, fields?: Record<string, unknown>) => void;
}

/** What a live run's checkpoint keeps for the sink: the engine's positions and what was adopted. */
interface IbSinkCheckpoint {
  readonly engine: ReturnType<EnginePositions["snapshot"]>;
  readonly adopted: [string, number][];
}

const timeout = (ms: number): { promise: Promise<void>; cancel: () => void } => {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<void>((ok) => {
    timer = setTimeout(ok, ms);
    timer.unref();
  });
  return { promise, cancel: () => clearTimeout(timer) };
};

/**
 * The `ib` sink type: trades the engine's risk-accepted OrderIntents at Interactive Brokers.
 * Give it the trading operator's OrderIntent, RiskDecision and Position events. It connects when the
 * run starts (the run fails if TWS is unreachable), reconciles positions at connect and after every
 * reconnect, and writes IB's Order and Fill events to `<sink id>.broker.ndjson` and the
 * reconciliation reports to `<sink id>.reconciliation.ndjson` in the run directory. Between source
 * batches the feed waits until TWS has acknowledged the orders just sent, so the engine never runs
 * ahead of a broker that is disconnected.
 */
export const ibSink = (hooks: IbSinkHooks = {}): SinkDefinition<IbSinkParams> => ({
  name: "ib",
  description:
    "Sends risk-accepted order intents to Interactive Brokers (TWS / IB Gateway) and records IB's orders and fills; give it OrderIntent, RiskDecision and Position events",
  params: IbSinkParams,
  open: (params, ctx) => openIbSink(params, ctx, hooks),
});

const openIbSink = async (params: IbSinkParams, ctx: SinkContext, hooks: IbSinkHooks): Promise<EventSink> => {
  const { sinkId } = ctx;
  const env = hooks.env ?? process.env;
  // The deployment's environment wins over the file: a topology names defaults, IB_* says where TWS is.
  const fromTopology = (name: string, value: string | number | undefined) =>
    env[name] === undefined || env[name] === "" ? value : undefined;
  const host = fromTopology("IB_HOST", params.host) as string | undefined;
  const port = fromTopology("IB_PORT", params.port) as number | undefined;
  const clientId = fromTopology("IB_CLIENT_ID", params.clientId) as number | undefined;
  const account = fromTopology("IB_ACCOUNT", params.account) as string | undefined;
  const config = ibConfigFromEnv(env, {
    ...(host === undefined ? {} : { host }),
    ...(port === undefined ? {} : { port }),
    ...(clientId === undefined ? {} : { clientId }),
    ...(account === undefined ? {} : { account }),
  });
  const log = (level: IbLogLevel, message: string, fields?: Record<string, unknown>) =>
    hooks.log?.(level, message, { sink: sinkId, ...fields });
  const brokerFd = openSync(join(ctx.outDir, `${sinkId}.broker.ndjson`), "a");
  const reconciliationFd = openSync(join(ctx.outDir, `${sinkId}.reconciliation.ndjson`), "a");
  const engine = new EnginePositions();
  const reconciler = new PositionReconciler(params.reconciliation);
  const resume = ctx.resume as IbSinkCheckpoint | undefined;
  if (resume !== undefined) {
    engine.restore(resume.engine);
    reconciler.restoreAdopted(resume.adopted);
  }

  const reconcile = (trigger: ReconciliationTrigger) => {
    const report = reconciler.check(
      trigger,
      brokerPositionsByContract(adapter.brokerPositions(), config.account),
      engine.byContract(),
    );
    adapter.hold(reconciler.holdReason());
    if (report === undefined) return;
    writeSync(
      reconciliationFd,
      `${JSON.stringify({ at: new Date().toISOString(), sink: sinkId, ...report })}\n`,
    );
    log(
      report.matched ? "info" : report.policy === "halt" ? "error" : "warn",
      report.matched ? "positions match the broker's" : "positions differ from the broker's",
      { trigger, action: report.action, differences: report.differences },
    );
    hooks.reconciled?.(sinkId, report);
  };

  const fromBroker = (event: Event) => {
    if (event.kind !== "Order" && event.kind !== "Fill") return;
    writeSync(brokerFd, `${JSON.stringify(encodeEvent(event))}\n`);
    hooks.brokerEvent?.(sinkId, event);
  };

  const adapter: IbAdapter = new IbAdapter({
    api: (hooks.createApi ?? ((host, port) => new IBApi({ host, port })))(config.host, config.port),
    config,
    emit: fromBroker,
    observer: { log },
    cancelConfirmMs: params.cancelConfirmMs,
    onSynced: ({ reconnect }) => reconcile(reconnect ? "reconnect" : "connect"),
    onPositionUpdate: () => reconciler.halted && reconcile("recheck"),
  });
  const closeFiles = () => {
    closeSync(brokerFd);
    closeSync(reconciliationFd);
  };

  const limit = timeout(params.connectTimeoutMs);
  const connected = await Promise.race([adapter.start().then(() => true), limit.promise.then(() => false)]);
  limit.cancel();
  if (!connected) {
    adapter.stop();
    closeFiles();
    throw new Error(
      `ib sink '${sinkId}': no TWS / IB Gateway connected and synchronised at ${config.host}:${config.port} within ${params.connectTimeoutMs / 1000} s (is it running with API connections enabled on that port?)`,
    );
  }
  log("info", "connected to TWS", { host: config.host, port: config.port, clientId: config.clientId });

  let killing: Promise<string> | undefined;
  hooks.opened?.({
    sinkId,
    kill: (flatten) => {
      killing = adapter.kill({ flatten });
      return killing;
    },
  });

  /** Waits for TWS to acknowledge what was sent; while disconnected it keeps waiting (orders are queued). */
  const awaitAcks = async (patient: boolean): Promise<void> => {
    while (!(await adapter.whenAcknowledged(params.ackTimeoutMs))) {
      const waiting = adapter.unacknowledged();
      if (adapter.state === "ready" || !patient) {
        log("warn", "TWS has not acknowledged orders in time; going on", {
          orders: waiting,
          state: adapter.state,
        });
        return;
      }
      log("warn", "TWS not connected: holding the feed until the queued orders are sent", {
        orders: waiting,
      });
    }
  };

  const router = new IntentRouter(adapter, (_intent, decision) => {
    if (params.maxIntentAgeMs === 0) return undefined;
    const ageMs = Date.now() - decision.eventTime / 1000;
    return ageMs > params.maxIntentAgeMs
      ? `decided ${Math.round(ageMs / 1000)} s ago (maxIntentAgeMs ${params.maxIntentAgeMs}): replayed history is not traded`
      : undefined;
  });
  return {
    write: (event) => {
      switch (event.kind) {
        case "OrderIntent":
          router.intent(event);
          return;
        case "RiskDecision":
          router.decision(event);
          return;
        case "Position":
          engine.apply(event);
          if (reconciler.halted) reconcile("recheck");
          return;
        default:
          return;
      }
    },
    backpressure: () => (adapter.unacknowledged() === 0 ? undefined : awaitAcks(true)),
    flush: () => awaitAcks(true),
    close: async () => {
      // A kill in progress finishes first: its cancel confirmations arrive over this connection.
      await killing?.catch(() => {});
      await awaitAcks(false);
      adapter.stop();
      closeFiles();
      hooks.closed?.(sinkId);
    },
    // IB's events carry wall-clock times: they are kept out of the run's reproducible outputs checksum.
    files: () => [],
    checkpoint: (): IbSinkCheckpoint => ({ engine: engine.snapshot(), adopted: reconciler.adopted() }),
  };
};
