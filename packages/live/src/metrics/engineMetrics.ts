import type { Graph } from "@thetaflow/core";
import type { DeadLetter } from "@thetaflow/schemas";
import { Counter, Gauge, type Registry } from "prom-client";

export interface NodeRate {
  readonly node: string;
  readonly eventsInPerSecond: number;
  readonly eventsOutPerSecond: number;
}

/**
 * Engine health read from the running graph: the runtime's own counters (`graph.counters`) and each
 * node's `ActorNode.stats`. Values are read when Prometheus scrapes; the hot path is not touched.
 */
export class EngineMetrics {
  #graph: Graph | undefined;
  #rates: NodeRate[] = [];
  #last: { at: number; in: Map<string, number>; out: Map<string, number> } | undefined;
  readonly #deadLettersByNode: Counter<"node">;
  readonly #consumerLag: Gauge<"topic" | "partition">;
  readonly #replayBacklog: Gauge;
  readonly #eventLag: Gauge;

  constructor(
    registry: Registry,
    private readonly now: () => number = () => performance.now(),
  ) {
    const registers = [registry];
    const graph = () => this.#graph;
    const absolute = (c: Counter<string>, value: number, labels?: Record<string, string>) => {
      // The runtime counts; we mirror its totals (reset + inc keeps the Prometheus counter type).
      if (labels === undefined) c.inc(value);
      else c.inc(labels, value);
    };
    const totals = (name: string, help: string, pick: (g: Graph) => number) =>
      new Counter({
        name,
        help,
        registers,
        collect() {
          const g = graph();
          this.reset();
          absolute(this, g === undefined ? 0 : pick(g));
        },
      });
    totals(
      "thetaflow_events_in_total",
      "Events that entered the engine from sources",
      (g) => g.counters.eventsIn,
    );
    totals(
      "thetaflow_events_out_total",
      "Events delivered to sinks (once per sink)",
      (g) => g.counters.eventsOut,
    );
    totals(
      "thetaflow_dead_letters_total",
      "Dead letters (refused inputs and operator failures)",
      (g) => g.counters.deadLetters,
    );
    const perNode = (
      name: string,
      help: string,
      pick: (s: NonNullable<ReturnType<Graph["nodes"]["get"]>>["stats"]) => number,
    ) =>
      new Counter({
        name,
        help,
        labelNames: ["node"],
        registers,
        collect() {
          const g = graph();
          this.reset();
          if (g !== undefined) for (const [id, n] of g.nodes) absolute(this, pick(n.stats), { node: id });
        },
      });
    perNode("thetaflow_node_events_in_total", "Events each node consumed", (s) => s.eventsIn);
    perNode("thetaflow_node_events_out_total", "Events each node emitted", (s) => s.eventsOut);
    perNode(
      "thetaflow_node_failures_total",
      "Operator failures (each became a dead letter) per node",
      (s) => s.failures,
    );
    const nodeGauge = (
      name: string,
      help: string,
      pick: (s: NonNullable<ReturnType<Graph["nodes"]["get"]>>["stats"]) => number,
    ) =>
      new Gauge({
        name,
        help,
        labelNames: ["node"],
        registers,
        collect() {
          const g = graph();
          this.reset();
          if (g !== undefined) for (const [id, n] of g.nodes) this.set({ node: id }, pick(n.stats));
        },
      });
    nodeGauge("thetaflow_node_actors", "Keyed actors alive per node", (s) => s.actors);
    nodeGauge(
      "thetaflow_node_mailbox_depth_max",
      "Deepest actor mailbox seen per node (high-water mark kept by the runtime)",
      (s) => s.maxMailboxDepth,
    );
    const rates = () => this.#rates;
    new Gauge({
      name: "thetaflow_node_events_per_second",
      help: "Events consumed per second per node over the last sampling interval",
      labelNames: ["node"],
      registers,
      collect() {
        this.reset();
        for (const r of rates()) this.set({ node: r.node }, r.eventsInPerSecond);
      },
    });
    this.#deadLettersByNode = new Counter({
      name: "thetaflow_dead_letters_by_node_total",
      help: "Dead letters by the node or source that refused them",
      labelNames: ["node"],
      registers,
    });
    this.#consumerLag = new Gauge({
      name: "thetaflow_consumer_lag_messages",
      help: "Kafka consumer lag (high watermark - next offset) per partition",
      labelNames: ["topic", "partition"],
      registers,
    });
    this.#replayBacklog = new Gauge({
      name: "thetaflow_replay_backlog_bytes",
      help: "Replay bytes not yet read (the replay source's consumer lag)",
      registers,
    });
    this.#eventLag = new Gauge({
      name: "thetaflow_event_time_lag_seconds",
      help: "Wall clock minus the newest event time delivered (live consumer lag in time)",
      registers,
    });
  }

  attach(graph: Graph): void {
    this.#graph = graph;
    this.#last = undefined;
  }

  /** Samples per-node rates; call on a wall-clock tick at the edge (e.g. every second). */
  sample(): readonly NodeRate[] {
    const g = this.#graph;
    if (g === undefined) return this.#rates;
    const at = this.now();
    const inNow = new Map<string, number>();
    const outNow = new Map<string, number>();
    for (const [id, n] of g.nodes) {
      inNow.set(id, n.stats.eventsIn);
      outNow.set(id, n.stats.eventsOut);
    }
    const last = this.#last;
    if (last !== undefined && at > last.at) {
      const dt = (at - last.at) / 1000;
      this.#rates = [...inNow.keys()].map((node) => ({
        node,
        eventsInPerSecond: (inNow.get(node)! - (last.in.get(node) ?? 0)) / dt,
        eventsOutPerSecond: (outNow.get(node)! - (last.out.get(node) ?? 0)) / dt,
      }));
    }
    this.#last = { at, in: inNow, out: outNow };
    return this.#rates;
  }

  /** Rates from the last `sample()`. */
  get rates(): readonly NodeRate[] {
    return this.#rates;
  }

  onDeadLetter(dl: DeadLetter): void {
    this.#deadLettersByNode.inc({ node: dl.nodeId });
  }

  /** From a Kafka batch: `highWatermark` is the next offset to be written. */
  observeConsumedBatch(batch: {
    readonly topic: string;
    readonly partition: number;
    readonly lastOffset: string;
    readonly highWatermark: string;
  }): void {
    const lag = BigInt(batch.highWatermark) - BigInt(batch.lastOffset) - 1n;
    this.#consumerLag.set(
      { topic: batch.topic, partition: String(batch.partition) },
      Number(lag < 0n ? 0n : lag),
    );
  }

  observeReplayProgress(bytesRead: number, bytesTotal: number): void {
    this.#replayBacklog.set(Math.max(0, bytesTotal - bytesRead));
  }

  observeEventTime(eventTimeUs: number, wallMs: number): void {
    this.#eventLag.set(Math.max(0, wallMs / 1000 - eventTimeUs / 1e6));
  }
}
