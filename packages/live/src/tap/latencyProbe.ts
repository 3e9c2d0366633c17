import type { Event } from "@thetaflow/schemas";
import type { TradingMetrics } from "../metrics/tradingMetrics.js";
import type { TapListener } from "./liveTap.js";

/**
 * Signal and model latency measured at the tap: the wall time between an underlying tick entering
 * the engine and the Signal/ModelScore of the same underlying reaching the tap. The tap sees the
 * tick before any node (it subscribes to sources first), so the interval covers the whole chain of
 * operators that ran for it. Decisions triggered by quotes rather than ticks are measured from the
 * last tick of their underlying, an upper bound.
 */
export class LatencyProbe implements TapListener {
  readonly #tickAt = new Map<string, number>();

  constructor(
    private readonly metrics: TradingMetrics,
    private readonly now: () => number = () => performance.now(),
  ) {}

  onEvent(event: Event): void {
    switch (event.kind) {
      case "UnderlyingTick":
        this.#tickAt.set(event.symbol, this.now());
        return;
      case "Signal":
        this.#observe(event.underlying, (s) => this.metrics.signalLatency.observe(s));
        return;
      case "ModelScore":
        this.#observe(event.underlying, (s) => this.metrics.modelLatency.observe(s));
        return;
      default:
        return;
    }
  }

  #observe(underlying: string, record: (seconds: number) => void): void {
    const at = this.#tickAt.get(underlying);
    if (at !== undefined) record((this.now() - at) / 1000);
  }
}
