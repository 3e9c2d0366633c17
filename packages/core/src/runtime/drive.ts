import type { Event } from "@thetaflow/schemas";
import type { EventSink } from "../sink.js";
import type { CompiledTopology } from "../topology/compile.js";
import { directDelivery, FanoutSubject } from "./fanout.js";
import { buildGraph, type Graph } from "./graph.js";
import { type EventBatches, type MergedRun, mergeOrdered } from "./merge.js";

export interface DriveOptions {
  readonly topology: CompiledTopology;
  /**
   * Either one ordered batch stream per topology source id (replay: merged here), or one stream
   * already merged across sources in (eventTime, source rank, seq) order (live: see PartitionWatermark).
   */
  readonly sources: ReadonlyMap<string, EventBatches> | { readonly merged: AsyncIterable<MergedRun> };
  readonly sinks: ReadonlyMap<string, EventSink>;
  readonly mailboxCapacity?: number;
  /** Called after each delivered batch with the event time reached (stream time, not wall time). */
  readonly onProgress?: (progress: { readonly eventsIn: number; readonly eventTime: number }) => void;
  /** Called with the graph before any event flows (metrics, dashboards, checkpoints attach here). */
  readonly onGraph?: (graph: Graph) => void;
  /** Awaited after each delivered run, when no event is in flight: the place to flush and checkpoint. */
  readonly afterRun?: (graph: Graph) => Promise<void> | undefined;
}

/**
 * Runs a compiled topology to the end of its sources. All sources are merged into one stream by
 * (eventTime, source rank) before anything reaches an operator: the stream clock is the merged
 * event time, so the same inputs always produce the same outputs, live or replay.
 */
export const drive = async (options: DriveOptions): Promise<Graph> => {
  const { topology, sinks } = options;
  const subjects = new Map(topology.sources.map((s) => [s.id, new FanoutSubject<Event>()]));
  const graph = buildGraph(topology, subjects, {
    mailboxCapacity: options.mailboxCapacity,
    sinkWriter: (sinkId) => {
      const sink = sinks.get(sinkId)!;
      return (event) => sink.write(event);
    },
  });
  options.onGraph?.(graph);
  const done = graph.run();
  const inputs = options.sources;
  const runs =
    "merged" in inputs
      ? (inputs.merged as AsyncIterable<MergedRun>)
      : mergeOrdered(
          topology.sources.map((s) => {
            const batches = (inputs as ReadonlyMap<string, EventBatches>).get(s.id);
            if (batches === undefined) throw new Error(`source '${s.id}' has no input bound for this run`);
            return batches;
          }),
        );
  const inputSubjects = topology.sources.map((s) => subjects.get(s.id)!);
  // `graph.run()` has subscribed the graph to every input by now, and only this function ends them.
  const deliveries = inputSubjects.map((s) => directDelivery(s));
  try {
    for await (const run of runs) {
      const deliver = deliveries[run.input]!;
      const events = run.events;
      for (let i = 0; i < events.length; i++) deliver(events[i]!);
      options.onProgress?.({
        eventsIn: graph.counters.eventsIn,
        eventTime: events[events.length - 1]!.eventTime,
      });
      for (const sink of sinks.values()) {
        const pressure = sink.backpressure?.();
        if (pressure !== undefined) await pressure;
      }
      const after = options.afterRun?.(graph);
      if (after !== undefined) await after;
    }
  } catch (err) {
    for (const s of inputSubjects) s.error(err);
    await done.catch(() => {});
    throw err;
  }
  for (const s of inputSubjects) s.complete();
  await done;
  return graph;
};
