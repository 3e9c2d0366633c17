import type { NodeSnapshot } from "./actorNode.js";
import type { GraphSnapshot } from "./graph.js";

/** Picks actors by node and key, e.g. "the keys that hash to Kafka partition 3". */
export type ActorPredicate = (nodeId: string, key: string) => boolean;

/**
 * The actors of a graph snapshot that `keep` selects; node counters (output seq, last event time)
 * and run counters are kept as they are. This is how one process hands the state of some keys to
 * another: `Graph.restore(selectActors(g.snapshot(), stays))` drops the rest from a running graph
 * (between runs, when no event is in flight), and the selected part travels to the new owner.
 */
export const selectActors = (snapshot: GraphSnapshot, keep: ActorPredicate): GraphSnapshot => ({
  counters: { ...snapshot.counters },
  nodes: Object.fromEntries(
    Object.entries(snapshot.nodes).map(([nodeId, node]): [string, NodeSnapshot] => [
      nodeId,
      { ...node, actors: node.actors.filter(([key]) => keep(nodeId, key)) },
    ]),
  ),
});

/** Actor states per node, without the node or run counters: what travels with a partition. */
export type ActorStates = Readonly<Record<string, ReadonlyArray<readonly [string, unknown]>>>;

export const actorStatesOf = (snapshot: GraphSnapshot): ActorStates =>
  Object.fromEntries(Object.entries(snapshot.nodes).map(([id, n]) => [id, n.actors]));

/**
 * `snapshot` with `added` actors merged in (keys kept sorted, as ActorNode snapshots are). Both
 * must come from the same topology; an actor present on both sides means two processes computed
 * the same key, which a correct partition assignment never does, so it is an error.
 */
export const withActors = (snapshot: GraphSnapshot, added: ActorStates): GraphSnapshot => {
  const nodes: Record<string, NodeSnapshot> = {};
  for (const [nodeId, node] of Object.entries(snapshot.nodes)) {
    const extra = added[nodeId] ?? [];
    if (extra.length === 0) {
      nodes[nodeId] = node;
      continue;
    }
    const have = new Set(node.actors.map(([k]) => k));
    for (const [key] of extra)
      if (have.has(key)) throw new Error(`node '${nodeId}' already has an actor for key '${key}'`);
    const actors = [...node.actors, ...extra].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    nodes[nodeId] = { ...node, actors };
  }
  for (const nodeId of Object.keys(added))
    if (snapshot.nodes[nodeId] === undefined)
      throw new Error(`actor states for node '${nodeId}', which this topology does not have`);
  return { counters: { ...snapshot.counters }, nodes };
};
