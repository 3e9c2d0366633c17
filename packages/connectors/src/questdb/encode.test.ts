import { createBuffer, SenderOptions } from "@questdb/nodejs-client";
import { describe, expect, it } from "vitest";
import { compileTables, encodeRow } from "./encode.js";
import { equityRow, riskDecisionRow } from "./rows.js";

// Protocol v1 is ILP text, so the exact line can be read; the writer uses v2 (binary doubles).
const textBuffer = async () =>
  createBuffer(await SenderOptions.fromConfig("http::addr=127.0.0.1:9000;protocol_version=1"));

describe("ILP encoding", () => {
  it("writes symbols first, skips missing values, and sends ts exactly (µs event time as wire ns)", async () => {
    const buffer = await textBuffer();
    const compiled = compileTables("t_");
    const row = riskDecisionRow({
      kind: "RiskDecision",
      eventTime: 1_552_660_200_000_001,
      seq: 4,
      intentId: "intent-1",
      underlying: "SPY",
      accepted: false,
      quantity: 0,
      reasons: ["max open positions"],
      tradingState: "REDUCING",
    });
    encodeRow(buffer, compiled[row.table], row);
    expect(buffer.toBufferView().toString()).toBe(
      't_risk_decisions,underlying=SPY,trading_state=REDUCING intent_id="intent-1",accepted=f,quantity=0i,' +
        'reasons="[\\"max open positions\\"]",seq=4i 1552660200000001000\n',
    );
  });

  it("writes cents as exact integers", async () => {
    const buffer = await textBuffer();
    const row = equityRow({
      kind: "PortfolioSnapshot",
      eventTime: 5,
      seq: 0,
      cashCents: 10_000_000_01,
      positionsValueCents: -250_00,
      equityCents: 9_999_750_01,
      peakEquityCents: 10_000_000_01,
      drawdown: 0.000025,
      dailyPnlCents: -250_00,
      openPositions: 1,
      tradingState: "ACTIVE",
      delta: 0.5,
      gamma: 0,
      vega: 0,
      theta: 0,
    });
    encodeRow(buffer, compileTables("")[row.table], row);
    expect(buffer.toBufferView().toString()).toContain(
      "cash_cents=1000000001i,positions_value_cents=-25000i",
    );
  });
});
