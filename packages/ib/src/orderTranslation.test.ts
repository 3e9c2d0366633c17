import { OptionType, OrderAction, OrderType, SecType } from "@stoqey/ib";
import { formatOcc, type Leg } from "@thetaflow/schemas";
import { describe, expect, it } from "vitest";
import { occOf } from "./contracts.js";
import { ourNetPrice, toIbOrder } from "./orderTranslation.js";

const EXP = "2026-03-20";
const leg = (right: "call" | "put", strike: number, side: "buy" | "sell", ratio = 1): Leg => ({
  contract: formatOcc("SPY", EXP, right, strike),
  right,
  strike,
  expiry: EXP,
  side,
  ratio,
});
const conIds = new Map(
  [570, 575, 600].flatMap(
    (k) =>
      [
        [formatOcc("SPY", EXP, "put", k), k * 10],
        [formatOcc("SPY", EXP, "call", k), k * 10 + 1],
      ] as [string, number][],
  ),
);

describe("orders to IB", () => {
  it("a long straddle is a BAG bought for a debit (positive IB limit)", () => {
    const legs = [leg("call", 600, "buy"), leg("put", 600, "buy")];
    const { contract, order } = toIbOrder(
      { orderId: "st-1", intentId: "i", underlying: "SPY", legs, quantity: 1, limitPrice: -12.4 },
      conIds,
      "DU1",
    );
    expect(contract.secType).toBe(SecType.BAG);
    expect(contract.comboLegs).toEqual([
      { conId: 6001, ratio: 1, action: OrderAction.BUY, exchange: "SMART" },
      { conId: 6000, ratio: 1, action: OrderAction.BUY, exchange: "SMART" },
    ]);
    expect(order).toMatchObject({
      action: OrderAction.BUY,
      lmtPrice: 12.4,
      orderType: OrderType.LMT,
      orderRef: "st-1",
      account: "DU1",
      totalQuantity: 1,
    });
    expect(
      ourNetPrice(
        { orderId: "st-1", intentId: "i", underlying: "SPY", legs, quantity: 1, limitPrice: -12.4 },
        12.35,
      ),
    ).toBe(-12.35);
  });

  it("a bull put credit spread: negative IB limit; a single short put: SELL at the absolute price", () => {
    const spread = toIbOrder(
      {
        orderId: "v-1",
        intentId: "i",
        underlying: "SPY",
        legs: [leg("put", 575, "sell"), leg("put", 570, "buy")],
        quantity: 3,
        limitPrice: 1.15,
      },
      conIds,
      undefined,
    );
    expect(spread.order).toMatchObject({ action: OrderAction.BUY, lmtPrice: -1.15, totalQuantity: 3 });
    expect(spread.order.account).toBeUndefined();
    const single = toIbOrder(
      {
        orderId: "s-1",
        intentId: "i",
        underlying: "SPY",
        legs: [leg("put", 570, "sell")],
        quantity: 2,
        limitPrice: 4.1,
      },
      conIds,
      undefined,
    );
    expect(single.contract).toMatchObject({
      secType: SecType.OPT,
      symbol: "SPY",
      lastTradeDateOrContractMonth: "20260320",
      strike: 570,
      right: OptionType.Put,
      multiplier: 100,
    });
    expect(single.order).toMatchObject({ action: OrderAction.SELL, lmtPrice: 4.1, totalQuantity: 2 });
    expect(occOf(single.contract)).toBe(formatOcc("SPY", EXP, "put", 570));
  });

  it("refuses a combo whose legs have no conId yet", () => {
    expect(() =>
      toIbOrder(
        {
          orderId: "x",
          intentId: "i",
          underlying: "SPY",
          legs: [leg("call", 650, "buy"), leg("put", 650, "buy")],
          quantity: 1,
          limitPrice: -1,
        },
        conIds,
        undefined,
      ),
    ).toThrow(/no conId resolved/);
  });
});
