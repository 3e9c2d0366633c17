import type { Event } from "@thetaflow/schemas";
import { AuditLog, defaultAuditFile } from "../audit/auditLog.js";
import { describeError, jsonLogger, type LiveLogger, type LogLevel } from "../log/logger.js";
import { BrokerMetrics } from "../metrics/brokerMetrics.js";
import { Redactor } from "../secrets/redactor.js";
import type { LiveSession } from "../session/liveSession.js";
import type { KillRequest } from "./killSwitch.js";

/** A broker's position comparison, as the live side sees it (structural: no dependency on an adapter). */
export interface BrokerReconciliation {
  readonly trigger: string;
  readonly policy: string;
  readonly matched: boolean;
  readonly action: string;
  readonly differences: readonly {
    readonly contract: string;
    readonly broker: number;
    readonly engine: number;
    readonly adopted: number;
  }[];
}

/**
 * What a broker connection reports to live operations: it becomes a kill-switch target, its own
 * orders and fills are audited, and position reconciliations are audited, alerted and measured (the
 * broker logs them itself, through `log`). With a LiveSession (dashboard/metrics) everything goes there; without one the audit log
 * and the log still get it.
 */
export interface BrokerOversight {
  attach(broker: string, kill: (flatten: boolean) => Promise<string>): void;
  /** The broker connection is gone (run ended): a later kill says so instead of claiming success. */
  detach(broker: string): void;
  brokerEvent(broker: string, event: Event): void;
  reconciliation(broker: string, report: BrokerReconciliation): void;
  log(level: LogLevel, message: string, fields?: Readonly<Record<string, unknown>>): void;
  close(): void;
}

const summary = (r: BrokerReconciliation): string =>
  r.differences
    .slice(0, 5)
    .map((d) => `${d.contract} broker ${d.broker} vs engine ${d.engine + d.adopted}`)
    .join(", ") + (r.differences.length > 5 ? `, and ${r.differences.length - 5} more` : "");

const auditReconciliation = (audit: AuditLog, broker: string, r: BrokerReconciliation) => {
  audit.record("reconciliation", broker, "positions", {
    trigger: r.trigger,
    policy: r.policy,
    matched: r.matched,
    action: r.action,
    differences: r.differences,
  });
  audit.flush();
};

/** Broker oversight inside a live session: kill switch, audit, alert, metrics, log. */
export const sessionOversight = (session: LiveSession): BrokerOversight => {
  let metrics: BrokerMetrics | undefined;
  const brokerMetrics = () => {
    metrics ??= new BrokerMetrics(session.registry);
    return metrics;
  };
  return {
    attach: (broker, kill) => {
      session.registerKillTarget(broker, (req: KillRequest) => kill(req.flatten));
      brokerMetrics().ordersHeld.set({ broker }, 0);
    },
    detach: (broker) =>
      session.registerKillTarget(broker, async () => {
        throw new Error(
          `${broker} disconnected when the run ended: orders still working there were NOT cancelled; use TWS`,
        );
      }),
    brokerEvent: (broker, event) => session.audit.recordEvent(event, broker),
    reconciliation: (broker, r) => {
      auditReconciliation(session.audit, broker, r);
      const m = brokerMetrics();
      m.mismatchedContracts.set({ broker }, r.differences.length);
      m.reconciliations.inc({ broker, result: r.matched ? "matched" : r.action });
      m.ordersHeld.set({ broker }, r.action === "halted" || r.action === "still_halted" ? 1 : 0);
      if (!r.matched)
        session.dispatcher.dispatch({
          rule: "position_mismatch",
          severity: r.policy === "halt" ? "critical" : "warning",
          key: broker,
          message: `${broker}: positions differ from the engine's after ${r.trigger} (${r.action}): ${summary(r)}`,
        });
    },
    log: (level, message, fields) => session.logger.log(level, message, fields),
    close: () => {},
  };
};

/**
 * Broker oversight for a run without a live session: the audit log (opened on first use, so a run
 * without a broker creates no file) and JSON log lines on stderr.
 */
export const standaloneOversight = (options: {
  readonly auditFile?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly logger?: LiveLogger;
}): BrokerOversight => {
  const env = options.env ?? process.env;
  const redactor = Redactor.fromEnv(env);
  const logger = options.logger ?? jsonLogger(redactor);
  let audit: AuditLog | undefined;
  const auditLog = () => {
    audit ??= new AuditLog(options.auditFile ?? defaultAuditFile(env), redactor);
    return audit;
  };
  return {
    attach: (broker) => {
      auditLog().recordManual("engine", "broker_connected", { broker });
      logger.log(
        "warn",
        "no dashboard: this run's kill switch is not reachable (run with --dashboard for `thetaflow kill`)",
        { broker },
      );
    },
    detach: (broker) => logger.log("info", "broker disconnected", { broker }),
    brokerEvent: (broker, event) => auditLog().recordEvent(event, broker),
    reconciliation: (broker, r) => auditReconciliation(auditLog(), broker, r),
    log: (level, message, fields) => logger.log(level, message, fields),
    close: () => {
      try {
        audit?.close();
      } catch (err) {
        logger.log("warn", "cannot close the audit log", { error: describeError(err) });
      }
    },
  };
};
