import {
  type ActorStates,
  actorStatesOf,
  type Graph,
  type GraphSnapshot,
  selectActors,
  withActors,
} from "@thetaflow/core";
import type { Admin, Kafka } from "kafkajs";
import type { RunCheckpoint } from "./checkpointStore.js";
import { keyPartitioner } from "./coPartitioning.js";
import type { AssignmentChange, KafkaLiveInput, LiveInputCheckpoint } from "./kafkaLiveInput.js";
import { inputOfPartition, type PartitionState, PartitionStateStore, progressOf } from "./partitionStates.js";

export interface ScaleOutOptions {
  readonly kafka: Kafka;
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly topologyHash: string;
  /** Directory of the per-partition states, shared by every process of the group. */
  readonly stateDir: string;
  /** This process's own last checkpoint: after a restart, newer than a partition's file if it wrote last. */
  readonly local?: RunCheckpoint;
  /** How often a new owner looks again for the previous owner's release (default 50 ms). */
  readonly pollMs?: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Several engine processes share a consumer group; each actor lives in the process that owns the
 * partition its key hashes to. On a rebalance the old owner flushes its sinks and writes the state
 * of each revoked partition (actors of its keys, positions, held and queued events) marked
 * released, then drops it; the new owner waits for that release (or for the old owner to have left
 * the group: it crashed, and its last periodic state is final), restores it and resumes at its
 * offsets. Revocations are handled before gains, so two processes swapping partitions never wait
 * on each other.
 */
export class ScaleOut {
  readonly #keyPartition: (key: string) => number;
  #local: RunCheckpoint | undefined;
  #graph: Graph | undefined;
  #input: KafkaLiveInput | undefined;
  #flush: () => Promise<unknown> = async () => {};
  #memberId = "";

  private constructor(
    private readonly options: ScaleOutOptions,
    private readonly store: PartitionStateStore,
    private readonly admin: Admin,
    readonly partitions: number,
  ) {
    this.#keyPartition = keyPartitioner(partitions);
    this.#local = options.local;
  }

