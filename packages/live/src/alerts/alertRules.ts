import type { Event } from "@thetaflow/schemas";
import type { TapListener } from "../tap/liveTap.js";
import type { Alert, AlertThresholds } from "./alert.js";

/**
 * The seeds' alert conditions as small state machines over the tapped events (and a wall-clock tick
 * for the conditions that are about silence). Each condition fires when it is entered and re-arms
 * only after it has cleared, so a drawdown hovering at 20% raises one alert, not thousands.
 */
export class AlertRules implements TapListener {
  #drawdownLevel: 0 | 1 | 2 = 0;
  readonly #outcomes: boolean[] = [];
  #rejectionSpike = false;
  readonly #regimes = new Map<string, string>();
  readonly #lastTick = new Map<string, number>();
  readonly #heartbeats = new Map<string, { at: number; missing: boolean }>();
  #lastInputCount = -1;
  #lastInputAt = 0;
  #dataGap = false;

  constructor(
    private readonly thresholds: AlertThresholds,
    private readonly raise: (alert: Alert) => void,
  ) {}

  onEvent(event: Event): void {
    switch (event.kind) {
      case "PortfolioSnapshot":
        this.#drawdown(event.drawdown, event.eventTime);
        return;
      case "RiskDecision":
        this.#decision(event.accepted, event.eventTime);
        return;
      case "Order":
        if (event.status === "rejected") this.#decision(false, event.eventTime);
        return;
      case "Regime":
        this.#regime(event.underlying, event.regime, event.eventTime);
        return;
      case "RegimeTransition":
        this.#regime(event.underlying, event.to, event.eventTime);
        return;
      case "UnderlyingTick":
        this.#tick(event.symbol, event.eventTime);
        return;
      default:
        return;
    }
  }

  #drawdown(drawdown: number, eventTime: number): void {
    const t = this.thresholds;
    const level = drawdown >= t.drawdownCritical ? 2 : drawdown >= t.drawdownWarning ? 1 : 0;
    if (level > this.#drawdownLevel) {
      this.raise({
        rule: "drawdown",
        severity: level === 2 ? "critical" : "warning",
        key: "portfolio",
        message: `drawdown ${(drawdown * 100).toFixed(1)}% is over the ${level === 2 ? "critical" : "warning"} level of ${((level === 2 ? t.drawdownCritical : t.drawdownWarning) * 100).toFixed(0)}%`,
        eventTime,
      });
      this.#drawdownLevel = level;
    } else if (drawdown < t.drawdownWarning * 0.9) this.#drawdownLevel = 0;
    else if (level === 1 && this.#drawdownLevel === 2 && drawdown < t.drawdownCritical * 0.9)
      this.#drawdownLevel = 1;
  }

  #decision(accepted: boolean, eventTime: number): void {
    const t = this.thresholds;
    this.#outcomes.push(!accepted);
    if (this.#outcomes.length > t.rejectionWindow) this.#outcomes.shift();
    const rejected = this.#outcomes.filter(Boolean).length;
    const rate = rejected / this.#outcomes.length;
    if (!this.#rejectionSpike && this.#outcomes.length >= t.rejectionMinDecisions && rate > t.rejectionRate) {
      this.#rejectionSpike = true;
      this.raise({
        rule: "order_rejection_spike",
        severity: "warning",
        key: "orders",
        message: `${rejected} of the last ${this.#outcomes.length} orders were rejected (${(rate * 100).toFixed(0)}% > ${(t.rejectionRate * 100).toFixed(0)}%)`,
        eventTime,
      });
    } else if (this.#rejectionSpike && rate <= t.rejectionRate / 2) this.#rejectionSpike = false;
  }

  #regime(underlying: string, regime: string, eventTime: number): void {
    const previous = this.#regimes.get(underlying);
    this.#regimes.set(underlying, regime);
    if (regime === "high_vol" && previous !== undefined && previous !== "high_vol")
      this.raise({
        rule: "regime_high_vol",
        severity: "warning",
        key: underlying,
        message: `${underlying} regime changed ${previous} -> high_vol`,
        eventTime,
      });
  }

  #tick(symbol: string, eventTime: number): void {
    const max = this.thresholds.maxTickGapSeconds;
    const previous = this.#lastTick.get(symbol);
    this.#lastTick.set(symbol, eventTime);
    if (max === undefined || previous === undefined) return;
    const gap = (eventTime - previous) / 1e6;
    if (gap > max)
      this.raise({
        rule: "data_gap",
        severity: "warning",
        key: symbol,
        message: `${symbol}: no tick for ${gap.toFixed(0)} s of event time (limit ${max} s)`,
        eventTime,
      });
  }

  /** A component that must keep beating (broker connection, market data feed) says it is alive. */
  heartbeat(source: string, wallSeconds: number): void {
    const h = this.#heartbeats.get(source);
    if (h?.missing)
      this.raise({
        rule: "heartbeat_missing",
        severity: "info",
        key: source,
        message: `${source} heartbeat is back`,
      });
    this.#heartbeats.set(source, { at: wallSeconds, missing: false });
  }

  heartbeatAges(wallSeconds: number): { source: string; ageSeconds: number }[] {
    return [...this.#heartbeats].map(([source, h]) => ({ source, ageSeconds: wallSeconds - h.at }));
  }

  /**
   * Wall-clock checks, called at the edge every second or so: silence on the inputs while the run is
   * live, and heartbeats that stopped.
   */
  tick(wallSeconds: number, inputCount: number, live: boolean): void {
    if (inputCount !== this.#lastInputCount) {
      this.#lastInputCount = inputCount;
      this.#lastInputAt = wallSeconds;
      this.#dataGap = false;
    } else if (live && !this.#dataGap && wallSeconds - this.#lastInputAt >= this.thresholds.dataGapSeconds) {
      this.#dataGap = true;
      this.raise({
        rule: "data_gap",
        severity: "warning",
        key: "inputs",
        message: `no input events for ${(wallSeconds - this.#lastInputAt).toFixed(0)} s`,
      });
    }
    for (const [source, h] of this.#heartbeats) {
      if (!h.missing && wallSeconds - h.at >= this.thresholds.heartbeatTimeoutSeconds) {
        h.missing = true;
        this.raise({
          rule: "heartbeat_missing",
          severity: "critical",
          key: source,
          message: `no heartbeat from ${source} for ${(wallSeconds - h.at).toFixed(0)} s`,
        });
      }
    }
  }
}
