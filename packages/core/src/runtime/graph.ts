import type { DeadLetter, Event, EventKind } from "@thetaflow/schemas";
import { Observable, type OperatorFunction } from "rxjs";
import type { CompiledTopology } from "../topology/compile.js";
import { DEAD_LETTERS_ID } from "../topology/topologySchema.js";
import { ActorNode, type NodeSnapshot } from "./actorNode.js";
import { DirectSubscriber, deliveryTo, FanoutSubject, mergeInputs } from "./fanout.js";

export interface GraphOptions {
  readonly mailboxCapacity?: number;
  /** The write function of each sink id, called for every event it receives (after its kind filter). */
  readonly sinkWriter: (sinkId: string) => (event: Event) => void;
}

export interface GraphCounters {
  /** Events that entered from sources (dead letters excluded). */
  eventsIn: number;
  /** Events delivered to sinks (a fan-out to two sinks counts twice). */
  eventsOut: number;
  deadLetters: number;
}

/** Everything a graph needs to resume exactly: every node's actor states and the run counters. */
export interface GraphSnapshot {
  readonly counters: GraphCounters;
  readonly nodes: Readonly<Record<string, NodeSnapshot>>;
}

export interface Graph {
  readonly nodes: ReadonlyMap<string, ActorNode>;
  readonly counters: GraphCounters;
  snapshot(): GraphSnapshot;
  /** Restores a snapshot taken from a graph of the same topology (same hash), before events flow. */
  restore(snapshot: GraphSnapshot): void;
  /** Starts the sources; resolves when every source has completed and every output has been delivered. */
  run(): Promise<void>;
}

const kindOf = (e: Event): string => e.kind;

/**
 * Runs a chain of ActorNodes as one RxJS operator: synchronous emission, no microtask hop per event.
 * Nodes in a chain call each other directly (operator chaining, as Flink and Kafka Streams do): a
 * node whose only input is the previous node, and which is that node's only reader, needs no
 * Observable between them. End of input flushes the chain front to back.
 */
