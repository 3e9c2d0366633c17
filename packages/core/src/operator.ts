import type { Event, EventKind, EventOf } from "@thetaflow/schemas";
import type { Schema } from "effect";

/**
 * Where an operator's outputs go. Outputs are buffered until `step` returns; if `step` throws they
 * are discarded with the rest of that step, so a failed event leaves no half-emitted trace.
 * The runtime stamps `seq` on every output (the node's own output counter) — set it to 0.
 */
export interface Emitter<O extends Event> {
  emit(event: O): void;
}

/** What an operator may know besides its state and the event: never wall-clock time. */
export interface OperatorContext {
  /** Stable node id from the topology, e.g. `greeks`; names this node in logs, metrics, dead letters. */
  readonly nodeId: string;
  /** Actor key this state belongs to (per underlying, per contract, or `*` for one portfolio). */
  readonly key: string;
  /** Run seed; derive any randomness from it and keep the generator state in the operator state. */
  readonly seed: number;
}

/**
 * A pure state machine over events: `(state, event) -> (state, outputs)`.
 *
 * Rules the runtime relies on:
 * - `step` must not mutate the `state` it receives: return a new state (or the same reference when
 *   unchanged). The runtime keeps the previous state as the actor's last good state and restores it
 *   when `step` throws; the event then becomes a DeadLetter and the run goes on. The one exception is
 *   an operator with `detach`, whose `step` may update its state in place after its last point of
 *   failure (see `detach`).
 * - No I/O, no `Date.now()`, no `Math.random()`: time is `event.eventTime`, randomness comes from
 *   `ctx.seed`. This is what makes replay deterministic and live == replay.
 * - Events whose kind is not in `consumes` never reach `step`.
 */
export interface OperatorDefinition<P, S, K extends EventKind, O extends Event> {
  /** Registry name, verb-like (`greeks`, `rollingVol`, `riskGate`). */
  readonly name: string;
  readonly description: string;
  /** Parameter schema; unknown fields are errors at validation time. */
  readonly params: Schema.Schema<P, any, never>;
  readonly consumes: ReadonlyArray<K>;
  readonly produces: ReadonlyArray<O["kind"]>;
  /** Actor key of an event: state is kept per key. */
  readonly keyOf: (event: EventOf<K>, params: P) => string;
  readonly init: (params: P, ctx: OperatorContext) => S;
  readonly step: (state: S, event: EventOf<K>, out: Emitter<O>, params: P, ctx: OperatorContext) => S;
  /** Called once per actor when the input ends (replay end), e.g. to flush a last bar. */
  readonly onEnd?: (state: S, out: Emitter<O>, params: P, ctx: OperatorContext) => S;
  /**
   * A copy of `state` sharing nothing that `step` changes: declaring it lets `step` update the state
   * it is given in place (columns filled row by row and refilled cycle after cycle, instead of a new
   * state per event). The runtime holds only each actor's current state and passes every state it
   * hands out (`snapshot`) or takes in (`restore`) through `detach`, so a snapshot never changes
   * under its holder and a restored snapshot can be restored again. Such a `step` changes nothing
   * before its last point of failure: when it throws, the state as it stands stays the actor's state.
   */
  readonly detach?: (state: S) => S;
}

/** The erased form the registry and runtime handle. */
export type AnyOperator = OperatorDefinition<any, any, EventKind, Event>;

/** Identity helper that keeps an operator's generic types checked where it is written. */
export const defineOperator = <P, S, K extends EventKind, O extends Event>(
  def: OperatorDefinition<P, S, K, O>,
): OperatorDefinition<P, S, K, O> => def;
