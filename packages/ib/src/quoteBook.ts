import { IBApiTickType as TickType } from "@stoqey/ib";
import type { OptionQuote, UnderlyingTick } from "@thetaflow/schemas";
import { parseOcc } from "@thetaflow/schemas";

interface Subscription {
  readonly kind: "option" | "underlying";
  /** OCC symbol for options, ticker for underlyings. */
  readonly symbol: string;
  readonly requestedAt: number;
  answered: boolean;
  bid?: number;
  ask?: number;
  last?: number;
  bidSize?: number;
  askSize?: number;
  volume?: number;
  openInterest?: number;
  underlyingPrice?: number;
  iv?: number;
  delta?: number;
  gamma?: number;
  vega?: number;
  theta?: number;
}

const field = (f: number, live: number, delayed: number) => f === live || f === delayed;

/**
 * IB market data ticks (one field per message) assembled into our quote events. IB's own model
 * Greeks and IV are kept on the quote as `vendor`, converted to our units (vega per 1.00 of sigma,
 * theta per year; IB quotes vega per vol point and theta per day), so a recorded replay carries
 * exactly what IB said beside what we compute.
 */
export class QuoteBook {
  readonly #subs = new Map<number, Subscription>();

  constructor(
    private readonly nowUs: () => number,
    private readonly onFirstAnswer: (seconds: number) => void,
  ) {}

  subscribe(reqId: number, kind: Subscription["kind"], symbol: string): void {
    this.#subs.set(reqId, { kind, symbol, requestedAt: this.nowUs(), answered: false });
  }

  unsubscribe(reqId: number): void {
    this.#subs.delete(reqId);
  }

  subscriptions(): [number, { kind: Subscription["kind"]; symbol: string }][] {
    return [...this.#subs].map(([id, s]) => [id, { kind: s.kind, symbol: s.symbol }]);
  }

  #answered(s: Subscription): void {
    if (s.answered) return;
    s.answered = true;
    this.onFirstAnswer((this.nowUs() - s.requestedAt) / 1e6);
  }

  /** tickPrice/tickSize: returns the quote event to emit, if the book is two-sided. */
  onTick(reqId: number, field_: number, value: number): OptionQuote | UnderlyingTick | undefined {
    const s = this.#subs.get(reqId);
    if (s === undefined || !Number.isFinite(value)) return undefined;
    this.#answered(s);
    // IB sends -1 for "no price"; keep the previous value rather than a nonsense quote.
    if (value < 0) return undefined;
    if (field(field_, TickType.BID, TickType.DELAYED_BID)) s.bid = value;
    else if (field(field_, TickType.ASK, TickType.DELAYED_ASK)) s.ask = value;
    else if (field(field_, TickType.LAST, TickType.DELAYED_LAST)) s.last = value;
    else if (field(field_, TickType.BID_SIZE, TickType.DELAYED_BID_SIZE)) s.bidSize = value;
    else if (field(field_, TickType.ASK_SIZE, TickType.DELAYED_ASK_SIZE)) s.askSize = value;
    else if (field(field_, TickType.VOLUME, TickType.DELAYED_VOLUME)) s.volume = value;
    else if (field_ === TickType.OPTION_CALL_OPEN_INTEREST || field_ === TickType.OPTION_PUT_OPEN_INTEREST)
      s.openInterest = value;
    else return undefined;
    return this.#event(s);
  }

  /** tickOptionComputation: IB's model IV/Greeks (the model tick, not the bid/ask/last ones). */
  onOptionComputation(
    reqId: number,
    field_: number,
    iv?: number,
    delta?: number,
    gamma?: number,
    vega?: number,
    theta?: number,
    undPrice?: number,
  ): OptionQuote | UnderlyingTick | undefined {
    const s = this.#subs.get(reqId);
    if (s === undefined) return undefined;
    this.#answered(s);
    if (!field(field_, TickType.MODEL_OPTION, TickType.DELAYED_MODEL_OPTION)) return undefined;
    // IB marks "not computed" with -1 or -2 (and huge sentinels for prices); keep only real numbers.
    const ok = (x: number | undefined, min = -1e9) =>
      x !== undefined && Number.isFinite(x) && x > min && Math.abs(x) < 1e9 ? x : undefined;
    s.iv = ok(iv, 0);
    s.delta = ok(delta, -1.0000001);
    s.gamma = ok(gamma);
    s.vega = ok(vega) === undefined ? undefined : vega! * 100;
    s.theta = ok(theta) === undefined ? undefined : theta! * 365;
    const und = ok(undPrice, 0);
    if (und !== undefined) s.underlyingPrice = und;
    return this.#event(s);
  }

  #event(s: Subscription): OptionQuote | UnderlyingTick | undefined {
    if (s.bid === undefined || s.ask === undefined || s.bid > s.ask) return undefined;
    const eventTime = this.nowUs();
    if (s.kind === "underlying") {
      const price = s.last ?? (s.bid + s.ask) / 2;
      if (!(price > 0)) return undefined;
      return {
        kind: "UnderlyingTick",
        eventTime,
        seq: 0,
        symbol: s.symbol,
        price,
        ...(s.bid > 0 ? { bid: s.bid } : {}),
        ...(s.ask > 0 ? { ask: s.ask } : {}),
        ...(s.volume === undefined ? {} : { volume: s.volume }),
      };
    }
    const p = parseOcc(s.symbol)!;
    const vendor = {
      ...(s.iv === undefined ? {} : { iv: s.iv }),
      ...(s.delta === undefined ? {} : { delta: s.delta }),
      ...(s.gamma === undefined ? {} : { gamma: s.gamma }),
      ...(s.vega === undefined ? {} : { vega: s.vega }),
      ...(s.theta === undefined ? {} : { theta: s.theta }),
    };
    return {
      kind: "OptionQuote",
      eventTime,
      seq: 0,
      contract: s.symbol,
      underlying: p.root,
      expiry: p.expiry,
      strike: p.strike,
      right: p.right,
      style: "american",
      settlement: "physical",
      multiplier: 100,
      bid: s.bid,
      ask: s.ask,
      bidSize: s.bidSize ?? 0,
      askSize: s.askSize ?? 0,
      ...(s.last === undefined ? {} : { last: s.last }),
      volume: s.volume ?? 0,
      openInterest: s.openInterest ?? 0,
      ...(s.underlyingPrice === undefined ? {} : { underlyingPrice: s.underlyingPrice }),
      ...(Object.keys(vendor).length === 0 ? {} : { vendor }),
    };
  }
}