export const viaActorChain =
  (chain: ReadonlyArray<ActorNode>): OperatorFunction<Event, Event> =>
  (source) =>
    new Observable<Event>((subscriber) => {
      for (let i = 0; i < chain.length - 1; i++) {
        const next = chain[i + 1]!;
        chain[i]!.connect((e) => next.push(e));
      }
      // The teardown (the source subscription returned below) stops the chain's input with `subscriber`.
      chain[chain.length - 1]!.connect(deliveryTo(subscriber));
      const head = chain[0]!;
      return source.subscribe(
        new DirectSubscriber<Event>(
          (e) => head.push(e),
          (err) => subscriber.error(err),
          () => {
            for (const node of chain) node.end();
            subscriber.complete();
          },
          head.consumes,
        ),
      );
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
  const deadLetters = new FanoutSubject<DeadLetter>();
  const toDeadLetters = (dl: DeadLetter) => {
    counters.deadLetters++;
    deadLetters.next({ ...dl, seq: counters.deadLetters - 1 });
  };

  // How many subscribers each stream will get: 0 -> still run it, 1 -> plain chain, >1 -> multicast.
  const consumers = new Map<string, number>();
  for (const n of topology.nodes)
    for (const i of n.spec.inputs) consumers.set(i, (consumers.get(i) ?? 0) + 1);
  for (const s of topology.sinks)
    for (const i of s.spec.inputs) consumers.set(i, (consumers.get(i) ?? 0) + 1);
  const starts: (() => void)[] = [];
  /** Makes `stream` safe to subscribe to `consumers(id)` times with one upstream subscription. */
  const multicast = (id: string, stream: Observable<Event>): Observable<Event> => {
    const count = consumers.get(id) ?? 0;
    if (count === 1) return stream;
    const hub = new FanoutSubject<Event>(kindOf);
    starts.push(
      () =>
        void stream.subscribe(
          new DirectSubscriber<Event>(
            (e) => hub.next(e),
            (err) => hub.error(err),
            () => hub.complete(),
          ),
        ),
    );
    return hub;
  };

  const outputs = new Map<string, Observable<Event>>();
  const sourceDone: Promise<void>[] = [];
  for (const spec of topology.sources) {
    const raw = sources.get(spec.id);
    if (raw === undefined) throw new Error(`no source bound for '${spec.id}'`);
    // Each source feeds a hub its readers subscribe to; dead letters from a source go straight to
    // the dead-letter stream. Completion is observed here, not by an extra subscriber per event.
    const hub = new FanoutSubject<Event>(kindOf);
    let done: { resolve: () => void; reject: (e: unknown) => void } | undefined;
    sourceDone.push(new Promise<void>((resolve, reject) => (done = { resolve, reject })));
    starts.push(
      () =>
        void raw.subscribe(
          new DirectSubscriber<Event>(
            (e) => {
              if (e.kind === "DeadLetter") toDeadLetters(e);
              else {
                counters.eventsIn++;
                hub.next(e);
              }
            },
            (err) => {
              hub.error(err);
              done!.reject(err);
            },
            () => {
              hub.complete();
              done!.resolve();
            },
          ),
        ),
    );
    outputs.set(spec.id, hub);
  }

  const nodes = new Map<string, ActorNode>();
  const sourceIds = new Set(topology.sources.map((s) => s.id));
  // Group nodes into chains; a chain ends where a node fans out, merges inputs, or reads a source.
  const chains: ActorNode[][] = [];
  const chainOf = new Map<string, ActorNode[]>();
  for (const n of topology.nodes) {
    const node = new ActorNode(n.spec.id, n.op, n.params, {
      seed: topology.spec.seed,
      mailboxCapacity: options.mailboxCapacity ?? 1024,
      deadLetter: toDeadLetters,
    });
    nodes.set(n.spec.id, node);
    const only = n.spec.inputs.length === 1 ? n.spec.inputs[0]! : undefined;
    const upstream =
      only !== undefined && !sourceIds.has(only) && consumers.get(only) === 1 ? chainOf.get(only) : undefined;
    const chain = upstream ?? [];
    if (upstream === undefined) chains.push(chain);
    chain.push(node);
    chainOf.set(n.spec.id, chain);
  }
  const specs = new Map(topology.nodes.map((n) => [n.spec.id, n.spec]));
  for (const chain of chains) {
    const head = specs.get(chain[0]!.nodeId)!;
    const tail = chain[chain.length - 1]!.nodeId;
    const input = mergeInputs(head.inputs.map((id) => outputs.get(id)!));
    const out = multicast(tail, input.pipe(viaActorChain(chain)));
    outputs.set(tail, out);
    // A chain nobody reads from still runs: its state and dead letters matter.
    if ((consumers.get(tail) ?? 0) === 0)
      starts.push(
        () =>
          void out.subscribe(
            new DirectSubscriber<Event>(
              () => {},
              () => {},
              () => {},
            ),
          ),
      );
  }

  const sinkDone: Promise<void>[] = [];
  for (const s of topology.sinks) {
    const kinds = s.spec.kinds === undefined ? undefined : new Set<EventKind>(s.spec.kinds);
    const stream = mergeInputs(
      s.spec.inputs.map((id) => (id === DEAD_LETTERS_ID ? deadLetters : outputs.get(id)!)),
    );
    const write = options.sinkWriter(s.spec.id);
    // Kinds come in runs: only a change of kind needs the set.
    let lastKind: string | undefined;
    let lastKindWritten = true;
    sinkDone.push(
      new Promise<void>((resolve, reject) =>
        stream.subscribe(
          new DirectSubscriber<Event>(
            (e) => {
              if (kinds !== undefined && e.kind !== lastKind) {
                lastKind = e.kind;
                lastKindWritten = kinds.has(e.kind);
              }
              if (!lastKindWritten) return;
              counters.eventsOut++;
              write(e);
            },
            reject,
            resolve,
            kinds,
          ),
        ),
      ),
    );
  }

  return {
    nodes,
    counters,
    snapshot: () => ({
      counters: { ...counters },
      nodes: Object.fromEntries([...nodes].map(([id, n]) => [id, n.snapshot()])),
    }),
    restore: (snapshot) => {
      Object.assign(counters, snapshot.counters);
      for (const [id, n] of nodes) {
        const s = snapshot.nodes[id];
        if (s === undefined)
          throw new Error(`snapshot has no state for node '${id}': taken from another topology?`);
        n.restore(s);
      }
    },
    run: async () => {
      // Subscribe upstream only now, downstream-first wiring is complete: no subscriber misses an event.
      for (const start of starts) start();
      // Nodes complete synchronously with their inputs, so once all sources are done nothing can
      // produce a dead letter any more and the dead-letter stream may end.
      const sinksDone = Promise.all(sinkDone);
      // A failed source (or a sink that threw) fails the sinks too; that is reported once, below.
      sinksDone.catch(() => {});
      await Promise.all(sourceDone);
      deadLetters.complete();
      await sinksDone;
    },
  };
};
