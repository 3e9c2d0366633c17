import type { AuditLog } from "../audit/auditLog.js";
import type { LiveLogger } from "../log/logger.js";

export interface KillRequest {
  /** Also close every open position (market orders), not just cancel working orders. */
  readonly flatten: boolean;
  /** Who pulled it: `dashboard`, `cli`, with the auth method. */
  readonly actor: string;
}

export interface KillOutcome {
  readonly target: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** Something the kill switch acts on: the engine (stop feeding it) or a broker (cancel, flatten). */
export type KillTarget = (request: KillRequest) => Promise<string>;

/**
 * The emergency stop: every registered target is told at once; one failing target does not stop the
 * others. The request is audited before anything is touched and the outcome after.
 */
export class KillSwitch {
  readonly #targets = new Map<string, KillTarget>();
  #engagedAt: string | undefined;

  constructor(
    private readonly audit: AuditLog,
    private readonly logger: LiveLogger,
  ) {}

  register(name: string, target: KillTarget): this {
    this.#targets.set(name, target);
    return this;
  }

  unregister(name: string): void {
    this.#targets.delete(name);
  }

  targets(): readonly string[] {
    return [...this.#targets.keys()];
  }

  get engagedAt(): string | undefined {
    return this.#engagedAt;
  }

  async engage(request: KillRequest): Promise<readonly KillOutcome[]> {
    this.#engagedAt ??= new Date().toISOString();
    this.audit.recordManual(request.actor, "kill_switch", {
      phase: "requested",
      flatten: request.flatten,
      targets: [...this.#targets.keys()],
    });
    this.logger.log("warn", "kill switch engaged", { actor: request.actor, flatten: request.flatten });
    const outcomes = await Promise.all(
      [...this.#targets].map(async ([target, act]): Promise<KillOutcome> => {
        try {
          return { target, ok: true, detail: await act(request) };
        } catch (err) {
          return { target, ok: false, detail: err instanceof Error ? err.message : String(err) };
        }
      }),
    );
    this.audit.recordManual(request.actor, "kill_switch", {
      phase: "done",
      flatten: request.flatten,
      outcomes,
    });
    return outcomes;
  }
}
