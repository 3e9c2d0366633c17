import type { CompiledTopology, EventSink, Graph, SinkDefinition } from "@thetaflow/core";
import { DEAD_LETTERS_ID } from "@thetaflow/core";
import type { Event, EventKind } from "@thetaflow/schemas";
import { Schema } from "effect";

/**
 * What live operations watch. Quotes, chains and Greeks are left out on purpose: they are the bulk
 * of the traffic and nothing on the dashboard or in the metrics needs them one by one.
 */
export const TAPPED_KINDS: readonly EventKind[] = [
  "UnderlyingTick",
  "IndexTick",
  "Regime",
  "RegimeTransition",
  "ModelScore",
  "Signal",
  "OrderIntent",
  "RiskDecision",
  "Order",
  "Fill",
  "Position",
  "PortfolioSnapshot",
  "DeadLetter",
];

export const LIVE_TAP_SINK_ID = "live-tap";

export interface TapListener {
  onEvent(event: Event): void;
}

/** Paces or halts the run: asked by the engine between source batches (sink backpressure). */
export interface RunGovernor {
  pressure(): Promise<void> | undefined;
}

/**
 * The one place live operations see engine output. It is an ordinary sink appended to the compiled
 * topology, so the runtime delivers to it exactly as to any other sink; listeners do O(1) work per
 * event and anything slow (WebSocket pushes, alert delivery, disk) happens later at the edge.
 */
export class LiveTap {
  readonly #listeners: TapListener[] = [];
  readonly #graphListeners: ((graph: Graph) => void)[] = [];
  #governor: RunGovernor | undefined;
  #graph: Graph | undefined;

  add(listener: TapListener): this {
    this.#listeners.push(listener);
    return this;
  }

  onGraph(listener: (graph: Graph) => void): this {
    this.#graphListeners.push(listener);
    if (this.#graph !== undefined) listener(this.#graph);
    return this;
  }

  governWith(governor: RunGovernor): this {
    this.#governor = governor;
    return this;
  }

  get graph(): Graph | undefined {
    return this.#graph;
  }

  /** Pass as `onGraph` to runTopology/drive. */
  readonly attachGraph = (graph: Graph): void => {
    this.#graph = graph;
    for (const l of this.#graphListeners) l(graph);
  };

  write(event: Event): void {
    const ls = this.#listeners;
    for (let i = 0; i < ls.length; i++) ls[i]!.onEvent(event);
  }

  pressure(): Promise<void> | undefined {
    return this.#governor?.pressure();
  }

  sinkDefinition(): SinkDefinition<Record<string, never>> {
    const sink: EventSink = {
      write: (event) => this.write(event),
      backpressure: () => this.pressure(),
      flush: async () => {},
      close: async () => {},
      // Writes no files: a run's outputs checksum is the same with or without the tap.
      files: () => [],
    };
    return {
      name: "liveTap",
      description:
        "Feeds metrics, the dashboard, alerts and the audit log (added by --dashboard/--metrics-port)",
      params: Schema.Struct({}),
      open: async () => sink,
    };
  }

  /**
   * The topology plus the tap sink. The tap goes first and lists the sources first, so it subscribes
   * to each source before any node does: it sees an input event before the work that event triggers,
   * which is what the signal/model latency probes rely on.
   */
  instrument(topology: CompiledTopology): CompiledTopology {
    const kinds = new Set(TAPPED_KINDS);
    const nodeInputs = topology.nodes
      .filter((n) => n.op.produces.some((k) => kinds.has(k)))
      .map((n) => n.spec.id);
    let id = LIVE_TAP_SINK_ID;
    const taken = new Set([
      ...topology.sinks.map((s) => s.spec.id),
      ...topology.nodes.map((n) => n.spec.id),
      ...topology.sources.map((s) => s.id),
    ]);
    for (let i = 2; taken.has(id); i++) id = `${LIVE_TAP_SINK_ID}-${i}`;
    const tapSink = {
      spec: {
        id,
        type: "liveTap",
        inputs: [...topology.sources.map((s) => s.id), ...nodeInputs, DEAD_LETTERS_ID],
        kinds: [...TAPPED_KINDS],
        params: {},
      },
      sink: this.sinkDefinition(),
      params: {},
    };
    return { ...topology, sinks: [tapSink, ...topology.sinks] };
  }
}
