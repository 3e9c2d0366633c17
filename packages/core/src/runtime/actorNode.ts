import type { DeadLetter, Event, EventKind } from "@thetaflow/schemas";
import type { AnyOperator, Emitter, OperatorContext } from "../operator.js";
import { Mailbox } from "./mailbox.js";

interface Actor {
  readonly ctx: OperatorContext;
  /** Last good state: what `step` returned for the last event that did not throw. */
  state: unknown;
  readonly mailbox: Mailbox<Event>;
  busy: boolean;
}

export interface ActorNodeOptions {
  readonly seed: number;
  readonly mailboxCapacity: number;
  readonly deadLetter: (dl: DeadLetter) => void;
}

export interface NodeSnapshot {
  readonly seq: number;
  readonly lastEventTime: number;
  readonly actors: ReadonlyArray<readonly [string, unknown]>;
}

export interface NodeStats {
  eventsIn: number;
  eventsOut: number;
  failures: number;
  actors: number;
  maxMailboxDepth: number;
}

const includesKind = (kinds: readonly string[], kind: string): boolean => {
  for (let i = 0; i < kinds.length; i++) if (kinds[i] === kind) return true;
  return false;
};

const describe = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));

/**
 * One topology node: an operator run as keyed actors. Each key's state is private to its actor; an
 * actor that throws keeps its last good state (the operator contract forbids mutating the state it
 * was given) and the event becomes a DeadLetter naming this node — the run goes on.
 *
 * Delivery is run-to-completion: an event is processed the moment it arrives unless its actor is
 * already busy (re-entrant delivery), in which case it waits in the actor's bounded mailbox.
 */
export class ActorNode {
  readonly stats: NodeStats = { eventsIn: 0, eventsOut: 0, failures: 0, actors: 0, maxMailboxDepth: 0 };
  readonly #actors = new Map<string, Actor>();
  readonly #consumes: ReadonlySet<EventKind>;
  readonly #keyOf: AnyOperator["keyOf"];
  readonly #pending: Event[] = [];
  #pendingCount = 0;
  readonly #emitter: Emitter<Event>;
  #downstream: (event: Event) => void = () => {};
  #seq = 0;
  #lastEventTime = 0;
  #lastKey: string | undefined;
  #lastActor: Actor | undefined;
  /**
   * `consumes` as an array: an operator takes a few kinds, and comparing interned strings is cheaper
   * than a set look-up (caching the last kind does not help: ivSurface's kinds alternate per event).
   */
  readonly #consumedKinds: readonly string[];

  constructor(
    readonly nodeId: string,
    private readonly op: AnyOperator,
    private readonly params: unknown,
    private readonly options: ActorNodeOptions,
  ) {
    this.#consumes = new Set(op.consumes);
    this.#consumedKinds = [...this.#consumes];
    this.#keyOf = op.keyOf;
    const pending = this.#pending;
    this.#emitter = {
      emit: (event) => {
        pending[this.#pendingCount++] = event;
      },
    };
  }

  /** The event kinds `push` does anything with (the operator's `consumes`). */
  get consumes(): ReadonlySet<EventKind> {
    return this.#consumes;
  }

  connect(downstream: (event: Event) => void): void {
    this.#downstream = downstream;
  }

