import type { Position } from "@thetaflow/schemas";
import type { BrokerPosition } from "./ibAdapter.js";

/**
 * What to do when the broker's positions differ from the engine's:
 * - `halt`: send no new order until a later comparison matches (the operator fixes the account in
 *   TWS, or the engine's positions catch up); orders already working are left alone.
 * - `adopt`: take the difference as positions held outside the engine (e.g. opened by hand before the
 *   run) and keep trading; later comparisons expect engine + adopted.
 */
export type ReconciliationPolicy = "halt" | "adopt";

export type ReconciliationTrigger = "connect" | "reconnect" | "recheck";

/** Signed contracts (options, by OCC symbol) or shares (stock, by ticker). */
export interface PositionDifference {
  readonly contract: string;
  readonly broker: number;
  readonly engine: number;
  /** Held outside the engine and accepted earlier (adopt policy). */
  readonly adopted: number;
}

export interface ReconciliationReport {
  readonly trigger: ReconciliationTrigger;
  readonly policy: ReconciliationPolicy;
  readonly matched: boolean;
  readonly differences: readonly PositionDifference[];
  /** `halted`: new orders refused; `resumed`: a halt lifted; `adopted`: differences accepted. */
  readonly action: "none" | "halted" | "still_halted" | "resumed" | "adopted";
}

/**
 * The engine's positions per contract, from the Position events the trading operator emits (the
 * latest event of a position replaces the previous one; a closed position holds nothing).
 */
export class EnginePositions {
  readonly #byPosition = new Map<
    string,
    readonly { readonly contract: string; readonly quantity: number }[]
  >();

  apply(p: Position): void {
    if (p.status === "closed") this.#byPosition.delete(p.positionId);
    else
      this.#byPosition.set(
        p.positionId,
        p.legs.map((l) => ({ contract: l.contract, quantity: l.quantity })),
      );
  }

  byContract(): Map<string, number> {
    const out = new Map<string, number>();
    for (const legs of this.#byPosition.values())
      for (const l of legs) out.set(l.contract, (out.get(l.contract) ?? 0) + l.quantity);
    return out;
  }

  snapshot(): [string, { contract: string; quantity: number }[]][] {
    return [...this.#byPosition].map(([id, legs]) => [id, legs.map((l) => ({ ...l }))]);
  }

  restore(snapshot: readonly (readonly [string, readonly { contract: string; quantity: number }[]])[]): void {
    this.#byPosition.clear();
    for (const [id, legs] of snapshot) this.#byPosition.set(id, legs);
  }
}

/** The broker's positions per contract, for one account when the adapter trades one. */
export const brokerPositionsByContract = (
  positions: readonly BrokerPosition[],
  account: string | undefined,
): Map<string, number> => {
  const out = new Map<string, number>();
  for (const p of positions)
    if (account === undefined || p.account === account)
      out.set(p.symbol, (out.get(p.symbol) ?? 0) + p.quantity);
  return out;
};

/** Contracts where the broker holds something other than engine + adopted; sorted by contract. */
export const positionDifferences = (
  broker: ReadonlyMap<string, number>,
  engine: ReadonlyMap<string, number>,
  adopted: ReadonlyMap<string, number>,
): PositionDifference[] => {
  const contracts = new Set([...broker.keys(), ...engine.keys(), ...adopted.keys()]);
  const out: PositionDifference[] = [];
  for (const contract of [...contracts].sort()) {
    const b = broker.get(contract) ?? 0;
    const e = engine.get(contract) ?? 0;
    const a = adopted.get(contract) ?? 0;
    if (b !== e + a) out.push({ contract, broker: b, engine: e, adopted: a });
  }
  return out;
};

/**
 * Compares broker and engine positions and applies the policy. Connect and reconnect always report;
 * rechecks (while halted, on every position change of either side) report only when the halt lifts.
 */
export class PositionReconciler {
  readonly #adopted = new Map<string, number>();
  #halted = false;

  constructor(readonly policy: ReconciliationPolicy) {}

  get halted(): boolean {
    return this.#halted;
  }

  /** Why new orders are refused, while they are. */
  holdReason(): string | undefined {
    return this.#halted
      ? "positions differ from the broker's (reconciliation policy halt): no new orders until they match"
      : undefined;
  }

  adopted(): [string, number][] {
    return [...this.#adopted];
  }

  restoreAdopted(entries: readonly (readonly [string, number])[]): void {
    this.#adopted.clear();
    for (const [c, q] of entries) this.#adopted.set(c, q);
  }

  check(
    trigger: ReconciliationTrigger,
    broker: ReadonlyMap<string, number>,
    engine: ReadonlyMap<string, number>,
  ): ReconciliationReport | undefined {
    const differences = positionDifferences(broker, engine, this.#adopted);
    const matched = differences.length === 0;
    const report = (action: ReconciliationReport["action"]): ReconciliationReport => ({
      trigger,
      policy: this.policy,
      matched,
      differences,
      action,
    });
    if (trigger === "recheck") {
      if (!this.#halted || !matched) return undefined;
      this.#halted = false;
      return report("resumed");
    }
    if (matched) {
      const wasHalted = this.#halted;
      this.#halted = false;
      return report(wasHalted ? "resumed" : "none");
    }
    if (this.policy === "adopt") {
      for (const d of differences) {
        const adopted = d.broker - d.engine;
        if (adopted === 0) this.#adopted.delete(d.contract);
        else this.#adopted.set(d.contract, adopted);
      }
      return report("adopted");
    }
    const wasHalted = this.#halted;
    this.#halted = true;
    return report(wasHalted ? "still_halted" : "halted");
  }
}
