import { isIsoDate } from "../calendar/isoDate.js";
import { easternTimeMicros } from "../calendar/nyseRules.js";
import { parseOccSymbol, tryOccSymbol } from "../generator/occ.js";
import {
  ImportCollector,
  type ImportResult,
  numberField,
  styleForRoot,
  underlyingForRoot,
} from "./importResult.js";

/**
 * CBOE delayed quotes JSON (`cdn.cboe.com/api/global/delayed_quotes/options/<SYM>.json`):
 * `timestamp` in New York local time ("YYYY-MM-DD HH:MM:SS"), `data.current_price` and
 * `data.options[]` with `option` (compact OCC symbol), bid/ask and sizes, volume, open_interest,
 * last_trade_price, and CBOE's own iv/delta/gamma/vega/theta — those go to `vendor`.
 */
export const importCboeChain = (json: unknown, origin: string): ImportResult => {
  const out = new ImportCollector("import:cboe");
  const doc = json as { timestamp?: unknown; data?: Record<string, unknown> } | null;
  const data = doc?.data;
  const ts = typeof doc?.timestamp === "string" ? doc.timestamp : "";
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/.exec(ts.trim());
  if (data === undefined || typeof data !== "object" || m === null || !isIsoDate(m[1]!)) {
    out.reject(
      "not a CBOE delayed-quotes document: needs timestamp 'YYYY-MM-DD HH:MM:SS' and data",
      JSON.stringify(json)?.slice(0, 500) ?? "",
      origin,
    );
    return out.result();
  }
  const eventTime = easternTimeMicros(m[1]!, Number(m[2]), Number(m[3])) + Number(m[4]) * 1_000_000;
  const symbol = String(data.symbol ?? "").replace(/^_/, "");
  const spot = numberField(data.current_price);
  if (spot === undefined || symbol === "") {
    out.reject(
      "data lacks symbol or current_price",
      { ...data, options: undefined },
      `${origin}:data`,
      eventTime,
    );
    return out.result();
  }
  const bid = numberField(data.bid);
  const ask = numberField(data.ask);
  out.accept(
    {
      kind: "UnderlyingTick",
      eventTime,
      symbol,
      price: spot,
      ...(bid !== undefined && ask !== undefined && bid > 0 && ask > 0 ? { bid, ask } : {}),
      ...(numberField(data.volume) !== undefined ? { volume: numberField(data.volume)! } : {}),
    },
    { ...data, options: undefined },
    `${origin}:data`,
  );
  const rows = Array.isArray(data.options) ? (data.options as Array<Record<string, unknown>>) : [];
  for (const [i, row] of rows.entries()) {
    const where = `${origin}:data.options[${i}]`;
    const parsed = parseOccSymbol(typeof row.option === "string" ? row.option : "");
    const rowBid = numberField(row.bid);
    const rowAsk = numberField(row.ask);
    if (parsed === undefined) {
      out.reject(`unparseable option symbol ${JSON.stringify(row.option)}`, row, where, eventTime);
      continue;
    }
    if (rowBid === undefined || rowAsk === undefined) {
      out.reject("missing bid or ask", row, where, eventTime);
      continue;
    }
    const contract = tryOccSymbol(parsed.root, parsed.expiry, parsed.right, parsed.strike);
    if (contract === undefined) {
      out.reject("strike or root outside the OCC symbol layout", row, where, eventTime);
      continue;
    }
    const vendor = {
      ...(numberField(row.iv) !== undefined ? { iv: numberField(row.iv)! } : {}),
      ...(numberField(row.delta) !== undefined ? { delta: numberField(row.delta)! } : {}),
      ...(numberField(row.gamma) !== undefined ? { gamma: numberField(row.gamma)! } : {}),
      ...(numberField(row.vega) !== undefined ? { vega: numberField(row.vega)! } : {}),
      ...(numberField(row.theta) !== undefined ? { theta: numberField(row.theta)! } : {}),
    };
    const last = numberField(row.last_trade_price);
    out.accept(
      {
        kind: "OptionQuote",
        eventTime,
        contract,
        underlying: underlyingForRoot(parsed.root),
        expiry: parsed.expiry,
        strike: parsed.strike,
        right: parsed.right,
        ...styleForRoot(parsed.root),
        multiplier: 100,
        bid: rowBid,
        ask: rowAsk,
        bidSize: numberField(row.bid_size) ?? 0,
        askSize: numberField(row.ask_size) ?? 0,
        ...(last !== undefined && last > 0 ? { last } : {}),
        volume: numberField(row.volume) ?? 0,
        openInterest: numberField(row.open_interest) ?? 0,
        underlyingPrice: spot,
        ...(Object.keys(vendor).length > 0 ? { vendor } : {}),
      },
      row,
      where,
    );
  }
  return out.result();
};
