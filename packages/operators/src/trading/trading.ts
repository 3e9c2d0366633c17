import { defineOperator } from "@thetaflow/core";
import type { Event, OptionQuote } from "@thetaflow/schemas";
import { Desk } from "./desk.js";
import { endOfBar, startDay } from "./endOfBar.js";
import { contractKey } from "./marketView.js";
import { appendToSnapshot, emptySnapshot } from "./snapshotLog.js";
import { initialBook, type TradingBook, withSnapshots } from "./tradingBook.js";
import { TradingParams } from "./tradingParams.js";

/** All portfolio state lives in one actor: limits are portfolio-wide, so the key is constant. */
export const PORTFOLIO_KEY = "portfolio";

/**
 * The trading desk for one portfolio: risk gate, order manager, paper broker and position keeper in
 * one actor, because each needs the others' latest state (the gate sizes against positions that the
 * broker's fills create) and a topology cannot have cycles. Each concern is its own pure module
 * (riskRules, orderBook, fillModel, positionBook, exits, expiry); this operator only sequences them.
 *
 * Time is event time: when an event later than the current bar arrives, the bar is closed first
 * (marks, expirations, order timeouts, exits, PortfolioSnapshot), then the event is applied.
 */
export const trading = defineOperator({
  name: "trading",
  description:
    "Risk gate, order lifecycle, paper broker and positions for one portfolio: Signals in; RiskDecision, OrderIntent, Order, Fill, Position, PortfolioSnapshot out.",
  params: TradingParams,
  consumes: ["Signal", "OptionQuote", "Greeks", "UnderlyingTick", "Regime", "EarningsEvent"],
  produces: ["OrderIntent", "RiskDecision", "Order", "Fill", "Position", "PortfolioSnapshot"],
  keyOf: () => PORTFOLIO_KEY,
  init: (params) => initialBook(params.initialCapital),
  step: (state, event, out, params) => {
    let book = state;
    if (event.eventTime > book.clock) book = advance(book, event.eventTime, out, params);
    switch (event.kind) {
      case "OptionQuote": {
        if (event.eventTime > book.quotes.log.time)
          return withSnapshots(
            book,
            appendToSnapshot(emptySnapshot<OptionQuote>(event.eventTime), event.contract, event),
            book.quotes,
            book.greeks,
          );
        return withSnapshots(
          book,
          appendToSnapshot(book.quotes, event.contract, event),
          book.prevQuotes,
          book.greeks,
        );
      }
      case "Greeks": {
        const g =
          book.greeks.log.time === event.eventTime
            ? book.greeks
            : emptySnapshot<typeof event>(event.eventTime);
        const greeks = appendToSnapshot(g, contractKey(event), event);
        return withSnapshots(book, book.quotes, book.prevQuotes, greeks);
      }
      case "UnderlyingTick": {
        const prev = book.spots.get(event.symbol);
        const spots = new Map(book.spots);
        spots.set(event.symbol, {
          price: event.price,
          divYield: event.dividendYield ?? prev?.divYield ?? 0,
          time: event.eventTime,
        });
        return { ...book, spots };
      }
      case "Regime": {
        if (book.regimes.get(event.underlying) === event.regime) return book;
        return { ...book, regimes: new Map(book.regimes).set(event.underlying, event.regime) };
      }
      case "EarningsEvent": {
        if (event.actualMove === undefined) return book;
        return {
          ...book,
          reportedEarnings: new Map(book.reportedEarnings).set(event.symbol, event.eventTime),
        };
      }
      case "Signal": {
        const desk = new Desk(book, params, out);
        desk.onSignal(event);
        return desk.book();
      }
    }
  },
  onEnd: (state, out, params) => {
    if (state.clock < 0) return state;
    const desk = new Desk(state, params, out);
    endOfBar(desk, reportedSince(state));
    return desk.book();
  },
});

const reportedSince =
  (book: TradingBook) =>
  (underlying: string, since: number): boolean => {
    const t = book.reportedEarnings.get(underlying);
    return t !== undefined && t > since;
  };

/** Closes the bar at `book.clock` (if any) and moves the clock to `time`. */
const advance = (
  book: TradingBook,
  time: number,
  out: { emit(e: Event): void },
  params: TradingParams,
): TradingBook => {
  const desk = new Desk(book, params, out);
  if (book.clock >= 0) endOfBar(desk, reportedSince(book));
  desk.clock = time;
  startDay(desk, time);
  return desk.book();
};
