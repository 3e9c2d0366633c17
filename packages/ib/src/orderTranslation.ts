import { type Contract, type Order as IbOrder, OrderAction, OrderType, TimeInForce } from "@stoqey/ib";
import type { Leg } from "@thetaflow/schemas";
import { comboContract, optionContract } from "./contracts.js";

/** What the adapter is asked to trade: an accepted intent with its deterministic client order id. */
export interface OrderRequest {
  /** Our client order id; travels to IB as `orderRef` and is how a reconnect recognises the order. */
  readonly orderId: string;
  readonly intentId: string;
  readonly underlying: string;
  readonly legs: readonly Leg[];
  /** Combo units (or contracts for one leg). */
  readonly quantity: number;
  /** Net limit per unit per share, our sign: positive = credit received, negative = debit paid. */
  readonly limitPrice: number;
}

/** Rounds to the cent, the tick IB accepts for option prices above $3 and combos. */
const cents = (x: number) => Math.round(x * 100) / 100;

/**
 * Our order to IB's. One leg: the option itself, BUY/SELL at the absolute price. Several legs (spreads,
 * iron condors, straddles): a BAG bought as a unit, whose limit follows IB's sign — a positive limit
 * pays a debit, a negative limit receives a credit — so our credit `c` becomes `-c`.
 */
export const toIbOrder = (
  req: OrderRequest,
  conIds: ReadonlyMap<string, number>,
  account: string | undefined,
): { readonly contract: Contract; readonly order: IbOrder } => {
  if (req.legs.length === 0) throw new Error(`order ${req.orderId} has no legs`);
  if (!(req.quantity > 0)) throw new Error(`order ${req.orderId} has quantity ${req.quantity}`);
  const base: IbOrder = {
    orderType: OrderType.LMT,
    totalQuantity: req.quantity,
    tif: TimeInForce.DAY,
    orderRef: req.orderId,
    transmit: true,
    ...(account === undefined ? {} : { account }),
  };
  if (req.legs.length === 1) {
    const leg = req.legs[0]!;
    return {
      contract: optionContract(leg.contract),
      order: {
        ...base,
        action: leg.side === "buy" ? OrderAction.BUY : OrderAction.SELL,
        totalQuantity: req.quantity * leg.ratio,
        lmtPrice: cents(Math.abs(req.limitPrice)),
      },
    };
  }
  return {
    contract: comboContract(req.underlying, req.legs, conIds),
    order: { ...base, action: OrderAction.BUY, lmtPrice: cents(-req.limitPrice) },
  };
};

/** IB's average fill price back to our sign convention (positive = credit). */
export const ourNetPrice = (req: OrderRequest, ibAvgPrice: number): number => {
  if (req.legs.length > 1) return -ibAvgPrice;
  return req.legs[0]!.side === "sell" ? ibAvgPrice : -ibAvgPrice;
};
