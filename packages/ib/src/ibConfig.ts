/** Where and how to reach TWS / IB Gateway. Paper trading is the default; live needs saying so. */
export interface IbConfig {
  readonly host: string;
  /** TWS paper 7497, TWS live 7496 (IB Gateway: 4002 paper, 4001 live). */
  readonly port: number;
  readonly clientId: number;
  /** Account code for orders (several accounts under one login); undefined = the login's only account. */
  readonly account?: string;
  readonly reconnect: BackoffPolicy;
  readonly circuitBreaker: CircuitBreakerPolicy;
  /** Seconds between reqCurrentTime heartbeats. */
  readonly heartbeatSeconds: number;
}

export interface BackoffPolicy {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly factor: number;
}

export interface CircuitBreakerPolicy {
  /** Consecutive failures (rejections, API errors on orders, connect failures) that open the breaker. */
  readonly failureThreshold: number;
  /** How long it stays open before one trial request is let through. */
  readonly cooldownMs: number;
}

export const PAPER_PORT = 7497;
export const LIVE_PORT = 7496;

export const DEFAULT_IB_CONFIG: IbConfig = {
  host: "127.0.0.1",
  port: PAPER_PORT,
  clientId: 17,
  reconnect: { initialDelayMs: 1000, maxDelayMs: 60_000, factor: 2 },
  // The seeds' breaker: 5 failures, 300 s open.
  circuitBreaker: { failureThreshold: 5, cooldownMs: 300_000 },
  heartbeatSeconds: 30,
};

const int = (name: string, value: string | undefined, fallback: number): number => {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`${name} must be a non-negative integer, got '${value}'`);
  return n;
};

/** Connection settings given explicitly (command-line flags); they win over the environment. */
export interface IbConnectionOverrides {
  readonly host?: string;
  readonly port?: number;
  readonly clientId?: number;
  readonly account?: string;
}

const LIVE_PORTS = new Set([LIVE_PORT, 4001]);

/**
 * From IB_HOST, IB_PORT, IB_CLIENT_ID, IB_ACCOUNT, IB_TRADING_MODE, with `overrides` taking
 * precedence. A live port is refused unless IB_TRADING_MODE=live: pointing a
 * paper configuration at a live account must be deliberate, and only the environment can say so —
 * a topology file alone never trades a live account.
 */
export const ibConfigFromEnv = (
  env: NodeJS.ProcessEnv = process.env,
  overrides: IbConnectionOverrides = {},
): IbConfig => {
  const mode = env.IB_TRADING_MODE || "paper";
  if (mode !== "paper" && mode !== "live")
    throw new Error(`IB_TRADING_MODE must be paper or live, got '${mode}'`);
  const port = overrides.port ?? int("IB_PORT", env.IB_PORT, mode === "live" ? LIVE_PORT : PAPER_PORT);
  if (mode === "paper" && LIVE_PORTS.has(port))
    throw new Error(
      `IB port ${port} is a live trading port; set IB_TRADING_MODE=live to trade a live account`,
    );
  const account = overrides.account ?? (env.IB_ACCOUNT === "" ? undefined : env.IB_ACCOUNT);
  return {
    ...DEFAULT_IB_CONFIG,
    host: overrides.host ?? env.IB_HOST ?? DEFAULT_IB_CONFIG.host,
    port,
    clientId: overrides.clientId ?? int("IB_CLIENT_ID", env.IB_CLIENT_ID, DEFAULT_IB_CONFIG.clientId),
    ...(account === undefined ? {} : { account }),
  };
};
