import { nyIsoDate } from "@thetaflow/operators";
import type { Fill, OrderIntent, Position } from "@thetaflow/schemas";

/** One round trip: a position from its first opening fill to the event that closed it. */
export interface Trade {
  readonly positionId: string;
  readonly underlying: string;
  readonly strategy: string;
  /** Regime the opening intent was sized in. */
  readonly regime: string;
  readonly openedAt: number;
  readonly closedAt: number;
  readonly entryDate: string;
  readonly exitDate: string;
  readonly holdingDays: number;
  readonly units: number;
  /** Net premium per unit per share at entry: positive credit, negative debit. */
  readonly entryNetPrice: number;
  readonly commissionCents: number;
  /** Realized P&L net of commissions, integer cents. */
  readonly pnlCents: number;
  readonly exitReason: string;
  readonly legs: string;
}

const dayMs = 86_400_000;

/**
 * Joins the trading operator's outputs into closed trades: a closed Position gives the P&L and exit
 * reason; its opening intent (positionId `pos:<intentId>`) the regime; its opening fills the entry
 * time, size, price and commissions.
 */
export const buildTrades = (events: {
  readonly positions: readonly Position[];
  readonly intents: readonly OrderIntent[];
  readonly fills: readonly Fill[];
}): Trade[] => {
  const intents = new Map(events.intents.filter((i) => i.purpose === "open").map((i) => [i.id, i]));
  const fillsByIntent = new Map<string, Fill[]>();
  const commissionByPosition = new Map<string, number>();
  for (const f of events.fills) {
    const intentId = f.orderId.slice(0, f.orderId.lastIndexOf("#"));
    const list = fillsByIntent.get(intentId);
    if (list === undefined) fillsByIntent.set(intentId, [f]);
    else list.push(f);
    // Closing intents are `close:<positionId>:<attempt>`; opening ones are the position id minus `pos:`.
    const positionId = intentId.startsWith("close:")
      ? intentId.slice(6, intentId.lastIndexOf(":"))
      : `pos:${intentId}`;
    commissionByPosition.set(positionId, (commissionByPosition.get(positionId) ?? 0) + f.commissionCents);
  }
  const trades: Trade[] = [];
  for (const p of events.positions) {
    if (p.status !== "closed") continue;
    const intentId = p.positionId.startsWith("pos:") ? p.positionId.slice(4) : p.positionId;
    const intent = intents.get(intentId);
    const opens = fillsByIntent.get(intentId) ?? [];
    const units = opens.reduce((a, f) => a + f.quantity, 0);
    const openedAt = opens[0]?.eventTime ?? intent?.eventTime ?? p.eventTime;
    const entryNetPrice = units > 0 ? opens.reduce((a, f) => a + f.netPrice * f.quantity, 0) / units : 0;
    const entryDate = nyIsoDate(openedAt);
    const exitDate = nyIsoDate(p.eventTime);
    trades.push({
      positionId: p.positionId,
      underlying: p.underlying,
      strategy: p.strategy,
      regime: intent?.regime ?? "unknown",
      openedAt,
      closedAt: p.eventTime,
      entryDate,
      exitDate,
      holdingDays: Math.round((Date.parse(exitDate) - Date.parse(entryDate)) / dayMs),
      units,
      entryNetPrice: Math.round(entryNetPrice * 1e4) / 1e4,
      commissionCents: commissionByPosition.get(p.positionId) ?? 0,
      pnlCents: p.realizedPnlCents,
      exitReason: p.exitReason ?? "",
      legs: p.legs.map((l) => `${l.right === "call" ? "C" : "P"}${l.strike}@${l.expiry}`).join(" "),
    });
  }
  return trades.sort((a, b) => a.closedAt - b.closedAt || (a.positionId < b.positionId ? -1 : 1));
};

const csvCell = (v: string | number): string => {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

const columns: ReadonlyArray<[string, (t: Trade) => string | number]> = [
  ["position_id", (t) => t.positionId],
  ["underlying", (t) => t.underlying],
  ["strategy", (t) => t.strategy],
  ["regime", (t) => t.regime],
  ["entry_date", (t) => t.entryDate],
  ["exit_date", (t) => t.exitDate],
  ["holding_days", (t) => t.holdingDays],
  ["units", (t) => t.units],
  ["entry_net_price", (t) => t.entryNetPrice],
  ["commission", (t) => (t.commissionCents / 100).toFixed(2)],
  ["pnl", (t) => (t.pnlCents / 100).toFixed(2)],
  ["exit_reason", (t) => t.exitReason],
  ["legs", (t) => t.legs],
];

export const tradesCsv = (trades: readonly Trade[]): string =>
  `${[columns.map(([h]) => h).join(","), ...trades.map((t) => columns.map(([, f]) => csvCell(f(t))).join(","))].join("\n")}\n`;
