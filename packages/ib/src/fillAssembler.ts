import { type CommissionReport, type Contract, type Execution, SecType } from "@stoqey/ib";
import type { Fill, Leg } from "@thetaflow/schemas";
import { occOf } from "./contracts.js";

/** What the assembler needs to know about the order an execution belongs to. */
export interface FillTarget {
  readonly orderId: string;
  readonly underlying: string;
  readonly legs: readonly Leg[];
}

interface Exec {
  readonly execId: string;
  readonly contract?: string;
  readonly shares: number;
  readonly price: number;
  commission?: number;
}

interface PerOrder {
  readonly target: FillTarget;
  /** Combo-level executions (BAG) waiting for their legs. */
  readonly combos: Exec[];
  /** Leg executions not yet part of a Fill. */
  readonly legs: Exec[];
}

/**
 * Turns IB executions into our Fill events. A combo fill arrives as one BAG execution (combo units)
 * plus one execution per leg; a Fill is emitted once every leg's executions for it are in and their
 * commission reports too (commissions come in separate messages), or when the order ends — then with
 * whatever commission is known. Executions are idempotent by execId: after a reconnect TWS replays
 * the day's executions and none is counted twice.
 */
export class FillAssembler {
  readonly #orders = new Map<number, PerOrder>();
  readonly #seen = new Set<string>();
  readonly #byExecId = new Map<string, Exec>();

  constructor(
    private readonly emit: (fill: Fill) => void,
    private readonly nowUs: () => number,
  ) {}

  onExecution(ibOrderId: number, target: FillTarget, contract: Contract, execution: Execution): void {
    const execId = execution.execId;
    if (execId === undefined || this.#seen.has(execId)) return;
    this.#seen.add(execId);
    let o = this.#orders.get(ibOrderId);
    if (o === undefined) {
      o = { target, combos: [], legs: [] };
      this.#orders.set(ibOrderId, o);
    }
    const exec: Exec = {
      execId,
      shares: execution.shares ?? 0,
      price: execution.price ?? 0,
      ...(contract.secType === SecType.BAG ? {} : { contract: occOf(contract) }),
    };
    this.#byExecId.set(execId, exec);
    if (contract.secType === SecType.BAG) o.combos.push(exec);
    else o.legs.push(exec);
    this.#assemble(o, false);
  }

  onCommission(report: CommissionReport): void {
    const exec = report.execId === undefined ? undefined : this.#byExecId.get(report.execId);
    if (exec === undefined || exec.commission !== undefined) return;
    exec.commission = report.commission ?? 0;
    for (const o of this.#orders.values()) if (o.legs.includes(exec)) this.#assemble(o, false);
  }

  /** The order reached a terminal state: emit what is complete even if a commission is still missing. */
  finish(ibOrderId: number): void {
    const o = this.#orders.get(ibOrderId);
    if (o !== undefined) this.#assemble(o, true);
  }

  #assemble(o: PerOrder, final: boolean): void {
    const { legs } = o.target;
    if (legs.length === 1) {
      // One leg: every execution is a fill of `shares / ratio` units.
      const leg = legs[0]!;
      for (let i = 0; i < o.legs.length; ) {
        const e = o.legs[i]!;
        if (e.commission === undefined && !final) {
          i++;
          continue;
        }
        o.legs.splice(i, 1);
        this.#emitFill(o.target, e.execId, e.shares / leg.ratio, [{ leg, execs: [e] }]);
      }
      return;
    }
    while (o.combos.length > 0) {
      const combo = o.combos[0]!;
      const parts: { leg: Leg; execs: Exec[] }[] = [];
      for (const leg of legs) {
        const need = leg.ratio * combo.shares;
        const execs: Exec[] = [];
        let got = 0;
        for (const e of o.legs) {
          if (got >= need) break;
          if (e.contract !== leg.contract || parts.some((p) => p.execs.includes(e))) continue;
          execs.push(e);
          got += e.shares;
        }
        if (got < need) return;
        parts.push({ leg, execs });
      }
      if (!final && parts.some((p) => p.execs.some((e) => e.commission === undefined))) return;
      o.combos.shift();
      for (const p of parts) for (const e of p.execs) o.legs.splice(o.legs.indexOf(e), 1);
      this.#emitFill(o.target, combo.execId, combo.shares, parts);
    }
  }

  #emitFill(
    target: FillTarget,
    execId: string,
    quantity: number,
    parts: readonly { leg: Leg; execs: readonly Exec[] }[],
  ): void {
    const legFills = parts.map(({ leg, execs }) => {
      const shares = execs.reduce((s, e) => s + e.shares, 0);
      const price = shares === 0 ? 0 : execs.reduce((s, e) => s + e.price * e.shares, 0) / shares;
      return {
        contract: leg.contract,
        side: leg.side,
        quantity: shares,
        price: Math.round(price * 1e4) / 1e4,
        ratio: leg.ratio,
      };
    });
    // Net per combo unit per share, our sign: what sold legs bring in minus what bought legs cost.
    const net = legFills.reduce((s, l) => s + (l.side === "sell" ? 1 : -1) * l.price * l.ratio, 0);
    const commission = parts.reduce((s, p) => s + p.execs.reduce((c, e) => c + (e.commission ?? 0), 0), 0);
    this.emit({
      kind: "Fill",
      eventTime: this.nowUs(),
      seq: 0,
      fillId: `${target.orderId}:${execId}`,
      orderId: target.orderId,
      underlying: target.underlying,
      quantity,
      netPrice: Math.round(net * 1e4) / 1e4,
      legs: legFills.map(({ ratio: _r, ...l }) => l),
      commissionCents: Math.round(commission * 100),
    });
  }
}
