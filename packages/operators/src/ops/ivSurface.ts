import { defineOperator } from "@thetaflow/core";
import type { UnderlyingTick, VolFeatures } from "@thetaflow/schemas";
import { Schema } from "effect";
import {
  appendGreeks,
  appendQuote,
  copyGreeksRows,
  copyQuoteRows,
  emptyGreeksRows,
  emptyQuoteRows,
  type GreeksRows,
  type QuoteRows,
  recycleGreeksRows,
  recycleQuoteRows,
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

/** The chain being collected: its time, its bar and its columns. */
export interface ChainHead {
  time: number;
  bar: UnderlyingTick | null;
  greeks: GreeksRows | null;
  quotes: QuoteRows | null;
  /** Rows of the last chain that had any: new columns start at that size, so a steady chain never regrows them. */
  sizeHint: number;
}

/**
 * The chain being collected for one underlying at one event time: the first `greeksCount` /
 * `quoteCount` rows of the head's columns. The state changes in place (a Greeks event
 * writes one row and allocates nothing) and the next chain refills the same columns; `detach` gives
 * a copy with columns of its own, which is what the runtime's snapshots hold.
 */
export interface IvSurfaceState {
  head: ChainHead;
  greeksCount: number;
  quoteCount: number;
}

const emptyState = (): IvSurfaceState => ({
  head: { time: -1, bar: null, greeks: null, quotes: null, sizeHint: 0 },
  greeksCount: 0,
  quoteCount: 0,
});

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
  consumes: ["UnderlyingTick", "Greeks"],
  produces: ["VolFeatures"],
  keyOf: (e) => (e.kind === "UnderlyingTick" ? e.symbol : e.underlying),
  init: emptyState,
  step: (state, event, out, params, ctx) => {
    const head = state.head;
    if (event.eventTime > head.time) {
      emitSummary(state, ctx.key, out, params);
      // The last point of failure is behind: from here on the state changes in place (see detach).
      startChain(state, event.eventTime);
    } else if (event.eventTime < head.time) {
      throw new Error(
        `late ${event.kind} at ${event.eventTime}: chain at ${head.time} already being collected`,
      );
    }
    switch (event.kind) {
      case "UnderlyingTick":
        head.bar = event;
        break;
      case "Greeks": {
        // The Greeks carry their quote's bid/ask, volume and open interest: one event per contract.
        const greeks = head.greeks ?? emptyGreeksRows(head.sizeHint);
        head.greeks = appendGreeks(greeks, state.greeksCount, event);
        state.greeksCount++;
        const quotes = head.quotes ?? emptyQuoteRows(head.sizeHint);
        head.quotes = appendQuote(quotes, state.quoteCount, event);
        state.quoteCount++;
        break;
      }
    }
    return state;
  },
  onEnd: (state, out, params, ctx) => {
    emitSummary(state, ctx.key, out, params);
    return emptyState();
  },
  detach: (state) => {
    const { head, greeksCount, quoteCount } = state;
    return {
      head: {
        ...head,
        greeks: head.greeks === null ? null : copyGreeksRows(head.greeks, greeksCount, greeksCount),
        quotes: head.quotes === null ? null : copyQuoteRows(head.quotes, quoteCount, quoteCount),
      },
      greeksCount,
      quoteCount,
    };
  },
});

/** Moves `state` on to an empty chain at `time`, refilling the finished chain's columns. */
const startChain = (state: IvSurfaceState, time: number): void => {
  const head = state.head;
  const rows = Math.max(state.greeksCount, state.quoteCount);
  if (rows > 0) head.sizeHint = rows;
  head.time = time;
  head.bar = null;
  if (head.greeks !== null) recycleGreeksRows(head.greeks);
  if (head.quotes !== null) recycleQuoteRows(head.quotes);
  state.greeksCount = 0;
  state.quoteCount = 0;
};

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