  /** Checks that the input topics are co-partitioned (same partition count) and opens the state directory. */
  static async open(options: ScaleOutOptions): Promise<ScaleOut> {
    const admin = options.kafka.admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [...options.topics] });
      const counts = new Set(topics.map((t) => t.partitions.length));
      if (counts.size !== 1)
        throw new Error(
          `scale-out needs co-partitioned input topics (same partition count); got ${topics.map((t) => `${t.name}: ${t.partitions.length}`).join(", ")}`,
        );
      return new ScaleOut(options, new PartitionStateStore(options.stateDir), admin, [...counts][0]!);
    } catch (err) {
      await admin.disconnect().catch(() => {});
      throw err;
    }
  }

  /** The partition a key's actors belong to (the one its events are produced to). */
  partitionOfKey(key: string): number {
    return this.#keyPartition(key);
  }

  /** The process's own snapshot without actors: counters and node output sequences stay process-local. */
  processState(): GraphSnapshot | undefined {
    return this.#local === undefined ? undefined : selectActors(this.#local.graph, () => false);
  }

  attach(graph: Graph, input: KafkaLiveInput, flush: () => Promise<unknown>): void {
    this.#graph = graph;
    this.#input = input;
    this.#flush = flush;
  }

  async onAssignment(change: AssignmentChange): Promise<void> {
    const graph = this.#graph!;
    const input = this.#input!;
    this.#memberId = change.memberId;
    if (change.revoked.length > 0) {
      // Outputs up to the cut must be acknowledged before the next owner continues after it.
      await this.#flush();
      const revoked = new Set(change.revoked);
      const snapshot = graph.snapshot();
      const taken = input.takePartitions(revoked);
      for (const n of change.revoked) this.#save(n, snapshot, taken, true);
      graph.restore(selectActors(snapshot, (_, key) => !revoked.has(this.#keyPartition(key))));
    }
    if (change.gained.length > 0) {
      const added: Record<string, (readonly [string, unknown])[]> = {};
      for (const n of change.gained) {
        const state = (await this.#take(n)) ?? {
          input: { positions: {}, held: [], queued: [], released: Number.NEGATIVE_INFINITY },
          actors: {},
        };
        input.givePartitions(state.input);
        for (const [nodeId, actors] of Object.entries(state.actors))
          added[nodeId] = [...(added[nodeId] ?? []), ...actors];
        // Claim it at once: a later owner must now wait for this process's release, not take the
        // previous owner's (older) release.
        this.store.save({
          topologyHash: this.options.topologyHash,
          partition: n,
          owner: change.memberId,
          released: false,
          input: state.input,
          actors: state.actors,
        });
      }
      graph.restore(withActors(graph.snapshot(), added));
    }
  }

  /**
   * Writes the state of every owned partition (after the process's own checkpoint, so a restart
   * finds the newer of the two). `released` on a clean end hands them all to the next owner.
   */
  saveOwned(checkpoint: RunCheckpoint, owned: ReadonlySet<number>, released: boolean): void {
    for (const [nodeId, node] of Object.entries(checkpoint.graph.nodes))
      for (const [key] of node.actors) {
        const p = this.#keyPartition(key);
        if (!owned.has(p))
          throw new Error(
            `node '${nodeId}' holds an actor for key '${key}', which belongs to partition ${p}, not owned here: the node joins keys across partitions (a global actor such as the portfolio) and cannot be scaled out; run it in a single-process stage (docs/live-scaling.md)`,
          );
      }
    for (const n of owned) this.#save(n, checkpoint.graph, checkpoint.input, released);
  }

  async close(): Promise<void> {
    await this.admin.disconnect().catch(() => {});
  }

  #save(n: number, graph: GraphSnapshot, input: LiveInputCheckpoint, released: boolean): void {
    this.store.save({
      topologyHash: this.options.topologyHash,
      partition: n,
      owner: this.#memberId,
      released,
      input: inputOfPartition(input, n),
      actors: this.#actorsOf(graph, n),
    });
  }

  #actorsOf(graph: GraphSnapshot, n: number): ActorStates {
    return actorStatesOf(selectActors(graph, (_, key) => this.#keyPartition(key) === n));
  }

  /** The newest state of a gained partition: the previous owner's release, or this process's own checkpoint. */
  async #take(n: number): Promise<Pick<PartitionState, "input" | "actors"> | undefined> {
    const shared = await this.#awaitRelease(n);
    if (shared !== undefined && shared.topologyHash !== this.options.topologyHash)
      throw new Error(
        `partition state ${this.store.pathOf(n)} belongs to another topology (hash ${shared.topologyHash.slice(0, 12)}); clear the state directory to start over`,
      );
    const local = this.#local;
    const mine =
      local === undefined
        ? undefined
        : { input: inputOfPartition(local.input, n), actors: this.#actorsOf(local.graph, n) };
    if (mine !== undefined && (shared === undefined || progressOf(mine.input) > progressOf(shared.input)))
      return mine;
    return shared;
  }

  async #awaitRelease(n: number): Promise<PartitionState | undefined> {
    let checkedMembersAt = 0;
    for (;;) {
      const state = this.store.load(n);
      if (state === undefined || state.released || state.owner === this.#memberId) return state;
      // Not released: its owner either still works on it (it will release it once it sees its own
      // new assignment) or died, and then its last periodic state is final.
      if (performance.now() - checkedMembersAt > 500) {
        checkedMembersAt = performance.now();
        const { groups } = await this.admin.describeGroups([this.options.groupId]);
        const members = new Set(groups[0]?.members.map((m) => m.memberId) ?? []);
        if (!members.has(state.owner)) return state;
      }
      await sleep(this.options.pollMs ?? 50);
    }
  }
}
