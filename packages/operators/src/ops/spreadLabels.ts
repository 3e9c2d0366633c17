import { defineOperator, type Emitter } from "@thetaflow/core";
import type { FeatureVector, Greeks } from "@thetaflow/schemas";
import { Schema } from "effect";
import { daysFromIso, nyDayNumber, nyIsoDate } from "../calendar/nyTime.js";
import { type ConsList, cons, toArray } from "../internal/consList.js";

/** The seeds' IV-rank put credit spread (architecture 2.4.2): 0.25-delta short put, $5 wide, 3–7 DTE. */
export const SpreadLabelsParams = Schema.Struct({
  targetDelta: Schema.optionalWith(Schema.Number.pipe(Schema.between(0.01, 0.99)), { default: () => 0.25 }),
  minDte: Schema.optionalWith(Schema.Number.pipe(Schema.int(), Schema.nonNegative()), { default: () => 3 }),
  maxDte: Schema.optionalWith(Schema.Number.pipe(Schema.int(), Schema.nonNegative()), { default: () => 7 }),
  /** Strike distance of the protective put, in points. */
  width: Schema.optionalWith(Schema.Number.pipe(Schema.positive()), { default: () => 5 }),
  /** Close once this share of the credit is captured (0.5 = buy back at half the credit). */
  takeProfit: Schema.optionalWith(Schema.Number.pipe(Schema.between(0, 1)), { default: () => 0.5 }),
});
export type SpreadLabelsParams = typeof SpreadLabelsParams.Type;

interface Trade {
  readonly entryTime: number;
  readonly expiryDay: number;
  readonly short: string;
  readonly long: string;
  readonly shortStrike: number;
  readonly longStrike: number;
  readonly credit: number;
  /** Marks of the two legs at `markTime` (the chain being collected). */
  readonly markTime: number;
  readonly shortMid: number | null;
  readonly longMid: number | null;
}

export interface SpreadLabelsState {
  readonly time: number;
  readonly spot: number | null;
  /** Puts of the current chain within the DTE range, candidates for today's entry. */
  readonly candidates: ConsList<Greeks>;
  readonly open: readonly Trade[];
}

const MULTIPLIER = 100;

/**
 * Training labels for the strategies: at every decision a hypothetical put credit spread is opened
 * (short put nearest the target delta within the DTE range, long put `width` lower, both at mid) and
 * followed in the stream until it is closed at the take-profit or settled at expiry on the
 * underlying's close. When it is closed, a FeatureVector stamped with the *entry* time carries the
 * labels (P&L in integer cents per spread, profitable flag, credit, holding days). Labels look ahead
 * by construction; they are emitted late and never feed features.
 */
export const spreadLabels = defineOperator({
  name: "spreadLabels",
  description:
    "Forward-looking put-credit-spread labels (profitable, P&L cents) per entry decision, for model training.",
  params: SpreadLabelsParams,
  consumes: ["UnderlyingTick", "Greeks"],
  produces: ["FeatureVector"],
  keyOf: (e) => (e.kind === "UnderlyingTick" ? e.symbol : e.underlying),
  init: (): SpreadLabelsState => ({ time: -1, spot: null, candidates: null, open: [] }),
  step: (state, event, out, params, ctx) => {
    let s = state;
    if (event.eventTime > s.time)
      s = { ...closeChain(s, ctx.key, out, params), time: event.eventTime, spot: null, candidates: null };
    else if (event.eventTime < s.time)
      throw new Error(`late ${event.kind} at ${event.eventTime}: at ${s.time}`);
    if (event.kind === "UnderlyingTick") return { ...s, spot: event.price };
    return onGreeks(s, event, params);
  },
  onEnd: (state, out, params, ctx) => closeChain(state, ctx.key, out, params),
});

