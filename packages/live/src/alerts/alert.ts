export type AlertSeverity = "info" | "warning" | "critical";

export type AlertRuleName =
  | "drawdown"
  | "order_rejection_spike"
  | "data_gap"
  | "heartbeat_missing"
  | "regime_high_vol"
  | "position_mismatch";

export interface Alert {
  readonly rule: AlertRuleName;
  readonly severity: AlertSeverity;
  /** What the alert is about (an underlying, a heartbeat source, `portfolio`): rate limits are per rule+key. */
  readonly key: string;
  readonly message: string;
  /** Event time (µs) of the event that raised it, when an event did. */
  readonly eventTime?: number;
}

export interface AlertThresholds {
  /** Drawdown fractions (seeds: 0.20 warning, 0.25 critical). */
  readonly drawdownWarning: number;
  readonly drawdownCritical: number;
  /** Rejection fraction over the last `rejectionWindow` decisions (seeds: > 0.5). */
  readonly rejectionRate: number;
  readonly rejectionWindow: number;
  /** Fewer decisions than this in the window never alert (one rejection is not a spike). */
  readonly rejectionMinDecisions: number;
  /** Wall seconds without a new source event while the run is live. */
  readonly dataGapSeconds: number;
  /** Event-time gap between two ticks of one underlying; undefined = off (daily bars have weekends). */
  readonly maxTickGapSeconds?: number;
  /** Seeds: no heartbeat for 10 minutes. */
  readonly heartbeatTimeoutSeconds: number;
}

export const DEFAULT_THRESHOLDS: AlertThresholds = {
  drawdownWarning: 0.2,
  drawdownCritical: 0.25,
  rejectionRate: 0.5,
  rejectionWindow: 20,
  rejectionMinDecisions: 10,
  dataGapSeconds: 60,
  heartbeatTimeoutSeconds: 600,
};
