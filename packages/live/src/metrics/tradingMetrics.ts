import type { Event, Fill, Order, RiskDecision, Signal } from "@thetaflow/schemas";
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import { BoundedMap } from "../tap/boundedMap.js";

const LATENCY_BUCKETS = [
  0.00001, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25, 1,
];
const FETCH_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Rejection reasons are free text; the label keeps their stable head so cardinality stays bounded. */
export const reasonLabel = (reason: string): string => {
  const head = reason
    .split(/[:(]/, 1)[0]!
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9_ -]/g, "")
    .replace(/\s+/g, "_");
  return head === "" ? "unspecified" : head.slice(0, 48);
};

/**
 * The seeds' trading and system metrics (architecture.md 9.1), fed by the events the tap sees:
 * nothing here is computed apart from what the engine emitted.
 */
export class TradingMetrics {
  readonly signalsGenerated: Counter<"strategy" | "regime">;
  readonly signalsExecuted: Counter<"strategy" | "regime">;
  readonly ordersRejected: Counter<"stage" | "reason">;
  readonly positionsOpen: Gauge;
  readonly portfolioValue: Gauge;
  readonly drawdown: Gauge;
  readonly dailyPnl: Gauge;
  readonly dataFetchDuration: Histogram<"source">;
  readonly signalLatency: Histogram;
  readonly modelLatency: Histogram;
  readonly apiErrors: Counter<"source">;
  readonly regime: Gauge<"underlying" | "regime">;
  readonly fills: Counter<"underlying">;

  // Signal -> intent -> order -> first fill: a signal counts as executed once, when its order fills.
  readonly #signals = new BoundedMap<string, Signal>(10_000);
  readonly #intentSignal = new BoundedMap<string, string>(10_000);
  readonly #orderIntent = new BoundedMap<string, string>(10_000);
  readonly #executedSignals = new BoundedMap<string, true>(10_000);
  readonly #regimeOf = new Map<string, string>();

  constructor(registry: Registry) {
    const registers = [registry];
    this.signalsGenerated = new Counter({
      name: "thetaflow_signals_generated_total",
      help: "Signals generated, by strategy and regime",
      labelNames: ["strategy", "regime"],
      registers,
    });
    this.signalsExecuted = new Counter({
      name: "thetaflow_signals_executed_total",
      help: "Signals whose order received at least one fill",
      labelNames: ["strategy", "regime"],
      registers,
    });
    this.ordersRejected = new Counter({
      name: "thetaflow_orders_rejected_total",
      help: "Order intents rejected by the risk gate (stage=risk) or orders rejected by the broker (stage=broker), by reason",
      labelNames: ["stage", "reason"],
      registers,
    });
    this.positionsOpen = new Gauge({
      name: "thetaflow_positions_open",
      help: "Open positions (latest PortfolioSnapshot)",
      registers,
    });
    this.portfolioValue = new Gauge({
      name: "thetaflow_portfolio_value_usd",
      help: "Portfolio equity in USD (latest PortfolioSnapshot)",
      registers,
    });
    this.drawdown = new Gauge({
      name: "thetaflow_drawdown_pct",
      help: "Drawdown from peak equity, percent (latest PortfolioSnapshot)",
      registers,
    });
    this.dailyPnl = new Gauge({
      name: "thetaflow_pnl_daily_usd",
      help: "P&L since the start of the trading day in USD (latest PortfolioSnapshot)",
      registers,
    });
    this.dataFetchDuration = new Histogram({
      name: "thetaflow_data_fetch_duration_seconds",
      help: "Market data request round trip (adapter request to first answer), by source",
      labelNames: ["source"],
      buckets: FETCH_BUCKETS,
      registers,
    });
    this.signalLatency = new Histogram({
      name: "thetaflow_signal_generation_duration_seconds",
      help: "Wall time from the underlying tick entering the engine to the Signal leaving the router",
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.modelLatency = new Histogram({
      name: "thetaflow_model_prediction_duration_seconds",
      help: "Wall time from the underlying tick entering the engine to the ModelScore leaving the scorer",
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.apiErrors = new Counter({
      name: "thetaflow_api_errors_total",
      help: "Errors from external APIs (broker, alert channels, data adapters), by source",
      labelNames: ["source"],
      registers,
    });
    this.regime = new Gauge({
      name: "thetaflow_regime",
      help: "1 for the current volatility regime of each underlying",
      labelNames: ["underlying", "regime"],
      registers,
    });
    this.fills = new Counter({
      name: "thetaflow_fills_total",
      help: "Fills received, by underlying",
      labelNames: ["underlying"],
      registers,
    });
  }

  onEvent(event: Event): void {
    switch (event.kind) {
      case "Signal":
        this.signalsGenerated.inc({ strategy: event.strategy, regime: event.regime });
        this.#signals.set(event.id, event);
        return;
      case "OrderIntent":
        this.#intentSignal.set(event.id, event.signalId);
        return;
      case "RiskDecision":
        this.#onDecision(event);
        return;
      case "Order":
        this.#onOrder(event);
        return;
      case "Fill":
        this.#onFill(event);
        return;
      case "PortfolioSnapshot":
        this.positionsOpen.set(event.openPositions);
        this.portfolioValue.set(event.equityCents / 100);
        this.drawdown.set(event.drawdown * 100);
        this.dailyPnl.set(event.dailyPnlCents / 100);
        return;
      case "Regime": {
        const previous = this.#regimeOf.get(event.underlying);
        if (previous === event.regime) return;
        if (previous !== undefined) this.regime.set({ underlying: event.underlying, regime: previous }, 0);
        this.regime.set({ underlying: event.underlying, regime: event.regime }, 1);
        this.#regimeOf.set(event.underlying, event.regime);
        return;
      }
      default:
        return;
    }
  }

  #onDecision(d: RiskDecision): void {
    if (d.accepted) return;
    const reasons = d.reasons.length === 0 ? ["unspecified"] : d.reasons;
    for (const r of reasons) this.ordersRejected.inc({ stage: "risk", reason: reasonLabel(r) });
  }

  #onOrder(o: Order): void {
    this.#orderIntent.set(o.orderId, o.intentId);
    if (o.status === "rejected")
      this.ordersRejected.inc({ stage: "broker", reason: reasonLabel(o.reason ?? "unspecified") });
  }

  #onFill(f: Fill): void {
    this.fills.inc({ underlying: f.underlying });
    const intentId = this.#orderIntent.get(f.orderId);
    const signalId = intentId === undefined ? undefined : this.#intentSignal.get(intentId);
    if (signalId === undefined || this.#executedSignals.has(signalId)) return;
    const signal = this.#signals.get(signalId);
    if (signal === undefined) return;
    this.#executedSignals.set(signalId, true);
    this.signalsExecuted.inc({ strategy: signal.strategy, regime: signal.regime });
  }
}
