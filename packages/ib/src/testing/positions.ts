import { formatOcc, type Position } from "@thetaflow/schemas";

/** The expiry of the SPY puts the IB tests trade. */
export const TEST_EXPIRY = "2026-02-20";

export interface TestPutLeg {
  readonly strike: number;
  readonly quantity: number;
  readonly avgPrice: number;
}

/** An engine Position in SPY puts of TEST_EXPIRY, as the trading operator reports it (P&L and Greeks zero). */
export const spyPutPosition = (p: {
  readonly id: string;
  readonly eventTime: number;
  readonly strategy: string;
  readonly status?: "open" | "closed";
  readonly legs: readonly TestPutLeg[];
}): Position => ({
  kind: "Position",
  eventTime: p.eventTime,
  seq: 0,
  positionId: p.id,
  underlying: "SPY",
  strategy: p.strategy,
  status: p.status ?? "open",
  legs: p.legs.map((l) => ({
    contract: formatOcc("SPY", TEST_EXPIRY, "put", l.strike),
    right: "put" as const,
    strike: l.strike,
    expiry: TEST_EXPIRY,
    quantity: l.quantity,
    avgPrice: l.avgPrice,
    mark: null,
    realizedPnlCents: 0,
    unrealizedPnlCents: 0,
  })),
  realizedPnlCents: 0,
  unrealizedPnlCents: 0,
  delta: 0,
  gamma: 0,
  vega: 0,
  theta: 0,
});
