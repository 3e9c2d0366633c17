import { Counter, Gauge, type Registry } from "prom-client";

/** Broker-side health: how many contracts disagree with the engine, and how reconciliations went. */
export class BrokerMetrics {
  readonly mismatchedContracts: Gauge<"broker">;
  readonly reconciliations: Counter<"broker" | "result">;
  readonly ordersHeld: Gauge<"broker">;

  constructor(registry: Registry) {
    this.mismatchedContracts = new Gauge({
      name: "thetaflow_position_mismatch_contracts",
      help: "Contracts whose broker position differs from the engine's at the last reconciliation",
      labelNames: ["broker"],
      registers: [registry],
    });
    this.reconciliations = new Counter({
      name: "thetaflow_position_reconciliations_total",
      help: "Position reconciliations with the broker, by result (matched, halted, adopted, resumed)",
      labelNames: ["broker", "result"],
      registers: [registry],
    });
    this.ordersHeld = new Gauge({
      name: "thetaflow_broker_orders_held",
      help: "1 while new orders to this broker are held because positions disagree",
      labelNames: ["broker"],
      registers: [registry],
    });
  }
}
