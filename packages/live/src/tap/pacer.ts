import type { Graph } from "@thetaflow/core";
import type { RunGovernor } from "./liveTap.js";

export class RunHalted extends Error {
  constructor(reason: string) {
    super(`run halted: ${reason}`);
    this.name = "RunHalted";
  }
}

/**
 * Governs a run from the sink edge: holds source batches back so events enter at `eventsPerSecond`
 * (a replay that plays like a live feed), and stops the run when the kill switch is engaged. The
 * engine asks between source batches, so pacing granularity is one source batch (up to 2,048 replay
 * lines); operators never see wall time.
 */
export class Pacer implements RunGovernor {
  #graph: Graph | undefined;
  #startedAt: number | undefined;
  #halted: RunHalted | undefined;
  readonly #wakers = new Set<() => void>();

  constructor(
    private readonly eventsPerSecond: number | undefined,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (eventsPerSecond !== undefined && !(eventsPerSecond > 0))
      throw new Error(`speed must be a positive number of events/s, got ${eventsPerSecond}`);
  }

  attach(graph: Graph): void {
    this.#graph = graph;
  }

  halt(reason: string): void {
    this.#halted ??= new RunHalted(reason);
    for (const wake of this.#wakers) wake();
  }

  get halted(): boolean {
    return this.#halted !== undefined;
  }

  pressure(): Promise<void> | undefined {
    if (this.#halted !== undefined) return Promise.reject(this.#halted);
    const rate = this.eventsPerSecond;
    if (rate === undefined || this.#graph === undefined) return undefined;
    const now = this.now();
    this.#startedAt ??= now;
    const due = this.#startedAt + (this.#graph.counters.eventsIn / rate) * 1000;
    if (due <= now) return undefined;
    return new Promise<void>((resolve, reject) => {
      const wake = () => {
        clearTimeout(timer);
        this.#wakers.delete(wake);
        if (this.#halted !== undefined) reject(this.#halted);
        else resolve();
      };
      const timer = setTimeout(wake, due - now);
      this.#wakers.add(wake);
    });
  }
}
