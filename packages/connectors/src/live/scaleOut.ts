import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import {
  type ActorStates,
  actorStatesOf,
  type Graph,
  type GraphSnapshot,
  selectActors,
  withActors,
} from "@thetaflow/core";
import type { Admin, Kafka } from "kafkajs";
import type { PartitionedTransactionalProducer } from "../kafka/producer.js";
import type { RunCheckpoint } from "./checkpointStore.js";
import { keyPartitioner } from "./coPartitioning.js";
import type { AssignmentChange, KafkaLiveInput, LiveInputCheckpoint } from "./kafkaLiveInput.js";
import { type PartitionGeneration, PartitionGenerationStore } from "./partitionGenerations.js";
import {
  inputOfPartition,
  nextOffsetsOf,
  type PartitionState,
  PartitionStateStore,
  progressOf,
} from "./partitionStates.js";

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

/** How long a new owner re-reads committed offsets that name a missing state file before failing. */
const MISSING_STATE_WAIT_MS = 15_000;
/** Interval between two reads of the committed offsets that must agree (see #stableCommittedToken). */
const STABLE_READ_MS = 250;

/** Offset metadata of a partition's transactional commit: names the state generation it commits. */
const PARTITION_TAG = "thetaflow-partition:";

type HeldState = Pick<PartitionState, "input" | "actors">;

const emptyState = (): HeldState => ({
  input: { positions: {}, held: [], queued: [], released: Number.NEGATIVE_INFINITY },
  actors: {},
});

