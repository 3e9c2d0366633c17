import type { IsoDate } from "../calendar/isoDate.js";
import { toIsoDate } from "../calendar/isoDate.js";
import { parseOccSymbol } from "../generator/occ.js";
import {
  ImportCollector,
  type ImportResult,
  numberField,
  styleForRoot,
  underlyingForRoot,
} from "./importResult.js";

/**
 * Yahoo Finance / yfinance option chain JSON: `optionChain.result[0]` with the underlying `quote`
 * (regularMarketPrice, regularMarketTime in epoch seconds, bid, ask, regularMarketVolume) and
 * `options[].calls/puts` rows (contractSymbol, strike, bid, ask, lastPrice, volume, openInterest,
 * impliedVolatility, expiration in epoch seconds). Yahoo omits volume/openInterest on quiet
 * contracts; those default to 0. Its impliedVolatility goes to `vendor.iv`.
 */
export const importYahooChain = (json: unknown, origin: string): ImportResult => {
  const out = new ImportCollector("import:yahoo");
  const result = (json as { optionChain?: { result?: unknown[] } } | null)?.optionChain?.result?.[0] as
    | Record<string, unknown>
    | undefined;
  if (result === undefined || typeof result !== "object") {
    out.reject(
      "not a Yahoo option chain: optionChain.result[0] is missing",
      JSON.stringify(json)?.slice(0, 500) ?? "",
      origin,
    );
    return out.result();
  }
  const quote = (result.quote ?? {}) as Record<string, unknown>;
  const symbol = String(result.underlyingSymbol ?? quote.symbol ?? "");
  const marketTime = numberField(quote.regularMarketTime);
  const spot = numberField(quote.regularMarketPrice);
  if (marketTime === undefined || spot === undefined || symbol === "") {
    out.reject("quote lacks symbol, regularMarketPrice or regularMarketTime", quote, `${origin}:quote`);
    return out.result();
  }
  const eventTime = Math.round(marketTime * 1_000_000);
  const underlying = symbol.replace(/^\^/, "");
  const bid = numberField(quote.bid);
  const ask = numberField(quote.ask);
  out.accept(
    {
      kind: "UnderlyingTick",
      eventTime,
      symbol: underlying,
      price: spot,
      ...(bid !== undefined && ask !== undefined && bid > 0 && ask > 0 ? { bid, ask } : {}),
      ...(numberField(quote.regularMarketVolume) !== undefined
        ? { volume: numberField(quote.regularMarketVolume)! }
        : {}),
    },
    quote,
    `${origin}:quote`,
  );
  const groups = Array.isArray(result.options) ? (result.options as Array<Record<string, unknown>>) : [];
  for (const [gi, group] of groups.entries()) {
    for (const right of ["calls", "puts"] as const) {
      const rows = Array.isArray(group[right]) ? (group[right] as Array<Record<string, unknown>>) : [];
      for (const [ri, row] of rows.entries()) {
        const where = `${origin}:options[${gi}].${right}[${ri}]`;
        const contract = typeof row.contractSymbol === "string" ? row.contractSymbol : "";
        const parsed = parseOccSymbol(contract);
        const expirationSec = numberField(row.expiration) ?? numberField(group.expirationDate);
        const strike = numberField(row.strike);
        const rowBid = numberField(row.bid);
        const rowAsk = numberField(row.ask);
        if (parsed === undefined) {
          out.reject(`unparseable contractSymbol ${JSON.stringify(contract)}`, row, where, eventTime);
          continue;
        }
        if (strike === undefined || rowBid === undefined || rowAsk === undefined) {
          out.reject("missing strike, bid or ask", row, where, eventTime);
          continue;
        }
        const expiry: IsoDate =
          expirationSec !== undefined ? toIsoDate(Math.floor(expirationSec / 86_400)) : parsed.expiry;
        if (expiry !== parsed.expiry) {
          out.reject(
            `expiration ${expiry} disagrees with contractSymbol ${parsed.expiry}`,
            row,
            where,
            eventTime,
          );
          continue;
        }
        if (Math.abs(parsed.strike - strike) > 1e-6) {
          out.reject(
            `strike ${strike} disagrees with contractSymbol ${parsed.strike}`,
            row,
            where,
            eventTime,
          );
          continue;
        }
        const iv = numberField(row.impliedVolatility);
        const last = numberField(row.lastPrice);
        out.accept(
          {
            kind: "OptionQuote",
            eventTime,
            contract: `${parsed.root.padEnd(6, " ")}${contract.trim().slice(parsed.root.length).trim()}`,
            underlying:
              underlyingForRoot(parsed.root) === parsed.root ? underlying : underlyingForRoot(parsed.root),
            expiry,
            strike,
            right: right === "calls" ? "call" : "put",
            ...styleForRoot(parsed.root),
            multiplier: row.contractSize === "MINI" ? 10 : 100,
            bid: rowBid,
            ask: rowAsk,
            bidSize: 0,
            askSize: 0,
            ...(last !== undefined ? { last } : {}),
            volume: numberField(row.volume) ?? 0,
            openInterest: numberField(row.openInterest) ?? 0,
            underlyingPrice: spot,
            ...(iv !== undefined ? { vendor: { iv } } : {}),
          },
          row,
          where,
        );
      }
    }
  }
  return out.result();
};
