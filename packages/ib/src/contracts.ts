import { type ComboLeg, type Contract, OptionType, OrderAction, SecType } from "@stoqey/ib";
import { formatOcc, type Leg, parseOcc } from "@thetaflow/schemas";

/** IB wants YYYYMMDD; our legs carry YYYY-MM-DD. */
const ibDate = (iso: string) => iso.replaceAll("-", "");
const isoDate = (ib: string) => `${ib.slice(0, 4)}-${ib.slice(4, 6)}-${ib.slice(6, 8)}`;

export const underlyingContract = (symbol: string): Contract => ({
  symbol,
  secType: SecType.STK,
  exchange: "SMART",
  currency: "USD",
});

/** An option contract from our OCC symbol (equity options: SMART routing, USD, multiplier 100). */
export const optionContract = (occ: string): Contract => {
  const p = parseOcc(occ);
  if (p === undefined) throw new Error(`'${occ}' is not an OCC option symbol`);
  return {
    symbol: p.root,
    secType: SecType.OPT,
    lastTradeDateOrContractMonth: ibDate(p.expiry),
    strike: p.strike,
    right: p.right === "call" ? OptionType.Call : OptionType.Put,
    multiplier: 100,
    exchange: "SMART",
    currency: "USD",
  };
};

/** Our OCC symbol for an IB option contract (positions and executions come back as IB contracts). */
export const occOf = (c: Contract): string | undefined => {
  if (
    c.secType !== SecType.OPT ||
    c.symbol === undefined ||
    c.lastTradeDateOrContractMonth === undefined ||
    c.strike === undefined
  )
    return undefined;
  const right = c.right === OptionType.Call || c.right === ("C" as OptionType) ? "call" : "put";
  return formatOcc(c.symbol, isoDate(c.lastTradeDateOrContractMonth.slice(0, 8)), right, c.strike);
};

/**
 * A BAG (combo) contract for a multi-leg order. IB identifies legs by conId only, so every leg's
 * conId must have been resolved with reqContractDetails first.
 */
export const comboContract = (
  underlying: string,
  legs: readonly Leg[],
  conIds: ReadonlyMap<string, number>,
): Contract => ({
  symbol: underlying,
  secType: SecType.BAG,
  exchange: "SMART",
  currency: "USD",
  comboLegs: legs.map((l): ComboLeg => {
    const conId = conIds.get(l.contract);
    if (conId === undefined) throw new Error(`no conId resolved for ${l.contract}`);
    return {
      conId,
      ratio: l.ratio,
      action: l.side === "buy" ? OrderAction.BUY : OrderAction.SELL,
      exchange: "SMART",
    };
  }),
});
