import type { DeadLetter, Event, EventKind } from "@thetaflow/schemas";
import type { AnyOperator, OperatorDefinition } from "./operator.js";
import { ActorNode } from "./runtime/actorNode.js";

export interface OperatorRun {
  readonly outputs: Event[];
  readonly deadLetters: DeadLetter[];
  readonly node: ActorNode;
}

/**
 * Runs one operator over events exactly as the runtime does (keyed actors, supervision, seq stamping,
 * onEnd), without a topology. For unit tests and benchmarks of single operators.
 */
export const runOperator = <P, S, K extends EventKind, O extends Event>(
  op: OperatorDefinition<P, S, K, O>,
  params: P,
  events: Iterable<Event>,
  options: { readonly nodeId?: string; readonly seed?: number; readonly end?: boolean } = {},
): OperatorRun => {
  const outputs: Event[] = [];
  const deadLetters: DeadLetter[] = [];
  const node = new ActorNode(options.nodeId ?? op.name, op as unknown as AnyOperator, params, {
    seed: options.seed ?? 0,
    mailboxCapacity: 1024,
    deadLetter: (dl) => deadLetters.push(dl),
  });
  node.connect((e) => outputs.push(e));
  for (const e of events) node.push(e);
  if (options.end !== false) node.end();
  return { outputs, deadLetters, node };
};
