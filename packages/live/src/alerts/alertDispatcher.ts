import { describeError, type LiveLogger } from "../log/logger.js";
import type { Alert } from "./alert.js";
import type { AlertChannel } from "./channels.js";

export interface RateLimits {
  /** The same rule and key alert at most once per this many seconds. */
  readonly perKeySeconds: number;
  /** Each external channel sends at most this many alerts per hour (a storm cannot flood a phone). */
  readonly perChannelPerHour: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = { perKeySeconds: 300, perChannelPerHour: 30 };

export interface DispatchStats {
  raised: number;
  suppressed: number;
  delivered: number;
  failed: number;
}

/**
 * Delivers alerts to every channel, off the engine's path (sends are promises nobody awaits on the
 * hot path). Rate limits use wall time: they protect people and endpoints, not event semantics.
 */
export class AlertDispatcher {
  readonly stats: DispatchStats = { raised: 0, suppressed: 0, delivered: 0, failed: 0 };
  readonly #lastByKey = new Map<string, number>();
  readonly #sentByChannel = new Map<string, number[]>();
  readonly #inFlight = new Set<Promise<void>>();

  constructor(
    private readonly channels: readonly AlertChannel[],
    private readonly logger: LiveLogger,
    private readonly limits: RateLimits = DEFAULT_RATE_LIMITS,
    private readonly now: () => Date = () => new Date(),
    private readonly onChannelError: (channel: string) => void = () => {},
    private readonly onDelivered: (alert: Alert, at: Date) => void = () => {},
  ) {}

  readonly dispatch = (alert: Alert): void => {
    this.stats.raised++;
    const at = this.now();
    const ms = at.getTime();
    const key = `${alert.rule}\u0000${alert.key}`;
    const last = this.#lastByKey.get(key);
    if (last !== undefined && ms - last < this.limits.perKeySeconds * 1000) {
      this.stats.suppressed++;
      return;
    }
    this.#lastByKey.set(key, ms);
    this.onDelivered(alert, at);
    for (const channel of this.channels) {
      if (channel.name !== "log" && !this.#takeSlot(channel.name, ms)) {
        this.stats.suppressed++;
        continue;
      }
      const p = channel.send(alert, at).then(
        () => void this.stats.delivered++,
        (err: unknown) => {
          this.stats.failed++;
          this.onChannelError(channel.name);
          this.logger.log("warn", "alert delivery failed", {
            channel: channel.name,
            rule: alert.rule,
            error: describeError(err),
          });
        },
      );
      this.#inFlight.add(p);
      void p.finally(() => this.#inFlight.delete(p));
    }
  };

  #takeSlot(channel: string, ms: number): boolean {
    const sent = (this.#sentByChannel.get(channel) ?? []).filter((t) => t > ms - 3_600_000);
    const ok = sent.length < this.limits.perChannelPerHour;
    if (ok) sent.push(ms);
    this.#sentByChannel.set(channel, sent);
    return ok;
  }

  /** Waits for deliveries under way (at shutdown). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.#inFlight]);
  }
}
