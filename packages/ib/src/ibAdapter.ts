import {
  type Contract,
  EventName,
  type IBApi,
  isNonFatalError,
  OrderAction,
  OrderType,
  TimeInForce,
} from "@stoqey/ib";
import type { Event, Leg, Order, OrderStatus } from "@thetaflow/schemas";
import { reconnectDelayMs } from "./backoff.js";
import { CircuitBreaker } from "./circuitBreaker.js";
import { occOf, optionContract, underlyingContract } from "./contracts.js";
import { FillAssembler } from "./fillAssembler.js";
import type { IbConfig } from "./ibConfig.js";
import type { OptionChainRow } from "./optionChain.js";
import { isTerminal, ourStatus } from "./orderStatus.js";
import { type OrderRequest, ourNetPrice, toIbOrder } from "./orderTranslation.js";
import { QuoteBook } from "./quoteBook.js";

export type ConnectionState = "disconnected" | "connecting" | "syncing" | "ready" | "stopped";

/** Hooks into metrics/alerts/logs; all optional so the adapter has no dependency on them. */
export interface IbObserver {
  readonly log?: (
    level: "info" | "warn" | "error",
    message: string,
    fields?: Record<string, unknown>,
  ) => void;
  readonly apiError?: (code: number) => void;
  readonly fetchLatency?: (seconds: number) => void;
  readonly heartbeat?: () => void;
  readonly connection?: (state: ConnectionState) => void;
}

export interface IbAdapterOptions {
  /** An IBApi for the configured host/port (`new IBApi({ host, port })`). */
  readonly api: IBApi;
  readonly config: IbConfig;
  /** Quote, Order and Fill events, in the order they happened (seq is stamped here). */
  readonly emit: (event: Event) => void;
  readonly observer?: IbObserver;
  /** Wall clock (ms) at the edge: event times, backoff, breaker. */
  readonly nowMs?: () => number;
  /**
   * Called when a sync (positions, account, open orders, executions) completes, before any order
   * queued while disconnected is sent: the place to reconcile positions and `hold` orders.
   */
  readonly onSynced?: (sync: { readonly reconnect: boolean }) => void;
  /** Called when TWS streams a position change between syncs. */
  readonly onPositionUpdate?: () => void;
  /** How long `kill` waits for TWS to confirm the cancels of working orders (default 10 s). */
  readonly cancelConfirmMs?: number;
}

export interface BrokerPosition {
  readonly account: string;
  /** OCC symbol for options, ticker for stock. */
  readonly symbol: string;
  readonly secType: string;
  readonly quantity: number;
  readonly avgCost: number;
  readonly contract: Contract;
}

interface TrackedOrder {
  readonly request: OrderRequest;
  ibOrderId?: number;
  status: OrderStatus;
  filled: number;
  avgFillPrice: number | null;
  /** Seen at the broker (open orders or executions) during the current sync. */
  seenThisSync: boolean;
  /** TWS has answered for it (status, open order, execution or error) or it ended before being sent. */
  acked: boolean;
}

const ACCOUNT_TAGS =
  "NetLiquidation,TotalCashValue,GrossPositionValue,BuyingPower,AvailableFunds,MaintMarginReq";

/**
 * Interactive Brokers through `@stoqey/ib`'s IBApi: connection with reconnect/backoff, a sync of
 * positions, account values, open orders and the day's executions at start and after every reconnect,
 * market data into quote events, single-leg and combo (BAG) orders into Order/Fill events, a circuit
 * breaker on repeated failures, and the kill switch.
 *
 * Duplicate protection: every order carries our client order id as IB's `orderRef`; an order is
 * placed at most once per client id, and an order that was queued or in flight across a disconnect is
 * first looked up among the broker's open orders and executions after reconnecting — found ones are
 * adopted, and an order already sent is never sent again.
 */
