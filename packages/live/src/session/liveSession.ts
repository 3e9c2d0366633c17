import type { CompiledTopology, Graph } from "@thetaflow/core";
import type { Event } from "@thetaflow/schemas";
import { Counter, collectDefaultMetrics, Registry } from "prom-client";
import { type Alert, type AlertThresholds, DEFAULT_THRESHOLDS } from "../alerts/alert.js";
import { AlertDispatcher, DEFAULT_RATE_LIMITS, type RateLimits } from "../alerts/alertDispatcher.js";
import { AlertRules } from "../alerts/alertRules.js";
import { type AlertChannel, channelsFromEnv } from "../alerts/channels.js";
import { AuditLog, defaultAuditFile } from "../audit/auditLog.js";
import { RequestAuth } from "../auth/requestAuth.js";
import { type AccessToken, describeTokenOrigin, resolveAccessToken } from "../auth/token.js";
import { KillSwitch, type KillTarget } from "../control/killSwitch.js";
import { type DashboardServer, startDashboardServer } from "../dashboard/dashboardServer.js";
import { DashboardState, type HealthView } from "../dashboard/dashboardState.js";
import { describeError, jsonLogger, type LiveLogger } from "../log/logger.js";
import { EngineMetrics } from "../metrics/engineMetrics.js";
import { type MetricsServer, serveMetrics } from "../metrics/metricsServer.js";
import { TradingMetrics } from "../metrics/tradingMetrics.js";
import { Redactor } from "../secrets/redactor.js";
import { LatencyProbe } from "../tap/latencyProbe.js";
import { LiveTap } from "../tap/liveTap.js";
import { Pacer } from "../tap/pacer.js";
import type { LiveRunOptions } from "./liveOptions.js";

export interface LiveSessionIo {
  readonly env: NodeJS.ProcessEnv;
  /** Human-readable lines (the dashboard URL); redacted like everything else. */
  readonly print: (line: string) => void;
  readonly logger?: LiveLogger;
  readonly channels?: readonly AlertChannel[];
  readonly thresholds?: AlertThresholds;
  readonly rateLimits?: RateLimits;
  readonly pushIntervalMs?: number;
  /** Resolves when the user asks a held session to stop (default: SIGINT or SIGTERM). */
  readonly stopSignal?: () => Promise<void>;
}

type RunStatus = HealthView["status"];

const untilSignal = (): Promise<void> =>
  new Promise((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });

/**
 * Everything live operations attach to one run: the tap (metrics, dashboard state, alerts, audit),
 * the pacer/kill switch, and the HTTP servers. The run itself stays the ordinary runTopology call;
 * the session only adds a sink (`instrument`) and reads the graph (`attachGraph`).
 */
export class LiveSession {
  readonly tap = new LiveTap();
  readonly registry = new Registry();
  readonly trading: TradingMetrics;
  readonly engine: EngineMetrics;
  readonly state = new DashboardState();
  readonly alerts: AlertRules;
  readonly dispatcher: AlertDispatcher;
  readonly killSwitch: KillSwitch;
  readonly audit: AuditLog;
  readonly pacer: Pacer;
  readonly logger: LiveLogger;
  readonly redactor: Redactor;
  #status: RunStatus = "running";
  #dashboard: DashboardServer | undefined;
  #metrics: MetricsServer | undefined;
  #timers: NodeJS.Timeout[] = [];
  readonly #rateWindow: { at: number; eventsIn: number }[] = [];

  private constructor(
    readonly options: LiveRunOptions,
    private readonly io: LiveSessionIo,
    token: AccessToken | undefined,
  ) {
    this.redactor = Redactor.fromEnv(io.env, token === undefined ? [] : [token.value]);
    this.logger = io.logger ?? jsonLogger(this.redactor);
    this.audit = new AuditLog(options.auditLog ?? defaultAuditFile(io.env), this.redactor);
    collectDefaultMetrics({ register: this.registry, prefix: "thetaflow_" });
    this.trading = new TradingMetrics(this.registry);
    this.engine = new EngineMetrics(this.registry);
    const alertsTotal = new Counter({
      name: "thetaflow_alerts_total",
      help: "Alerts delivered (after rate limiting), by rule and severity",
      labelNames: ["rule", "severity"],
      registers: [this.registry],
    });
    this.dispatcher = new AlertDispatcher(
      io.channels ?? channelsFromEnv(io.env, this.logger),
      this.logger,
      io.rateLimits ?? DEFAULT_RATE_LIMITS,
      () => new Date(),
      (channel) => this.trading.apiErrors.inc({ source: `alert_${channel}` }),
      (alert: Alert, at: Date) => {
        alertsTotal.inc({ rule: alert.rule, severity: alert.severity });
        this.state.addAlert({
          at: at.toISOString(),
          rule: alert.rule,
          severity: alert.severity,
          message: alert.message,
        });
      },
    );
    this.alerts = new AlertRules(io.thresholds ?? DEFAULT_THRESHOLDS, this.dispatcher.dispatch);
    this.pacer = new Pacer(options.speed);
    this.killSwitch = new KillSwitch(this.audit, this.logger);
    this.killSwitch.register("engine", async (req) => {
      this.pacer.halt(`kill switch engaged by ${req.actor}`);
      if (this.killSwitch.targets().length > 1) return "source feed halted";
      return req.flatten
        ? "source feed halted; no broker adapter is attached to this run, so there is nothing to cancel or flatten"
        : "source feed halted; no broker adapter is attached to this run, so there is nothing to cancel";
    });
    const audit = this.audit;
    const trading = this.trading;
    const engine = this.engine;
    this.tap
      .add(trading)
      .add(this.state)
      .add(this.alerts)
      .add(new LatencyProbe(trading))
      .add({
        onEvent(event: Event) {
          if (event.kind === "RiskDecision" || event.kind === "Order") audit.recordEvent(event);
          else if (event.kind === "DeadLetter") engine.onDeadLetter(event);
        },
      })
      .onGraph((g) => {
        this.engine.attach(g);
        this.pacer.attach(g);
      })
      .governWith(this.pacer);
    this.#auth = token === undefined ? undefined : new RequestAuth(token.value);
    this.#token = token;
  }