const onGreeks = (s: SpreadLabelsState, g: Greeks, p: SpreadLabelsParams): SpreadLabelsState => {
  let next = s;
  if (s.open.some((t) => t.short === g.contract || t.long === g.contract)) {
    next = {
      ...next,
      open: s.open.map((t) => {
        if (t.short !== g.contract && t.long !== g.contract) return t;
        const base =
          t.markTime === g.eventTime ? t : { ...t, markTime: g.eventTime, shortMid: null, longMid: null };
        return t.short === g.contract ? { ...base, shortMid: g.mid } : { ...base, longMid: g.mid };
      }),
    };
  }
  if (g.right === "put" && g.mid !== null) {
    const dte = daysFromIso(g.expiry) - nyDayNumber(g.eventTime);
    if (dte >= p.minDte && dte <= p.maxDte) next = { ...next, candidates: cons(g, next.candidates) };
  }
  return next;
};

const closeChain = (
  s: SpreadLabelsState,
  underlying: string,
  out: Emitter<FeatureVector>,
  p: SpreadLabelsParams,
): SpreadLabelsState => {
  if (s.time < 0) return s;
  const today = nyDayNumber(s.time);
  const open: Trade[] = [];
  for (const t of s.open) {
    const exit = exitOf(t, s, today, p);
    if (exit === null) open.push(t);
    else emitLabel(t, exit.cost, exit.reason, today, underlying, out);
  }
  const entry = openTrade(toArray(s.candidates), s.time, p);
  if (entry !== null) open.push(entry);
  return { ...s, candidates: null, open };
};

const exitOf = (
  t: Trade,
  s: SpreadLabelsState,
  today: number,
  p: SpreadLabelsParams,
): { cost: number; reason: number } | null => {
  if (today >= t.expiryDay) {
    if (s.spot === null) return null;
    const cost = Math.max(t.shortStrike - s.spot, 0) - Math.max(t.longStrike - s.spot, 0);
    return { cost, reason: 1 };
  }
  if (t.markTime !== s.time || t.shortMid === null || t.longMid === null) return null;
  const cost = t.shortMid - t.longMid;
  return cost <= (1 - p.takeProfit) * t.credit ? { cost, reason: 0 } : null;
};

const openTrade = (puts: readonly Greeks[], time: number, p: SpreadLabelsParams): Trade | null => {
  let short: Greeks | undefined;
  for (const g of puts) {
    if (g.delta === null) continue;
    const miss = Math.abs(g.delta + p.targetDelta);
    if (
      short === undefined ||
      miss < Math.abs(short.delta! + p.targetDelta) ||
      (miss === Math.abs(short.delta! + p.targetDelta) && g.expiry < short.expiry)
    ) {
      short = g;
    }
  }
  if (short === undefined) return null;
  const longStrike = short.strike - p.width;
  const long = puts.find((g) => g.expiry === short.expiry && Math.abs(g.strike - longStrike) < 1e-9);
  if (long === undefined || short.mid === null || long.mid === null) return null;
  const credit = short.mid - long.mid;
  if (!(credit > 0)) return null;
  return {
    entryTime: time,
    expiryDay: daysFromIso(short.expiry),
    short: short.contract,
    long: long.contract,
    shortStrike: short.strike,
    longStrike: long.strike,
    credit,
    markTime: time,
    shortMid: short.mid,
    longMid: long.mid,
  };
};

const emitLabel = (
  t: Trade,
  cost: number,
  reason: number,
  today: number,
  underlying: string,
  out: Emitter<FeatureVector>,
): void => {
  // Integer cents per one-lot spread: P&L never carries binary-float residue.
  const pnlCents = Math.round((t.credit - cost) * MULTIPLIER * 100);
  out.emit({
    kind: "FeatureVector",
    eventTime: t.entryTime,
    seq: 0,
    underlying,
    date: nyIsoDate(t.entryTime),
    values: {
      label_pcs_profitable: pnlCents > 0 ? 1 : 0,
      label_pcs_pnl_cents: pnlCents,
      label_pcs_credit: t.credit,
      label_pcs_short_strike: t.shortStrike,
      label_pcs_holding_days: today - nyDayNumber(t.entryTime),
      label_pcs_exit_reason: reason,
    },
    missing: [],
  });
};

export const LABEL_NAMES = [
  "label_pcs_profitable",
  "label_pcs_pnl_cents",
  "label_pcs_credit",
  "label_pcs_short_strike",
  "label_pcs_holding_days",
  "label_pcs_exit_reason",
] as const;