export class IbAdapter {
  #state: ConnectionState = "disconnected";
  #attempt = 0;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #heartbeatTimer: NodeJS.Timeout | undefined;
  #nextOrderId = -1;
  #nextReqId = 1_000_000;
  #seq = 0;
  #killed = false;
  #hold: string | undefined;
  #syncs = 0;
  /** Whether the current connection's first positionEnd has arrived: later updates are live changes. */
  #positionsStreaming = false;
  #changeWaiters: { pred: () => boolean; ok: () => void }[] = [];
  readonly #orders = new Map<string, TrackedOrder>();
  readonly #byIbId = new Map<number, TrackedOrder>();
  /** Orders TWS reported (open orders, today's executions) that this process did not place: by orderRef. */
  readonly #brokerRefs = new Map<string, number>();
  readonly #conIds = new Map<string, number>();
  readonly #details = new Map<number, { occ: string; conId?: number; done: (err?: Error) => void }>();
  /** reqSecDefOptParams in flight: the rows received so far and where the answer goes. */
  readonly #chainLookups = new Map<
    number,
    { symbol: string; rows: OptionChainRow[]; done: (err: Error | undefined, rows: OptionChainRow[]) => void }
  >();
  #positions = new Map<string, BrokerPosition>();
  #positionsNext = new Map<string, BrokerPosition>();
  readonly #account = new Map<string, { value: string; currency: string }>();
  #sync = {
    positions: false,
    account: false,
    openOrders: false,
    executions: false,
    execReqId: -1,
    accountReqId: -1,
  };
  #readyWaiters: (() => void)[] = [];
  readonly #breaker: CircuitBreaker;
  readonly #quotes: QuoteBook;
  readonly #fills: FillAssembler;
  readonly #now: () => number;

  constructor(private readonly options: IbAdapterOptions) {
    this.#now = options.nowMs ?? (() => Date.now());
    this.#breaker = new CircuitBreaker(options.config.circuitBreaker, this.#now);
    this.#quotes = new QuoteBook(
      () => this.#nowUs(),
      (s) => options.observer?.fetchLatency?.(s),
    );
    this.#fills = new FillAssembler(
      (f) => this.#emit(f),
      () => this.#nowUs(),
    );
    this.#listen(options.api);
  }

  get state(): ConnectionState {
    return this.#state;
  }

  get breakerState() {
    return this.#breaker.state;
  }

  brokerPositions(): readonly BrokerPosition[] {
    return [...this.#positions.values()];
  }

  /**
   * Refuses new orders with `reason` until called with undefined (e.g. while positions disagree with
   * the broker's). Orders already working at TWS are not touched.
   */
  hold(reason: string | undefined): void {
    this.#hold = reason;
  }

  /** Orders submitted here that TWS has not answered yet (queued while disconnected included). */
  unacknowledged(): number {
    let n = 0;
    for (const t of this.#orders.values()) if (!t.acked && !isTerminal(t.status)) n++;
    return n;
  }

  /** Orders sent to TWS and not yet filled, cancelled or rejected. */
  workingOrders(): readonly string[] {
    const ids: string[] = [];
    for (const t of this.#orders.values())
      if (t.ibOrderId !== undefined && !isTerminal(t.status)) ids.push(t.request.orderId);
    return ids;
  }

  /** Resolves once every submitted order is acknowledged by TWS (or ended), or after `timeoutMs`: true if acknowledged. */
  whenAcknowledged(timeoutMs: number): Promise<boolean> {
    return this.#waitFor(() => this.unacknowledged() === 0 || this.#state === "stopped", timeoutMs);
  }

  #waitFor(pred: () => boolean, timeoutMs: number): Promise<boolean> {
    if (pred()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = {
        pred,
        ok: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      const timer = setTimeout(() => {
        this.#changeWaiters = this.#changeWaiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      timer.unref();
      this.#changeWaiters.push(waiter);
    });
  }

  /** Re-checks waiters after anything that can change an order's state or the connection. */
  #changed(): void {
    if (this.#changeWaiters.length === 0) return;
    const done = this.#changeWaiters.filter((w) => w.pred());
    if (done.length === 0) return;
    this.#changeWaiters = this.#changeWaiters.filter((w) => !done.includes(w));
    for (const w of done) w.ok();
  }

  accountValues(): ReadonlyMap<string, { value: string; currency: string }> {
    return this.#account;
  }

  /** Connects and resolves once the first sync is complete; keeps reconnecting on failure. */
  start(): Promise<void> {
    if (this.#state === "stopped") return Promise.reject(new Error("adapter stopped"));
    const ready = this.whenReady();
    if (this.#state === "disconnected") this.#connect();
    return ready;
  }

  whenReady(): Promise<void> {
    return this.#state === "ready" ? Promise.resolve() : new Promise((ok) => this.#readyWaiters.push(ok));
  }

  stop(): void {
    this.#setState("stopped");
    clearTimeout(this.#reconnectTimer);
    clearInterval(this.#heartbeatTimer);
    this.options.api.disconnect();
    this.#changed();
  }

  subscribeUnderlying(symbol: string): number {
    const reqId = this.#nextReqId++;
    this.#quotes.subscribe(reqId, "underlying", symbol);
    if (this.#state === "ready")
      this.options.api.reqMktData(reqId, underlyingContract(symbol), "", false, false);
    return reqId;
  }

  /** Option quotes with IB's model Greeks; generic ticks 100/101/106 add volume, open interest, IV. */
  subscribeOption(occ: string): number {
    const reqId = this.#nextReqId++;
    this.#quotes.subscribe(reqId, "option", occ);
    if (this.#state === "ready")
      this.options.api.reqMktData(reqId, optionContract(occ), "100,101,106", false, false);
    return reqId;
  }

  /**
   * What IB lists for `symbol`'s options (reqSecDefOptParams: expirations and strikes per exchange and
   * trading class), after resolving the underlying's conId. Needs a ready connection.
   */
  optionChainRows(symbol: string): Promise<OptionChainRow[]> {
    return new Promise((resolve, reject) => {
      const ask = () => {
        const reqId = this.#nextReqId++;
        this.#chainLookups.set(reqId, {
          symbol,
          rows: [],
          done: (err, rows) => (err === undefined ? resolve(rows) : reject(err)),
        });
        this.options.api.reqSecDefOptParams(reqId, symbol, "", "STK", this.#conIds.get(symbol)!);
      };
      if (this.#conIds.has(symbol)) ask();
      else
        this.#lookUpConId(symbol, underlyingContract(symbol), (err) =>
          err === undefined ? ask() : reject(err),
        );
    });
  }

  /** Places an order once per client order id; a repeated id (redelivered intent) is ignored. */
  submit(request: OrderRequest): "placed" | "queued" | "duplicate" | "rejected" {
    if (this.#orders.has(request.orderId)) return "duplicate";
    const atBroker = this.#brokerRefs.get(request.orderId);
    if (atBroker !== undefined) {
      // Placed before a restart (the intent was redelivered from the last checkpoint): follow it, never resend.
      const t: TrackedOrder = {
        request,
        ibOrderId: atBroker,
        status: "submitted",
        filled: 0,
        avgFillPrice: null,
        seenThisSync: true,
        acked: true,
      };
      this.#orders.set(request.orderId, t);
      this.#byIbId.set(atBroker, t);
      return "duplicate";
    }
    const t: TrackedOrder = {
      request,
      status: "new",
      filled: 0,
      avgFillPrice: null,
      seenThisSync: false,
      acked: false,
    };
    this.#orders.set(request.orderId, t);
    if (this.#killed) {
      this.#reject(t, "kill switch engaged: no new orders");
      return "rejected";
    }
    if (this.#hold !== undefined) {
      this.#reject(t, this.#hold);
      return "rejected";
    }
    if (this.#state !== "ready") return "queued";
    this.#place(t);
    return t.status === "rejected" ? "rejected" : "placed";
  }

  /** Records an order the caller decided not to send (reported as `rejected` with `reason`, never sent later). */
  refuse(request: OrderRequest, reason: string): void {
    if (this.#orders.has(request.orderId)) return;
    const t: TrackedOrder = {
      request,
      status: "new",
      filled: 0,
      avgFillPrice: null,
      seenThisSync: false,
      acked: true,
    };
    this.#orders.set(request.orderId, t);
    this.#reject(t, reason);
  }

  cancel(orderId: string): void {
    const t = this.#orders.get(orderId);
    if (t === undefined || isTerminal(t.status)) return;
    if (t.ibOrderId === undefined) this.#update(t, "cancelled", "cancelled before it was sent");
    else if (this.#state === "ready") this.options.api.cancelOrder(t.ibOrderId);
    else throw new Error(`not connected to TWS: cannot cancel ${orderId} now`);
  }

  /**
   * Cancels every working order of the account (reqGlobalCancel, which also covers orders placed
   * by other clients) and drops queued ones; with `flatten`, closes every broker position with a
   * market order. New orders are refused from then on.
   */
  async kill(options: { readonly flatten: boolean }): Promise<string> {
    this.#killed = true;
    let dropped = 0;
    for (const t of this.#orders.values())
      if (t.ibOrderId === undefined && !isTerminal(t.status)) {
        this.#update(t, "cancelled", "kill switch engaged before it was sent");
        dropped++;
      }
    if (this.#state !== "ready")
      throw new Error(
        `not connected to TWS (${this.#state}): ${dropped} queued order(s) dropped, working orders NOT cancelled`,
      );
    const working = this.workingOrders();
    this.options.api.reqGlobalCancel();
    const parts = [`global cancel sent`, `${dropped} queued order(s) dropped`];
    if (options.flatten) {
      const open = [...this.#positions.values()].filter((p) => p.quantity !== 0);
      for (const p of open) {
        const id = this.#nextOrderId++;
        const contract: Contract = { ...p.contract, exchange: "SMART" };
        this.options.api.placeOrder(id, contract, {
          action: p.quantity > 0 ? OrderAction.SELL : OrderAction.BUY,
          totalQuantity: Math.abs(p.quantity),
          orderType: OrderType.MKT,
          tif: TimeInForce.DAY,
          orderRef: `flatten:${p.symbol}`,
          transmit: true,
          ...(this.options.config.account === undefined ? {} : { account: this.options.config.account }),
        });
      }
      parts.push(`${open.length} position(s) flattened with market orders`);
    }
    this.#log("warn", "kill switch", { flatten: options.flatten });
    // Report what TWS confirmed, not what was asked: an operator must know if something still works.
    const confirmed = await this.#waitFor(
      () => working.every((id) => isTerminal(this.#orders.get(id)!.status)) || this.#state !== "ready",
      this.options.cancelConfirmMs ?? 10_000,
    );
    const unconfirmed = working.filter((id) => !isTerminal(this.#orders.get(id)!.status));
    if (confirmed && unconfirmed.length === 0)
      parts.splice(1, 0, `${working.length} working order(s) cancelled or done, confirmed by TWS`);
    else
      throw new Error(
        `${parts.join("; ")}; ${unconfirmed.length} of ${working.length} working order(s) NOT confirmed cancelled: ${unconfirmed.join(", ")}`,
      );
    return parts.join("; ");
  }

  #nowUs(): number {
    return Math.round(this.#now() * 1000);
  }

  #emit(event: Event): void {
    this.options.emit({ ...event, seq: this.#seq++ } as Event);
  }

  #log(level: "info" | "warn" | "error", message: string, fields?: Record<string, unknown>): void {
    this.options.observer?.log?.(level, message, fields);
  }

  #setState(s: ConnectionState): void {
    this.#state = s;
    this.options.observer?.connection?.(s);
    this.#changed();
  }

  #connect(): void {
    this.#setState("connecting");
    this.options.api.connect(this.options.config.clientId);
  }

  #scheduleReconnect(): void {
    if (this.#state === "stopped" || this.#reconnectTimer !== undefined) return;
    const delay = reconnectDelayMs(this.#attempt++, this.options.config.reconnect);
    this.#log("warn", "TWS connection lost; reconnecting", { delayMs: delay, attempt: this.#attempt });
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      if (this.#state === "disconnected") this.#connect();
    }, delay);
  }

  #listen(api: IBApi): void {
    api.on(EventName.disconnected, () => {
      if (this.#state === "stopped") return;
      clearInterval(this.#heartbeatTimer);
      this.#setState("disconnected");
      this.#scheduleReconnect();
    });
    api.on(EventName.nextValidId, (id: number) => {
      this.#nextOrderId = Math.max(this.#nextOrderId, id);
      if (this.#state === "connecting") this.#beginSync();
    });
    api.on(EventName.error, (err: Error, code: number, reqId: number) => this.#onError(err, code, reqId));
    api.on(EventName.openOrder, (ibId, _contract, order) => this.#adopt(ibId, order.orderRef));
    api.on(EventName.openOrderEnd, () => this.#syncStep("openOrders"));
    api.on(EventName.orderStatus, (ibId, status, filled, remaining, avgFillPrice) =>
      this.#onOrderStatus(ibId, status, filled, remaining, avgFillPrice),
    );
    api.on(EventName.execDetails, (_reqId, contract, execution) => {
      const t = this.#adopt(execution.orderId ?? -1, execution.orderRef);
      if (t !== undefined && t.ibOrderId !== undefined)
        this.#fills.onExecution(t.ibOrderId, t.request, contract, execution);
    });
    api.on(
      EventName.execDetailsEnd,
      (reqId) => reqId === this.#sync.execReqId && this.#syncStep("executions"),
    );
    api.on(EventName.commissionReport, (report) => this.#fills.onCommission(report));
    api.on(EventName.position, (account, contract, pos, avgCost) => {
      const symbol = occOf(contract) ?? contract.symbol ?? String(contract.conId);
      const position: BrokerPosition = {
        account,
        symbol,
        secType: contract.secType ?? "",
        quantity: pos,
        avgCost: avgCost ?? 0,
        contract,
      };
      // reqPositions keeps streaming changes after its end marker: those apply at once.
      if (this.#positionsStreaming) {
        this.#positions.set(`${account}:${symbol}`, position);
        this.options.onPositionUpdate?.();
      } else this.#positionsNext.set(`${account}:${symbol}`, position);
    });
    api.on(EventName.positionEnd, () => {
      if (this.#positionsStreaming) return;
      this.#positions = this.#positionsNext;
      this.#positionsNext = new Map();
      this.#positionsStreaming = true;
      this.#syncStep("positions");
    });
    api.on(EventName.accountSummary, (_reqId, account, tag, value, currency) =>
      this.#account.set(`${account}:${tag}`, { value, currency }),
    );
    api.on(
      EventName.accountSummaryEnd,
      (reqId) => reqId === this.#sync.accountReqId && this.#syncStep("account"),
    );
    api.on(EventName.contractDetails, (reqId, details) => {
      const d = this.#details.get(reqId);
      if (d !== undefined && details.contract.conId !== undefined) d.conId = details.contract.conId;
    });
    api.on(EventName.contractDetailsEnd, (reqId) => {
      const d = this.#details.get(reqId);
      if (d === undefined) return;
      this.#details.delete(reqId);
      if (d.conId === undefined) d.done(new Error(`TWS knows no contract ${d.occ}`));
      else {
        this.#conIds.set(d.occ, d.conId);
        d.done();
      }
    });
    api.on(
      EventName.securityDefinitionOptionParameter,
      (reqId, exchange, _conId, tradingClass, multiplier, expirations, strikes) =>
        void this.#chainLookups.get(reqId)?.rows.push({
          exchange,
          tradingClass,
          multiplier: Number(multiplier),
          expirations,
          strikes,
        }),
    );
    api.on(EventName.securityDefinitionOptionParameterEnd, (reqId) => {
      const lookup = this.#chainLookups.get(reqId);
      if (lookup === undefined) return;
      this.#chainLookups.delete(reqId);
      lookup.done(
        lookup.rows.length === 0 ? new Error(`TWS lists no options for ${lookup.symbol}`) : undefined,
        lookup.rows,
      );
    });
    api.on(EventName.tickPrice, (reqId, field, value) =>
      this.#quote(this.#quotes.onTick(reqId, field as number, value)),
    );
    api.on(
      EventName.tickSize,
      (reqId, field, value) =>
        field !== undefined &&
        value !== undefined &&
        this.#quote(this.#quotes.onTick(reqId, field as number, value)),
    );
    api.on(
      EventName.tickOptionComputation,
      (reqId, field, _attrib, iv, delta, _optPrice, _pvDiv, gamma, vega, theta, undPrice) =>
        this.#quote(
          this.#quotes.onOptionComputation(reqId, field as number, iv, delta, gamma, vega, theta, undPrice),
        ),
    );
    api.on(EventName.currentTime, () => this.options.observer?.heartbeat?.());
  }

  #quote(e: Event | undefined): void {
    if (e !== undefined) this.#emit(e);
  }

  #beginSync(): void {
    this.#setState("syncing");
    const api = this.options.api;
    this.#sync = {
      positions: false,
      account: false,
      openOrders: false,
      executions: false,
      execReqId: this.#nextReqId++,
      accountReqId: this.#nextReqId++,
    };
    for (const t of this.#orders.values()) t.seenThisSync = false;
    this.#positionsNext = new Map();
    this.#positionsStreaming = false;
    api.reqPositions();
    api.reqAccountSummary(this.#sync.accountReqId, "All", ACCOUNT_TAGS);
    api.reqAllOpenOrders();
    api.reqExecutions(this.#sync.execReqId, {});
  }

  #syncStep(step: "positions" | "account" | "openOrders" | "executions"): void {
    if (this.#state !== "syncing") return;
    this.#sync[step] = true;
    const s = this.#sync;
    if (!(s.positions && s.account && s.openOrders && s.executions)) return;
    this.#setState("ready");
    this.#attempt = 0;
    this.#breaker.recordSuccess();
    this.options.onSynced?.({ reconnect: this.#syncs++ > 0 });
    this.#log("info", "TWS synchronised", {
      positions: this.#positions.size,
      openOrders: [...this.#orders.values()].filter((t) => t.seenThisSync).length,
    });
    for (const [reqId, sub] of this.#quotes.subscriptions())
      this.options.api.reqMktData(
        reqId,
        sub.kind === "option" ? optionContract(sub.symbol) : underlyingContract(sub.symbol),
        sub.kind === "option" ? "100,101,106" : "",
        false,
        false,
      );
    for (const t of this.#orders.values()) {
      if (isTerminal(t.status) || t.seenThisSync) continue;
      if (t.ibOrderId === undefined) this.#place(t);
      // Sent before the disconnect but unknown to the broker now: never resend (it may yet appear);
      // report it so the strategy can decide.
      else
        this.#update(
          t,
          t.filled > 0 ? "cancelled" : "rejected",
          "not working at the broker after reconnect; not resent to avoid a duplicate",
        );
    }
    clearInterval(this.#heartbeatTimer);
    this.#heartbeatTimer = setInterval(
      () => this.#state === "ready" && this.options.api.reqCurrentTime(),
      this.options.config.heartbeatSeconds * 1000,
    );
    this.#heartbeatTimer.unref();
    this.options.observer?.heartbeat?.();
    const waiters = this.#readyWaiters;
    this.#readyWaiters = [];
    for (const w of waiters) w();
  }

  /** Links a broker order (open order or execution) to ours by orderRef. */
  #adopt(ibId: number, orderRef: string | undefined): TrackedOrder | undefined {
    const known = this.#byIbId.get(ibId);
    if (known !== undefined) {
      known.seenThisSync = true;
      known.acked = true;
      this.#changed();
      return known;
    }
    if (orderRef === undefined || orderRef === "") return undefined;
    const t = this.#orders.get(orderRef);
    if (t === undefined) {
      this.#brokerRefs.set(orderRef, ibId);
      return undefined;
    }
    t.ibOrderId = ibId;
    t.seenThisSync = true;
    t.acked = true;
    this.#byIbId.set(ibId, t);
    this.#nextOrderId = Math.max(this.#nextOrderId, ibId + 1);
    this.#changed();
    return t;
  }

  #place(t: TrackedOrder): void {
    if (this.#killed) {
      this.#reject(t, "kill switch engaged: no new orders");
      return;
    }
    if (this.#hold !== undefined) {
      this.#reject(t, this.#hold);
      return;
    }
    if (!this.#breaker.tryPass()) {
      this.#reject(t, "circuit breaker open after repeated failures");
      return;
    }
    const missing =
      t.request.legs.length > 1 ? t.request.legs.filter((l) => !this.#conIds.has(l.contract)) : [];
    if (missing.length > 0) {
      // Combo legs are named by conId: resolve them first, then place.
      let pending = missing.length;
      let failed = false;
      for (const leg of missing)
        this.#resolveConId(leg, (err) => {
          if (failed) return;
          if (err !== undefined) {
            failed = true;
            this.#breaker.recordFailure();
            this.#reject(t, `contract lookup failed: ${err.message}`);
            return;
          }
          if (--pending === 0) this.#send(t);
        });
      return;
    }
    this.#send(t);
  }

  #resolveConId(leg: Leg, done: (err?: Error) => void): void {
    this.#lookUpConId(leg.contract, optionContract(leg.contract), done);
  }

  /** reqContractDetails for `contract`; its conId is kept under `key` (an OCC symbol or a ticker). */
  #lookUpConId(key: string, contract: Contract, done: (err?: Error) => void): void {
    const reqId = this.#nextReqId++;
    this.#details.set(reqId, { occ: key, done });
    this.options.api.reqContractDetails(reqId, contract);
  }

  #send(t: TrackedOrder): void {
    let translated: ReturnType<typeof toIbOrder>;
    try {
      translated = toIbOrder(t.request, this.#conIds, this.options.config.account);
    } catch (err) {
      this.#reject(t, (err as Error).message);
      return;
    }
    const id = this.#nextOrderId++;
    t.ibOrderId = id;
    this.#byIbId.set(id, t);
    this.#emitOrder(t);
    this.options.api.placeOrder(id, translated.contract, translated.order);
  }

  #reject(t: TrackedOrder, reason: string): void {
    this.#update(t, "rejected", reason);
  }

  #update(t: TrackedOrder, status: OrderStatus, reason?: string): void {
    t.status = status;
    this.#emitOrder(t, reason);
    this.#changed();
  }

  #emitOrder(t: TrackedOrder, reason?: string): void {
    const r = t.request;
    const order: Order = {
      kind: "Order",
      eventTime: this.#nowUs(),
      seq: 0,
      orderId: r.orderId,
      intentId: r.intentId,
      underlying: r.underlying,
      status: t.status,
      legs: r.legs,
      quantity: r.quantity,
      filledQuantity: t.filled,
      limitPrice: r.limitPrice,
      avgFillPrice: t.avgFillPrice,
      ...(reason === undefined ? {} : { reason }),
    };
    this.#emit(order);
  }

  #onOrderStatus(
    ibId: number,
    ibStatus: string,
    filled: number,
    remaining: number,
    avgFillPrice: number,
  ): void {
    const t = this.#byIbId.get(ibId);
    if (t === undefined) return;
    t.seenThisSync = true;
    if (!t.acked) {
      t.acked = true;
      this.#changed();
    }
    const status = ourStatus(ibStatus, filled, remaining);
    if (status === undefined) return;
    const units = t.request.legs.length === 1 ? filled / t.request.legs[0]!.ratio : filled;
    // TWS repeats statuses (and sends them again after a reconnect): emit changes only.
    if (status === t.status && units === t.filled) return;
    if (isTerminal(t.status)) return;
    t.filled = units;
    t.avgFillPrice = filled > 0 ? ourNetPrice(t.request, avgFillPrice) : null;
    if (status === "rejected") {
      this.#breaker.recordFailure();
      this.options.observer?.apiError?.(0);
    } else if (status !== "new") this.#breaker.recordSuccess();
    this.#update(t, status);
    if (isTerminal(status)) this.#fills.finish(ibId);
  }

  #onError(err: Error, code: number, reqId: number): void {
    const t = this.#byIbId.get(reqId);
    const detail = this.#details.get(reqId);
    if (detail !== undefined) {
      this.#details.delete(reqId);
      detail.done(new Error(`${err.message} (IB ${code})`));
      return;
    }
    const chainLookup = this.#chainLookups.get(reqId);
    if (chainLookup !== undefined) {
      this.#chainLookups.delete(reqId);
      chainLookup.done(new Error(`${err.message} (IB ${code})`), []);
      return;
    }
    if (isNonFatalError(code, err)) return;
    this.options.observer?.apiError?.(code);
    // 202: "order cancelled" — the orderStatus that follows carries it.
    if (t !== undefined && code !== 202 && !isTerminal(t.status)) {
      this.#breaker.recordFailure();
      this.#update(t, "rejected", `IB ${code}: ${err.message}`);
      return;
    }
    this.#log(this.#state === "ready" ? "warn" : "info", "TWS error", { code, reqId, message: err.message });
    if (t === undefined && this.#state === "connecting") this.#breaker.recordFailure();
  }
}
