export interface LiveRunOptions {
  /** Serve the dashboard (HTTP + WebSocket) while the run goes. */
  readonly dashboard: boolean;
  readonly dashboardHost: string;
  /** 0 picks a free port. */
  readonly dashboardPort: number;
  /** Serve Prometheus `/metrics` on this port (9464 is the engine's conventional port). */
  readonly metricsPort?: number;
  readonly metricsHost: string;
  /** Feed sources at this many events per second instead of as fast as possible. */
  readonly speed?: number;
  /** Keep the servers up after the run ends, until SIGINT/SIGTERM. */
  readonly hold: boolean;
  readonly auditLog?: string;
}

export const DEFAULT_DASHBOARD_PORT = 8765;

export interface LiveFlags {
  readonly dashboard?: boolean;
  readonly dashboardHost?: string;
  readonly dashboardPort?: string;
  readonly metricsPort?: string;
  readonly metricsHost?: string;
  readonly speed?: string;
  readonly hold?: boolean;
  readonly auditLog?: string;
}

const port = (flag: string, value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new Error(`${flag} must be a port number 0-65535, got '${value}'`);
  return n;
};

/**
 * Command-line flags to options; undefined when no live feature was asked for. Bad values throw a
 * clear message. THETAFLOW_METRICS_PORT / THETAFLOW_METRICS_HOST stand in for the metrics flags (a
 * container sets them; flags win).
 */
export const liveOptionsFromFlags = (
  given: LiveFlags,
  env: NodeJS.ProcessEnv = process.env,
): LiveRunOptions | undefined => {
  const flags: LiveFlags = {
    ...given,
    metricsPort: given.metricsPort ?? (env.THETAFLOW_METRICS_PORT || undefined),
    metricsHost: given.metricsHost ?? (env.THETAFLOW_METRICS_HOST || undefined),
  };
  const wanted = flags.dashboard === true || flags.metricsPort !== undefined || flags.speed !== undefined;
  if (!wanted) {
    if (flags.hold === true)
      throw new Error(
        "--hold keeps the dashboard or metrics server up; use it with --dashboard or --metrics-port",
      );
    return undefined;
  }
  let speed: number | undefined;
  if (flags.speed !== undefined) {
    speed = Number(flags.speed);
    if (!Number.isFinite(speed) || speed <= 0)
      throw new Error(`--speed must be a positive number of events per second, got '${flags.speed}'`);
  }
  return {
    dashboard: flags.dashboard === true,
    dashboardHost: flags.dashboardHost ?? "127.0.0.1",
    dashboardPort:
      flags.dashboardPort === undefined
        ? DEFAULT_DASHBOARD_PORT
        : port("--dashboard-port", flags.dashboardPort),
    metricsPort: flags.metricsPort === undefined ? undefined : port("--metrics-port", flags.metricsPort),
    metricsHost: flags.metricsHost ?? "127.0.0.1",
    speed,
    hold: flags.hold === true,
    auditLog: flags.auditLog,
  };
};
