import { defineOperator } from "@thetaflow/core";
import type { Signal } from "@thetaflow/schemas";
import { Schema } from "effect";
import { nyDayNumber } from "../calendar/nyTime.js";
import {
  addEarnings,
  ContextParams,
  type EarningsCalendar,
  type TradingContext,
  tickerContext,
} from "./tickerContext.js";

export const RouteParams = Schema.Struct({
  ...ContextParams,
  /** Strategy name -> the context it trades in. Unlisted strategies: `earnings_*` earnings, else core. */
  strategyContexts: Schema.optionalWith(
    Schema.Record({ key: Schema.String, value: Schema.Literal("core", "earnings") }),
    { default: () => ({}) },
  ),
});
export type RouteParams = typeof RouteParams.Type;

export const strategyContext = (strategy: string, p: RouteParams): Exclude<TradingContext, "blackout"> =>
  p.strategyContexts[strategy] ?? (strategy.startsWith("earnings") ? "earnings" : "core");

/**
 * The seeds' StrategyRouter over signals: per ticker and day, the context (core / earnings / blackout,
 * from the universe and the earnings calendar) decides which strategy's signals pass. ETFs are always
 * core; nothing passes in a blackout. The calendar is built from EarningsEvents, which are announced
 * weeks ahead, so a signal's context depends only on its own date — not on arrival order.
 */
export const route = defineOperator({
  name: "route",
  description:
    "Routes strategy signals by ticker context (core / earnings / blackout) from the universe and earnings calendar.",
  params: RouteParams,
  consumes: ["Signal", "EarningsEvent"],
  produces: ["Signal"],
  keyOf: (e) => (e.kind === "Signal" ? e.underlying : e.symbol),
  init: (): EarningsCalendar => [],
  step: (calendar, event, out, params) => {
    if (event.kind === "EarningsEvent") return addEarnings(calendar, event);
    const ctx = tickerContext(
      event.underlying,
      nyDayNumber(event.eventTime),
      calendar,
      params.universe,
      params.earningsWindowDays,
    );
    if (ctx.context === strategyContext(event.strategy, params))
      out.emit(withContext(event, ctx.daysToEarnings));
    return calendar;
  },
});

const withContext = (s: Signal, daysToEarnings: number | null): Signal => ({
  ...s,
  features: { ...s.features, days_to_earnings: daysToEarnings },
});