/** Exactly-once mode: per-partition transactions and the generations of state they commit. */
interface Transactions {
  readonly producer: PartitionedTransactionalProducer;
  readonly store: PartitionGenerationStore;
  /** Last committed generation per owned partition. */
  readonly generations: Map<number, number>;
}

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
  #tx: Transactions | undefined;
  /** Names this process's state files apart from a fenced zombie's of the same generation. */
  readonly #writer = randomBytes(6).toString("hex");

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

  /**
   * Exactly-once output (call before the run starts): each partition's outputs, offsets and state
   * commit together in that partition's own transaction, and a partition's state is the
   * generation its committed offsets name, never a newer file (docs/live-scaling.md).
   */
  useTransactions(producer: PartitionedTransactionalProducer): void {
    this.#tx = {
      producer,
      store: new PartitionGenerationStore(this.options.stateDir),
      generations: new Map(),
    };
  }

  get exactlyOnce(): boolean {
    return this.#tx !== undefined;
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
      if (this.#tx === undefined) for (const n of change.revoked) this.#save(n, snapshot, taken, true);
      else await this.#commitAndRelease(change.revoked, snapshot, taken);
      graph.restore(selectActors(snapshot, (_, key) => !revoked.has(this.#keyPartition(key))));
    }
    if (change.gained.length > 0) {
      const added: Record<string, (readonly [string, unknown])[]> = {};
      for (const n of change.gained) {
        const state =
          this.#tx === undefined ? ((await this.#take(n)) ?? emptyState()) : await this.#takeCommitted(n);
        input.givePartitions(state.input);
        for (const [nodeId, actors] of Object.entries(state.actors))
          added[nodeId] = [...(added[nodeId] ?? []), ...actors];
        if (this.#tx !== undefined) continue;
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
    this.#checkActorsOwned(checkpoint.graph, owned);
    for (const n of owned) this.#save(n, checkpoint.graph, checkpoint.input, released);
  }

  /**
   * Exactly-once counterpart of `saveOwned`: per owned partition, writes the next generation of
   * its state, then commits its transaction (outputs since the last one, offsets, the
   * generation's token). `released` (clean end) gives every partition up after its commit.
   */
  async commitOwned(checkpoint: RunCheckpoint, owned: ReadonlySet<number>, released: boolean): Promise<void> {
    this.#checkActorsOwned(checkpoint.graph, owned);
    if (released) await this.#commitAndRelease([...owned], checkpoint.graph, checkpoint.input);
    else
      await Promise.all([...owned].map((n) => this.#commitGeneration(n, checkpoint.graph, checkpoint.input)));
  }

  #checkActorsOwned(graph: GraphSnapshot, owned: ReadonlySet<number>): void {
    for (const [nodeId, node] of Object.entries(graph.nodes))
      for (const [key] of node.actors) {
        const p = this.#keyPartition(key);
        if (!owned.has(p))
          throw new Error(
            `node '${nodeId}' holds an actor for key '${key}', which belongs to partition ${p}, not owned here: the node joins keys across partitions (a global actor such as the portfolio) and cannot be scaled out; run it in a single-process stage (docs/live-scaling.md)`,
          );
      }
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
    const shared = await this.#awaitRelease(() => this.store.load(n));
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

  async #commitGeneration(n: number, graph: GraphSnapshot, input: LiveInputCheckpoint): Promise<void> {
    const tx = this.#tx!;
    const part = inputOfPartition(input, n);
    // Nothing consumed yet: the partition's state is the empty one, and there is nothing to commit.
    if (Object.keys(part.positions).length === 0) return;
    const generation = (tx.generations.get(n) ?? 0) + 1;
    const token = `${generation}-${this.#writer}`;
    // The state is on disk before the commit that names it; until the commit it does not count.
    tx.store.save({
      topologyHash: this.options.topologyHash,
      partition: n,
      generation,
      token,
      input: part,
      actors: this.#actorsOf(graph, n),
    });
    await tx.producer.commit(n, {
      groupId: this.options.groupId,
      offsets: nextOffsetsOf(part),
      metadata: `${PARTITION_TAG}${token}`,
    });
    tx.generations.set(n, generation);
    tx.store.pruneBefore(n, generation);
  }

  /** Last commit of partitions this process gives up; the lease says "released" only after it. */
  async #commitAndRelease(
    partitions: readonly number[],
    graph: GraphSnapshot,
    input: LiveInputCheckpoint,
  ): Promise<void> {
    const tx = this.#tx!;
    await Promise.all(partitions.map((n) => this.#commitGeneration(n, graph, input)));
    for (const n of partitions) {
      await tx.producer.release(n);
      tx.generations.delete(n);
      // A lease another member has written since is that member's: a zombie giving up a partition
      // it had nothing to commit for must not mark the current owner's lease released.
      const lease = tx.store.loadLease(n);
      if (lease === undefined || lease.owner === this.#memberId)
        tx.store.saveLease(n, { owner: this.#memberId, released: true });
    }
  }

  /**
   * Exactly-once take-over: wait for the previous owner's release (or its departure from the
   * group), fence it by claiming the partition's transactional id — which also ends its open
   * transaction — and only then read the group's committed offsets: no commit can follow, so the
   * generation they name is the partition's state.
   */
  async #takeCommitted(n: number): Promise<HeldState> {
    const tx = this.#tx!;
    await this.#awaitRelease(() => tx.store.loadLease(n));
    await tx.producer.claim(n);
    tx.store.saveLease(n, { owner: this.#memberId, released: false });
    const token = await this.#stableCommittedToken(n);
    if (token === undefined) {
      tx.generations.set(n, 0);
      return emptyState();
    }
    const state: PartitionGeneration | undefined = tx.store.load(n, token);
    if (state === undefined)
      throw new Error(
        `partition ${n}: the group's offsets were committed with state ${tx.store.pathOf(n, token)}, which is missing (was --state-dir cleared or not shared?)`,
      );
    if (state.topologyHash !== this.options.topologyHash)
      throw new Error(
        `partition state ${tx.store.pathOf(n, token)} belongs to another topology (hash ${state.topologyHash.slice(0, 12)}); use a new group and state directory to start over`,
      );
    tx.generations.set(n, state.generation);
    return state;
  }

  /**
   * The committed token once the group shows the partition's last transaction. A transaction's
   * offsets become visible in the group a moment after its commit returned (the broker writes the
   * commit markers and materialises the offsets asynchronously; kafkajs cannot ask for stable offsets),
   * and the committer deletes older generations right away: offsets read in that window name a
   * generation that is gone, or one that a newer file has replaced. So: read again while the named
   * file is missing (bounded — then the state directory really lacks it), and where a newer
   * generation's file exists (a committed one not yet visible, or an uncommitted leftover), accept
   * the token only after it reads the same twice, STABLE_READ_MS apart.
   */
  async #stableCommittedToken(n: number): Promise<string | undefined> {
    const store = this.#tx!.store;
    const deadline = performance.now() + MISSING_STATE_WAIT_MS;
    let token = await this.#committedToken(n);
    let confirmedNewer = false;
    for (;;) {
      const generation = token === undefined ? 0 : Number.parseInt(token, 10);
      const missing = token !== undefined && !existsSync(store.pathOf(n, token));
      const newer = (store.newestGeneration(n) ?? 0) > generation;
      if ((!missing && !newer) || (!missing && confirmedNewer) || performance.now() > deadline) return token;
      await sleep(STABLE_READ_MS);
      const again = await this.#committedToken(n);
      confirmedNewer = again === token;
      token = again;
    }
  }

  /** The state token the group's offsets of partition number n were last committed with. */
  async #committedToken(n: number): Promise<string | undefined> {
    const committed = await this.admin.fetchOffsets({
      groupId: this.options.groupId,
      topics: [...this.options.topics],
    });
    let best: { generation: number; token: string } | undefined;
    let untagged: string | undefined;
    for (const t of committed)
      for (const p of t.partitions) {
        if (p.partition !== n || p.offset === "-1") continue;
        if (!p.metadata?.startsWith(PARTITION_TAG)) {
          untagged = `${t.topic}/${n}`;
          continue;
        }
        const token = p.metadata.slice(PARTITION_TAG.length);
        const generation = Number.parseInt(token, 10);
        if (best === undefined || generation > best.generation) best = { generation, token };
      }
    // Offsets committed without a state generation (e.g. by a run without exactly-once output):
    // consumption would resume there with no state to match it.
    if (best === undefined && untagged !== undefined)
      throw new Error(
        `group '${this.options.groupId}' has an offset for ${untagged} that no exactly-once partition state belongs to (committed by a run without exactlyOnce?); use a new group to start over`,
      );
    return best?.token;
  }

  async #awaitRelease<T extends { readonly owner: string; readonly released: boolean }>(
    load: () => T | undefined,
  ): Promise<T | undefined> {
    let checkedMembersAt = 0;
    for (;;) {
      const state = load();
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
