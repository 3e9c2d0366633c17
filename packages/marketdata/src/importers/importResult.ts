import type { DeadLetter, Event, OptionQuote, UnderlyingTick } from "@thetaflow/schemas";
import { decodeEvent } from "@thetaflow/schemas";

/** What an importer made of one vendor file: good events plus refused rows with reasons. */
export interface ImportResult {
  readonly events: Event[];
  readonly deadLetters: DeadLetter[];
}

/** Collects events and dead letters; every event is decoded through its schema before it is kept. */
export class ImportCollector {
  readonly events: Event[] = [];
  readonly deadLetters: DeadLetter[] = [];

  constructor(private readonly nodeId: string) {}

  reject(reason: string, raw: unknown, origin: string, eventTime = 0): void {
    this.deadLetters.push({
      kind: "DeadLetter",
      eventTime,
      seq: this.deadLetters.length + 1,
      nodeId: this.nodeId,
      reason,
      raw: typeof raw === "string" ? raw : JSON.stringify(raw),
      origin,
    });
  }

  /** Keeps `candidate` if it decodes as its schema says, else dead-letters it with the schema's reason. */
  accept(
    candidate: Omit<OptionQuote, "seq"> | Omit<UnderlyingTick, "seq">,
    raw: unknown,
    origin: string,
  ): void {
    const decoded = decodeEvent({ ...candidate, seq: 0 });
    if (decoded.ok) this.events.push(decoded.value);
    else this.reject(decoded.reason, raw, origin, candidate.eventTime);
  }

  result(): ImportResult {
    return { events: sortForReplay(this.events), deadLetters: this.deadLetters };
  }
}

const kindRank: Record<string, number> = {
  UnderlyingTick: 0,
  IndexTick: 0,
  EarningsEvent: 1,
  OptionQuote: 2,
};

/** Replay order: by event time, ticks before quotes at the same time, then input order (stable sort). */
export const sortForReplay = (events: Event[]): Event[] =>
  events
    .map((e, i) => ({ e, i }))
    .sort(
      (a, b) =>
        a.e.eventTime - b.e.eventTime || (kindRank[a.e.kind] ?? 3) - (kindRank[b.e.kind] ?? 3) || a.i - b.i,
    )
    .map((x) => x.e);

/** A finite number from a vendor field, or undefined when it is absent, empty or not numeric. */
export const numberField = (v: unknown): number | undefined => {
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  if (typeof v === "string" && v.trim() !== "") {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
};

/** Option roots whose contracts are European and cash-settled (index options). */
const indexRoots = new Set([
  "SPX",
  "SPXW",
  "XSP",
  "NDX",
  "NDXP",
  "RUT",
  "RUTW",
  "VIX",
  "VIXW",
  "DJX",
  "OEX",
  "XEO",
]);
export const styleForRoot = (
  root: string,
): { style: "american" | "european"; settlement: "physical" | "cash" } =>
  indexRoots.has(root.replace(/^\^/, ""))
    ? { style: "european", settlement: "cash" }
    : { style: "american", settlement: "physical" };

/** The underlying an option root belongs to (weekly index roots map to their index). */
export const underlyingForRoot = (root: string): string =>
  ({ SPXW: "SPX", NDXP: "NDX", RUTW: "RUT", VIXW: "VIX" })[root] ?? root;
