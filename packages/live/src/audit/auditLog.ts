import { createHash } from "node:crypto";
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  statSync,
  writeSync,
} from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import type { Event } from "@thetaflow/schemas";
import type { Redactor } from "../secrets/redactor.js";

export type AuditAction = "risk_decision" | "order" | "cancel" | "manual" | "reconciliation";

export interface AuditEntry {
  readonly seq: number;
  /** Wall-clock time the entry was recorded (ISO 8601). */
  readonly ts: string;
  readonly action: AuditAction;
  /** Who did it: `engine` for events, `dashboard`/`cli` plus the auth method for people. */
  readonly actor: string;
  readonly subject: string;
  readonly eventTime?: number;
  readonly details: Readonly<Record<string, unknown>>;
  /** Hash of the previous entry: editing or deleting a line breaks the chain after it. */
  readonly prev: string;
  readonly hash: string;
}

export const defaultAuditFile = (env: NodeJS.ProcessEnv = process.env): string =>
  env.THETAFLOW_AUDIT_LOG ??
  join(env.XDG_STATE_HOME ?? join(homedir(), ".local", "state"), "thetaflow", "audit.ndjson");

const GENESIS = "0".repeat(64);
/** Entries are a few hundred bytes; the last one always fits. */
const TAIL_BYTES = 64 * 1024;
const digest = (prev: string, body: string) => createHash("sha256").update(prev).update(body).digest("hex");

/**
 * Append-only audit trail of every risk decision, order, cancel and manual action. The file is opened
 * with O_APPEND and never truncated or rewritten; entries are hash-chained across runs. Engine events
 * are buffered and written in one syscall per flush (the tap must not block the engine); manual
 * actions are written and fsynced before the action is reported done.
 */
export class AuditLog {
  readonly #fd: number;
  #prev: string;
  #seq: number;
  #pending: string[] = [];
  #closed = false;

  constructor(
    readonly file: string,
    private readonly redactor: Redactor,
    private readonly now: () => Date = () => new Date(),
  ) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const last = existsSync(file) ? lastEntry(file) : undefined;
    this.#prev = last?.hash ?? GENESIS;
    this.#seq = last === undefined ? 0 : last.seq + 1;
    this.#fd = openSync(file, "a", 0o600);
  }

  record(
    action: AuditAction,
    actor: string,
    subject: string,
    details: Readonly<Record<string, unknown>>,
    eventTime?: number,
  ): AuditEntry {
    const base = {
      seq: this.#seq++,
      ts: this.now().toISOString(),
      action,
      actor,
      subject,
      eventTime,
      details,
      prev: this.#prev,
    };
    // Redact before hashing so the chain verifies against what is on disk.
    const body = this.redactor.redact(JSON.stringify(base));
    const hash = digest(this.#prev, body);
    this.#prev = hash;
    this.#pending.push(`${body.slice(0, -1)},"hash":"${hash}"}\n`);
    return { ...(JSON.parse(body) as Omit<AuditEntry, "hash">), hash };
  }

  /** Records the audit-relevant events (decisions, orders, cancels); ignores the rest. `actor`: who emitted it (`ib:<sink>` for a broker's own reports). */
  recordEvent(event: Event, actor = "engine"): void {
    switch (event.kind) {
      case "RiskDecision":
        this.record(
          "risk_decision",
          actor,
          event.intentId,
          {
            underlying: event.underlying,
            accepted: event.accepted,
            quantity: event.quantity,
            reasons: event.reasons,
            tradingState: event.tradingState,
          },
          event.eventTime,
        );
        return;
      case "Order":
        this.record(
          event.status === "cancelled" ? "cancel" : "order",
          actor,
          event.orderId,
          {
            intentId: event.intentId,
            underlying: event.underlying,
            status: event.status,
            quantity: event.quantity,
            filledQuantity: event.filledQuantity,
            limitPrice: event.limitPrice,
            legs: event.legs.map((l) => `${l.side} ${l.ratio} ${l.contract}`),
            ...(event.reason === undefined ? {} : { reason: event.reason }),
          },
          event.eventTime,
        );
        return;
      default:
        return;
    }
  }

  /** A person's action: written through to disk before returning. */
  recordManual(actor: string, subject: string, details: Readonly<Record<string, unknown>>): AuditEntry {
    const entry = this.record("manual", actor, subject, details);
    this.flush();
    fsyncSync(this.#fd);
    return entry;
  }

  flush(): void {
    if (this.#pending.length === 0 || this.#closed) return;
    const text = this.#pending.join("");
    this.#pending = [];
    writeSync(this.#fd, text);
  }

  close(): void {
    if (this.#closed) return;
    this.flush();
    this.#closed = true;
    closeSync(this.#fd);
  }
}

/** The last entry, read from the file's tail: the log only grows, reopening must not read all of it. */
const lastEntry = (file: string): { seq: number; hash: string } | undefined => {
  const size = statSync(file).size;
  if (size === 0) return undefined;
  const length = Math.min(size, TAIL_BYTES);
  const buf = Buffer.alloc(length);
  const fd = openSync(file, "r");
  try {
    readSync(fd, buf, 0, length, size - length);
  } finally {
    closeSync(fd);
  }
  const lines = buf.toString("utf8").trimEnd().split("\n");
  const line = lines[lines.length - 1];
  if (line === undefined || line === "") return undefined;
  const e = JSON.parse(line) as { seq: number; hash: string };
  return { seq: e.seq, hash: e.hash };
};

/** Checks the hash chain of an audit file; returns the seq of the first broken entry, or undefined. */
export const verifyAuditFile = (file: string): number | undefined => {
  let prev = GENESIS;
  for (const line of readFileSync(file, "utf8").trimEnd().split("\n")) {
    if (line === "") continue;
    const { hash, ...rest } = JSON.parse(line) as AuditEntry;
    if (rest.prev !== prev || digest(prev, JSON.stringify(rest)) !== hash) return rest.seq;
    prev = hash;
  }
  return undefined;
};