  push(event: Event): void {
    if (!includesKind(this.#consumedKinds, event.kind)) return;
    this.stats.eventsIn++;
    this.#lastEventTime = event.eventTime;
    const key = this.#keyOf(event, this.params);
    const actor = key === this.#lastKey ? this.#lastActor! : this.#actorFor(key);
    if (actor.busy) {
      if (!actor.mailbox.offer(event)) {
        this.#deadLetter(
          event,
          `mailbox of actor '${actor.ctx.key}' full (capacity ${actor.mailbox.capacity})`,
        );
      } else if (actor.mailbox.size > this.stats.maxMailboxDepth) {
        this.stats.maxMailboxDepth = actor.mailbox.size;
      }
      return;
    }
    // No try/finally here: #process contains operator failures itself, and anything else (a sink
    // throwing downstream) fails the whole run, after which `busy` no longer matters.
    actor.busy = true;
    this.#process(actor, event);
    if (actor.mailbox.size > 0)
      for (let next = actor.mailbox.poll(); next !== undefined; next = actor.mailbox.poll())
        this.#process(actor, next);
    actor.busy = false;
  }

  /** End of input: let every actor flush, in key order so the output order never depends on arrival. */
  end(): void {
    const onEnd = this.op.onEnd;
    if (onEnd === undefined) return;
    for (const key of [...this.#actors.keys()].sort()) {
      const actor = this.#actors.get(key)!;
      try {
        actor.state = onEnd(actor.state, this.#emitter, this.params, actor.ctx);
        this.#flush();
      } catch (err) {
        this.#pendingCount = 0;
        this.stats.failures++;
        this.#deadLetterRaw(
          this.#lastEventTime,
          JSON.stringify({ endOfInput: key }),
          `operator '${this.op.name}' onEnd threw: ${describe(err)}`,
        );
      }
    }
  }

  #process(actor: Actor, event: Event): void {
    try {
      actor.state = this.op.step(actor.state, event, this.#emitter, this.params, actor.ctx);
    } catch (err) {
      this.#pendingCount = 0;
      this.stats.failures++;
      this.#deadLetter(event, `operator '${this.op.name}' threw: ${describe(err)}`);
      return;
    }
    this.#flush();
  }

  #flush(): void {
    const n = this.#pendingCount;
    if (n === 0) return;
    this.#pendingCount = 0;
    const pending = this.#pending;
    // Outputs are fresh objects owned by the runtime from here on; stamping seq keeps their order stable.
    for (let i = 0; i < n; i++) {
      const out = pending[i] as { seq: number } & Event;
      out.seq = this.#seq++;
      this.#downstream(out);
    }
    this.stats.eventsOut += n;
  }

  /** Quotes arrive in bursts per underlying, so `push` checks the last actor first. */
  #actorFor(key: string): Actor {
    let actor = this.#actors.get(key);
    if (actor === undefined) {
      const ctx: OperatorContext = { nodeId: this.nodeId, key, seed: this.options.seed };
      actor = {
        ctx,
        state: this.op.init(this.params, ctx),
        mailbox: new Mailbox(this.options.mailboxCapacity),
        busy: false,
      };
      this.#actors.set(key, actor);
      this.stats.actors++;
    }
    this.#lastKey = key;
    this.#lastActor = actor;
    return actor;
  }

  #deadLetter(event: Event, reason: string): void {
    this.#deadLetterRaw(event.eventTime, JSON.stringify(event), reason);
  }

  #deadLetterRaw(eventTime: number, raw: string, reason: string): void {
    this.options.deadLetter({ kind: "DeadLetter", eventTime, seq: 0, nodeId: this.nodeId, reason, raw });
  }

  /**
   * Actor states by key (sorted), plus the output counter: enough to resume this node exactly. States
   * go through the operator's `detach`, so later steps never change what a snapshot holds.
   */
  snapshot(): NodeSnapshot {
    const keys = [...this.#actors.keys()].sort();
    const detach = this.op.detach;
    return {
      seq: this.#seq,
      lastEventTime: this.#lastEventTime,
      actors: keys.map((k) => {
        const state = this.#actors.get(k)!.state;
        return [k, detach === undefined ? state : detach(state)];
      }),
    };
  }

  restore(snapshot: NodeSnapshot): void {
    this.#seq = snapshot.seq;
    this.#lastEventTime = snapshot.lastEventTime;
    this.#actors.clear();
    this.#lastKey = undefined;
    this.#lastActor = undefined;
    this.stats.actors = 0;
    // A snapshot may be restored more than once (or into several graphs): each gets its own storage.
    const detach = this.op.detach;
    for (const [key, state] of snapshot.actors)
      this.#actorFor(key).state = detach === undefined ? state : detach(state);
  }
}
