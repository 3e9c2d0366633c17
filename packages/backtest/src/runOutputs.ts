import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Event, EventKind, EventOf } from "@thetaflow/schemas";

/** The trading events of a finished run, gathered from every NDJSON file its sinks wrote. */
export interface RunEvents {
  readonly signals: EventOf<"Signal">[];
  readonly intents: EventOf<"OrderIntent">[];
  readonly decisions: EventOf<"RiskDecision">[];
  readonly orders: EventOf<"Order">[];
  readonly fills: EventOf<"Fill">[];
  readonly positions: EventOf<"Position">[];
  readonly snapshots: EventOf<"PortfolioSnapshot">[];
}

const wanted = new Set<EventKind>([
  "Signal",
  "OrderIntent",
  "RiskDecision",
  "Order",
  "Fill",
  "Position",
  "PortfolioSnapshot",
]);

/**
 * Reads `*.ndjson` in a run directory. Lines are the sinks' own encoding of already-validated events,
 * so they are parsed, not re-decoded; an event written by two sinks is kept once (kind, time, seq, id).
 */
export const readRunEvents = (outDir: string, files?: readonly string[]): RunEvents => {
  const names =
    files ??
    readdirSync(outDir)
      .filter((f) => f.endsWith(".ndjson"))
      .sort();
  const r: RunEvents = {
    signals: [],
    intents: [],
    decisions: [],
    orders: [],
    fills: [],
    positions: [],
    snapshots: [],
  };
  const seen = new Set<string>();
  for (const name of names) {
    const text = readFileSync(join(outDir, name), "utf8");
    for (const line of text.split("\n")) {
      if (line === "" || !line.includes('"kind":"')) continue;
      const kind = /"kind":"([A-Za-z]+)"/.exec(line)?.[1] as EventKind | undefined;
      if (kind === undefined || !wanted.has(kind)) continue;
      const e = JSON.parse(line) as Event;
      const id = uniqueIds.has(e.kind)
        ? `${e.kind}|${identity(e)}`
        : `${e.kind}|${e.eventTime}|${e.seq}|${identity(e)}`;
      if (seen.has(id)) continue;
      seen.add(id);
      push(r, e);
    }
  }
  const byTime = (a: Event, b: Event) => a.eventTime - b.eventTime || a.seq - b.seq;
  for (const list of Object.values(r)) (list as Event[]).sort(byTime);
  return r;
};

// Kinds whose id is unique in a run: the same event read from two sinks (or two nodes) counts once.
const uniqueIds = new Set<EventKind>(["Signal", "OrderIntent", "RiskDecision", "Fill"]);

const identity = (e: Event): string => {
  switch (e.kind) {
    case "Signal":
    case "OrderIntent":
      return e.id;
    case "RiskDecision":
      return e.intentId;
    case "Order":
      return `${e.orderId}:${e.status}:${e.filledQuantity}`;
    case "Fill":
      return e.fillId;
    case "Position":
      return e.positionId;
    default:
      return "";
  }
};

const push = (r: RunEvents, e: Event): void => {
  switch (e.kind) {
    case "Signal":
      r.signals.push(e);
      break;
    case "OrderIntent":
      r.intents.push(e);
      break;
    case "RiskDecision":
      r.decisions.push(e);
      break;
    case "Order":
      r.orders.push(e);
      break;
    case "Fill":
      r.fills.push(e);
      break;
    case "Position":
      r.positions.push(e);
      break;
    case "PortfolioSnapshot":
      r.snapshots.push(e);
      break;
    default:
      break;
  }
};