  readonly #auth: RequestAuth | undefined;
  readonly #token: AccessToken | undefined;

  static async open(options: LiveRunOptions, io: LiveSessionIo): Promise<LiveSession> {
    const token = options.dashboard ? resolveAccessToken(io.env) : undefined;
    const session = new LiveSession(options, io, token);
    try {
      await session.#start();
    } catch (err) {
      await session.close();
      throw err;
    }
    return session;
  }

  async #start(): Promise<void> {
    const o = this.options;
    if (o.metricsPort !== undefined) {
      this.#metrics = await serveMetrics(this.registry, { port: o.metricsPort, host: o.metricsHost }).catch(
        (err: unknown) => {
          throw new Error(`cannot serve metrics on ${o.metricsHost}:${o.metricsPort}: ${describeError(err)}`);
        },
      );
      this.print(`metrics    ${this.#metrics.url}`);
    }
    if (this.#auth !== undefined && this.#token !== undefined) {
      this.#dashboard = await startDashboardServer({
        auth: this.#auth,
        state: this.state,
        health: (clients) => this.health(clients),
        killSwitch: this.killSwitch,
        logger: this.logger,
        host: o.dashboardHost,
        port: o.dashboardPort,
        pushIntervalMs: this.io.pushIntervalMs,
      }).catch((err: unknown) => {
        throw new Error(
          `cannot serve the dashboard on ${o.dashboardHost}:${o.dashboardPort}: ${describeError(err)}`,
        );
      });
      this.print(`dashboard  ${this.#dashboard.url}  (token: ${describeTokenOrigin(this.#token)})`);
    }
    const healthTick = setInterval(() => this.#tick(), 1000);
    const auditFlush = setInterval(() => this.audit.flush(), 250);
    healthTick.unref();
    auditFlush.unref();
    this.#timers.push(healthTick, auditFlush);
  }

  get dashboardUrl(): string | undefined {
    return this.#dashboard?.url;
  }

  get metricsUrl(): string | undefined {
    return this.#metrics?.url;
  }

  print(line: string): void {
    this.io.print(this.redactor.redact(line));
  }

  instrument(topology: CompiledTopology): CompiledTopology {
    return this.tap.instrument(topology);
  }

  readonly attachGraph = (graph: Graph): void => this.tap.attachGraph(graph);

  /** Wraps a progress callback so replay backlog and event-time lag are measured too. */
  observeProgress<
    P extends { readonly eventTime: number; readonly bytesRead: number; readonly bytesTotal: number },
  >(next: (p: P) => void): (p: P) => void {
    return (p) => {
      this.engine.observeReplayProgress(p.bytesRead, p.bytesTotal);
      this.engine.observeEventTime(p.eventTime, Date.now());
      next(p);
    };
  }

  registerKillTarget(name: string, target: KillTarget): void {
    this.killSwitch.register(name, target);
  }

  heartbeat(source: string): void {
    this.alerts.heartbeat(source, performance.now() / 1000);
  }

  #tick(): void {
    this.engine.sample();
    const g = this.tap.graph;
    this.alerts.tick(performance.now() / 1000, g?.counters.eventsIn ?? 0, this.#status === "running");
  }

  health(clients: number): HealthView {
    const g = this.tap.graph;
    const at = performance.now();
    const eventsIn = g?.counters.eventsIn ?? 0;
    // Rate over the last ~5 s: paced replays deliver in source batches, a shorter window reads 0 between them.
    const window = this.#rateWindow;
    window.push({ at, eventsIn });
    while (window.length > 2 && at - window[0]!.at > 5000) window.shift();
    const first = window[0]!;
    const perSecond = at > first.at ? ((eventsIn - first.eventsIn) * 1000) / (at - first.at) : 0;
    const rates = new Map(this.engine.rates.map((r) => [r.node, r.eventsInPerSecond]));
    return {
      status: this.#status,
      eventsIn,
      eventsOut: g?.counters.eventsOut ?? 0,
      deadLetters: g?.counters.deadLetters ?? 0,
      eventsPerSecond: perSecond,
      lastEventTime: this.state.lastEventTime,
      clients,
      nodes:
        g === undefined
          ? []
          : [...g.nodes].map(([node, n]) => ({ node, ...n.stats, eventsPerSecond: rates.get(node) ?? 0 })),
      heartbeats: this.alerts.heartbeatAges(at / 1000),
      killSwitch: this.killSwitch.engagedAt ?? null,
    };
  }

  /**
   * The run is over: record how it ended, push the final state, and — with `hold` — keep serving
   * until the user stops it. Always closes the servers and the audit log before returning.
   */
  async complete(
    outcome: { readonly ok: true } | { readonly ok: false; readonly error: unknown },
  ): Promise<void> {
    this.#status = outcome.ok ? "finished" : this.pacer.halted ? "halted" : "failed";
    this.#dashboard?.pushNow();
    this.audit.flush();
    if (this.options.hold) {
      this.print(`holding    run ${this.#status}; servers stay up until Ctrl-C`);
      await (this.io.stopSignal ?? untilSignal)();
    }
    await this.close();
  }

  async close(): Promise<void> {
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    await this.dispatcher.drain();
    await Promise.allSettled([this.#dashboard?.close(), this.#metrics?.close()]);
    this.audit.close();
  }
}
