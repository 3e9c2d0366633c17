import type { BackoffPolicy } from "./ibConfig.js";

/** Delay before reconnect attempt `attempt` (0-based): exponential, capped. No jitter: one client per TWS. */
export const reconnectDelayMs = (attempt: number, policy: BackoffPolicy): number =>
  Math.min(policy.maxDelayMs, Math.round(policy.initialDelayMs * policy.factor ** Math.max(0, attempt)));
