import { connectable, filter, merge, Observable, type OperatorFunction, share, Subject } from "rxjs";
import type { DeadLetter, Event, EventKind } from "@thetaflow/schemas";
import type { CompiledTopology } from "../topology/compile.js";
import { DEAD_LETTERS_ID } from "../topology/topologySchema.js";
import { ActorNode } from "./actorNode.js";

export interface GraphOptions {
  readonly mailboxCapacity?: number;
  /** Called for every event a sink receives (after its kind filter). */
  readonly sinkWrite: (sinkId: string, event: Event) => void;
}

export interface GraphCounters {
  /** Events that entered from sources (dead letters excluded). */
  eventsIn: number;
  /** Events delivered to sinks (a fan-out to two sinks counts twice). */
  eventsOut: number;
  deadLetters: number;
}

export interface Graph {
  readonly nodes: ReadonlyMap<string, ActorNode>;
  readonly counters: GraphCounters;
  /** Starts the sources; resolves when every source has completed and every output has been delivered. */
  run(): Promise<void>;
}

/** Runs an ActorNode as an RxJS operator: synchronous emission, no microtask hop per event. */
export const viaActorNode =
  (node: ActorNode): OperatorFunction<Event, Event> =>
  (source) =>
    new Observable<Event>((subscriber) => {
      node.connect((e) => subscriber.next(e));
      return source.subscribe({
        next: (e) => node.push(e),
        error: (err) => subscriber.error(err),
        complete: () => {
          node.end();
          subscriber.complete();
        },
      });
    });

/**
 * Wires a compiled topology into an RxJS graph. Every node's output is shared (one actor set per
 * node whatever the fan-out); sources are connectable and start only after everything is wired, so
 * no subscriber misses an event and the delivery order is fixed by the graph, not by timing.
 */
export const buildGraph = (
  topology: CompiledTopology,
  sources: ReadonlyMap<string, Observable<Event>>,
  options: GraphOptions,
): Graph => {
  const counters: GraphCounters = { eventsIn: 0, eventsOut: 0, deadLetters: 0 };
  const deadLetters = new Subject<DeadLetter>();
  const toDeadLetters = (dl: DeadLetter) => {
    counters.deadLetters++;
    deadLetters.next({ ...dl, seq: counters.deadLetters - 1 });
  };

  const outputs = new Map<string, Observable<Event>>();
  const connectors: (() => void)[] = [];
  const sourceDone: Promise<void>[] = [];
  for (const spec of topology.sources) {
    const raw = sources.get(spec.id);
    if (raw === undefined) throw new Error(`no source bound for '${spec.id}'`);
    const routed = new Observable<Event>((subscriber) =>
      raw.subscribe({
        next: (e) => {
          if (e.kind === "DeadLetter") toDeadLetters(e);
          else {
            counters.eventsIn++;
            subscriber.next(e);
          }
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      }),
    );
    const hot = connectable(routed, { connector: () => new Subject<Event>(), resetOnDisconnect: false });
    outputs.set(spec.id, hot);
    sourceDone.push(new Promise<void>((resolve, reject) => hot.subscribe({ error: reject, complete: resolve })));
    connectors.push(() => hot.connect());
  }

  const nodes = new Map<string, ActorNode>();
  for (const n of topology.nodes) {
    const node = new ActorNode(n.spec.id, n.op, n.params, {
      seed: topology.spec.seed,
      mailboxCapacity: options.mailboxCapacity ?? 1024,
      deadLetter: toDeadLetters,
    });
    nodes.set(n.spec.id, node);
    const inputs = n.spec.inputs.map((id) => outputs.get(id)!);
    const input = inputs.length === 1 ? inputs[0]! : merge(...inputs);
    const out = input.pipe(viaActorNode(node), share());
    outputs.set(n.spec.id, out);
    // A node nobody reads from still runs: its state and dead letters matter.
    out.subscribe({ error: () => {} });
  }

  const sinkDone: Promise<void>[] = [];
  for (const s of topology.sinks) {
    const kinds = s.spec.kinds === undefined ? undefined : new Set<EventKind>(s.spec.kinds);
    const inputs = s.spec.inputs.map((id) => (id === DEAD_LETTERS_ID ? deadLetters : outputs.get(id)!));
    const input = inputs.length === 1 ? inputs[0]! : merge(...inputs);
    const stream = kinds === undefined ? input : input.pipe(filter((e) => kinds.has(e.kind)));
    const id = s.spec.id;
    sinkDone.push(
      new Promise<void>((resolve, reject) =>
        stream.subscribe({
          next: (e) => {
            counters.eventsOut++;
            options.sinkWrite(id, e);
          },
          error: reject,
          complete: resolve,
        }),
      ),
    );
  }

  return {
    nodes,
    counters,
    run: async () => {
      for (const connect of connectors) connect();
      // Nodes complete synchronously with their inputs, so once all sources are done nothing can
      // produce a dead letter any more and the dead-letter stream may end.
      await Promise.all(sourceDone);
      deadLetters.complete();
      await Promise.all(sinkDone);
    },
  };
};
