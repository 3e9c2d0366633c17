import type { CircuitBreakerPolicy } from "./ibConfig.js";

export type BreakerState = "closed" | "open" | "half_open";

/**
 * The seeds' circuit breaker (architecture.md 7.2): after `failureThreshold` consecutive failures it
 * opens and refuses requests for `cooldownMs`, then lets one trial through (half-open); a success
 * closes it, a failure opens it again. Time comes from the injected clock.
 */
export class CircuitBreaker {
  #state: BreakerState = "closed";
  #failures = 0;
  #openedAt = 0;
  #trialInFlight = false;

  constructor(
    private readonly policy: CircuitBreakerPolicy,
    private readonly nowMs: () => number,
  ) {}

  get state(): BreakerState {
    if (this.#state === "open" && this.nowMs() - this.#openedAt >= this.policy.cooldownMs) {
      this.#state = "half_open";
      this.#trialInFlight = false;
    }
    return this.#state;
  }

  /** May a request go out now? In half-open state only the first caller gets a yes. */
  tryPass(): boolean {
    const s = this.state;
    if (s === "closed") return true;
    if (s === "half_open" && !this.#trialInFlight) {
      this.#trialInFlight = true;
      return true;
    }
    return false;
  }

  recordSuccess(): void {
    this.#failures = 0;
    this.#state = "closed";
    this.#trialInFlight = false;
  }

  recordFailure(): void {
    this.#failures++;
    if (this.#state === "half_open" || this.#failures >= this.policy.failureThreshold) {
      this.#state = "open";
      this.#openedAt = this.nowMs();
      this.#trialInFlight = false;
    }
  }
}
