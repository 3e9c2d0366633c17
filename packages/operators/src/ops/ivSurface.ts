import { defineOperator } from "@thetaflow/core";
import type { UnderlyingTick, VolFeatures } from "@thetaflow/schemas";
import { Schema } from "effect";
import {
  appendGreeks,
  appendQuote,
  emptyGreeksRows,
  emptyQuoteRows,
  type GreeksRows,
  type QuoteRows,
} from "../chain/chainRows.js";
import { summarizeChainView } from "../chain/chainSummary.js";

export const IvSurfaceParams = Schema.Struct({
  /** Constant maturity of `iv_atm`, calendar days (the seeds' 30-day ATM IV). */
  atmDays: Schema.optionalWith(Schema.Number.pipe(Schema.int(), Schema.positive()), { default: () => 30 }),
  /** Expiries closer than this many calendar days are left out of the surface. */
  minDte: Schema.optionalWith(Schema.Number.pipe(Schema.int(), Schema.nonNegative()), { default: () => 1 }),
  /** The expiry nearest this DTE supplies ATM contract details and the expected move. */
  targetDte: Schema.optionalWith(Schema.Number.pipe(Schema.int(), Schema.positive()), { default: () => 30 }),
  wingDelta: Schema.optionalWith(Schema.Number.pipe(Schema.between(0.01, 0.49)), { default: () => 0.25 }),
  maxAtmDistance: Schema.optionalWith(Schema.Number.pipe(Schema.positive()), { default: () => 0.1 }),
});
export type IvSurfaceParams = typeof IvSurfaceParams.Type;

/** What changes once per chain (new time, its bar, columns replaced): shared by the chain's states. */
export interface ChainHead {
  readonly time: number;
  readonly bar: UnderlyingTick | null;
  readonly greeks: GreeksRows | null;
  readonly quotes: QuoteRows | null;
  /** Rows of the last chain that had any: new columns start at that size, so a steady chain never regrows them. */
  readonly sizeHint: number;
}

/**
 * The chain being collected for one underlying at one event time: this state's rows are the first
 * `greeksCount` / `quoteCount` of the head's shared columns (see chainRows.ts for why sharing is
 * safe). A quote or Greeks event only makes a new three-field state: no event time to box, no copy.
 */
export interface IvSurfaceState {
  readonly head: ChainHead;
  readonly greeksCount: number;
  readonly quoteCount: number;
}

const empty: IvSurfaceState = {
  head: { time: -1, bar: null, greeks: null, quotes: null, sizeHint: 0 },
  greeksCount: 0,
  quoteCount: 0,
};

/**
 * The daily snapshot of each underlying: collects its bar and option chain at one event time and,
 * once the day is complete (an event with a later time arrives for the underlying, or the input
 * ends), emits one VolFeatures stamped with that time: the bar (bar_close/open/high/low/volume) and
 * the chain's ATM IV per constant maturity, 25-delta skew, term structure, ATM straddle expected
 * move, ATM contract details and put/call volume and open interest. Days with a bar and no chain
 * still get a snapshot (chain values null), so downstream decisions happen for every bar.
 */
export const ivSurface = defineOperator({
  name: "ivSurface",
  description:
    "Per-chain implied-volatility summary (ATM IV at constant maturity, skew, term structure, expected move).",
  params: IvSurfaceParams,
  consumes: ["UnderlyingTick", "Greeks", "OptionQuote"],
  produces: ["VolFeatures"],
  keyOf: (e) => (e.kind === "UnderlyingTick" ? e.symbol : e.underlying),
  init: (): IvSurfaceState => empty,
  step: (state, event, out, params, ctx) => {
    let s = state;
    const time = s.head.time;
    if (event.eventTime > time) {
      emitSummary(s, ctx.key, out, params);
      const rows = Math.max(s.greeksCount, s.quoteCount);
      const head = {
        time: event.eventTime,
        bar: null,
        greeks: null,
        quotes: null,
        sizeHint: rows > 0 ? rows : s.head.sizeHint,
      };
      s = { head, greeksCount: 0, quoteCount: 0 };
    } else if (event.eventTime < time) {
      throw new Error(`late ${event.kind} at ${event.eventTime}: chain at ${time} already being collected`);
    }
    const head = s.head;
    switch (event.kind) {
      case "UnderlyingTick":
        return { head: { ...head, bar: event }, greeksCount: s.greeksCount, quoteCount: s.quoteCount };
      case "Greeks": {
        const greeks = appendGreeks(head.greeks ?? emptyGreeksRows(head.sizeHint), s.greeksCount, event);
        return {
          head: greeks === head.greeks ? head : { ...head, greeks },
          greeksCount: s.greeksCount + 1,
          quoteCount: s.quoteCount,
        };
      }
      case "OptionQuote": {
        const quotes = appendQuote(head.quotes ?? emptyQuoteRows(head.sizeHint), s.quoteCount, event);
        return {
          head: quotes === head.quotes ? head : { ...head, quotes },
          greeksCount: s.greeksCount,
          quoteCount: s.quoteCount + 1,
        };
      }
    }
  },
  onEnd: (state, out, params, ctx) => {
    emitSummary(state, ctx.key, out, params);
    return empty;
  },
});

const emitSummary = (
  s: IvSurfaceState,
  underlying: string,
  out: { emit(e: VolFeatures): void },
  params: IvSurfaceParams,
): void => {
  const { bar, time } = s.head;
  if (bar === null && s.greeksCount === 0 && s.quoteCount === 0) return;
  const values = summarizeChainView(
    time,
    bar?.price ?? null,
    {
      greeks: s.head.greeks ?? emptyGreeksRows(0),
      greeksCount: s.greeksCount,
      quotes: s.head.quotes ?? emptyQuoteRows(0),
      quoteCount: s.quoteCount,
    },
    params,
  );
  values.bar_close = bar?.price ?? null;
  values.bar_open = bar?.open ?? null;
  values.bar_high = bar?.high ?? null;
  values.bar_low = bar?.low ?? null;
  values.bar_volume = bar?.volume ?? null;
  out.emit({ kind: "VolFeatures", eventTime: time, seq: 0, underlying, values });
};
