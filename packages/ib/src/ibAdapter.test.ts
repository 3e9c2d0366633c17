import { EventName, IBApi, OptionType, SecType } from "@stoqey/ib";
import { type Event, formatOcc, type Leg } from "@thetaflow/schemas";
import { afterEach, describe, expect, it } from "vitest";
import { reconnectDelayMs } from "./backoff.js";
import { CircuitBreaker } from "./circuitBreaker.js";
import { type ConnectionState, IbAdapter } from "./ibAdapter.js";
import { DEFAULT_IB_CONFIG, ibConfigFromEnv } from "./ibConfig.js";
import { IntentRouter, orderIdOf } from "./ibOrderSink.js";
import type { OrderRequest } from "./orderTranslation.js";
import { CLIENT_MSG, type ClientMessage, ScriptedTws } from "./testing/scriptedTws.js";

const EXPIRY = "2026-02-20";
const leg = (right: "call" | "put", strike: number, side: "buy" | "sell"): Leg => ({
  contract: formatOcc("SPY", EXPIRY, right, strike),
  right,
  strike,
  expiry: EXPIRY,
  side,
  ratio: 1,
});
const ironCondor: Leg[] = [
  leg("put", 560, "buy"),
  leg("put", 570, "sell"),
  leg("call", 620, "sell"),
  leg("call", 630, "buy"),
];
const condorOrder: OrderRequest = {
  orderId: "ic-1",
  intentId: "int-ic-1",
  underlying: "SPY",
  legs: ironCondor,
  quantity: 2,
  limitPrice: 2.35,
};
const singlePut: OrderRequest = {
  orderId: "sp-1",
  intentId: "int-sp-1",
  underlying: "SPY",
  legs: [leg("put", 570, "sell")],
  quantity: 3,
  limitPrice: 4.1,
};

/** A TWS peer, a real IBApi connected to it over a socket, and the adapter under test. */
const harness = async () => {
  const tws = new ScriptedTws();
  const port = await tws.listen();
  const api = new IBApi({ host: "127.0.0.1", port });
  const events: Event[] = [];
  const states: ConnectionState[] = [];
  const waiters: { pred: () => boolean; ok: () => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) if (w.pred()) waiters.splice(waiters.indexOf(w), 1) && w.ok();
  };
  const latencies: number[] = [];
  const adapter = new IbAdapter({
    api,
    config: {
      ...DEFAULT_IB_CONFIG,
      port,
      reconnect: { initialDelayMs: 10, maxDelayMs: 50, factor: 2 },
      circuitBreaker: { failureThreshold: 3, cooldownMs: 60_000 },
    },
    emit: (e) => {
      events.push(e);
      check();
    },
    observer: {
      connection: (s) => {
        states.push(s);
        check();
      },
      fetchLatency: (s) => void latencies.push(s),
    },
  });
  /** Resolves once `pred` holds (checked on every adapter event and state change). */
  const until = (pred: () => boolean) =>
    new Promise<void>((ok) => (pred() ? ok() : waiters.push({ pred, ok })));
  const orders = (id: string) =>
    events.filter((e) => e.kind === "Order" && e.orderId === id) as Extract<Event, { kind: "Order" }>[];
  const statuses = (id: string) => orders(id).map((o) => o.status);
  const placeOrders = () => tws.messages(CLIENT_MSG.PLACE_ORDER);
  // Every contract lookup answers with a conId derived from the strike.
  // Conditions on what the peer received are re-checked as its messages arrive.
  tws.onMessage = () => check();
  tws.beforeEnd = (m: ClientMessage) => {
    if (m.msgId !== CLIENT_MSG.REQ_CONTRACT_DATA) return;
    const reqId = Number(m.fields[1]);
    const strike = Number(m.fields[6]);
    api.emit(EventName.contractDetails, reqId, {
      contract: { conId: 900_000 + strike * 10 + (m.fields[7] === "C" ? 1 : 0) },
    });
  };
  return { tws, api, adapter, events, states, until, orders, statuses, placeOrders, latencies };
};

type Harness = Awaited<ReturnType<typeof harness>>;
let current: Harness | undefined;
afterEach(async () => {
  current?.adapter.stop();
  await current?.tws.close();
  current = undefined;
});
const start = async () => {
  current = await harness();
  await current.adapter.start();
  return current;
};

describe("IbAdapter against a scripted TWS peer (socket protocol)", () => {
  it("connects, synchronises positions/account/orders/executions, and reconnects with backoff after a drop", async () => {
    const h = await start();
    expect(h.adapter.state).toBe("ready");
    expect(h.tws.connections).toBe(1);
    for (const id of [
      CLIENT_MSG.REQ_POSITIONS,
      CLIENT_MSG.REQ_ACCOUNT_SUMMARY,
      CLIENT_MSG.REQ_ALL_OPEN_ORDERS,
      CLIENT_MSG.REQ_EXECUTIONS,
    ])
      expect(h.tws.messages(id)).toHaveLength(1);

    // TWS goes away and refuses connections for a while: the adapter keeps retrying, then resyncs.
    const port = await h.tws.pause();
    await h.until(() => h.adapter.state === "disconnected");
    await h.until(() => h.states.filter((s) => s === "connecting").length >= 3);
    await h.tws.resume(port);
    await h.adapter.whenReady();
    expect(h.tws.connections).toBe(2);
    expect(h.tws.messages(CLIENT_MSG.REQ_POSITIONS)).toHaveLength(2);
    expect(h.states).toEqual(expect.arrayContaining(["connecting", "syncing", "ready", "disconnected"]));
  });

  it("an iron condor as one BAG order: submitted, partially filled, cancelled — with Order and Fill events", async () => {
    const h = await start();
    expect(h.adapter.submit(condorOrder)).toBe("placed");
    await h.until(() => h.placeOrders().length === 1);
    const place = h.placeOrders()[0]!.fields;
    const ibId = Number(place[0]);
    expect(place).toContain("BAG");
    expect(place).toContain("ic-1"); // orderRef
    expect(place).toContain("-2.35"); // IB's combo sign: negative limit = credit
    expect(h.tws.messages(CLIENT_MSG.REQ_CONTRACT_DATA)).toHaveLength(4);

    h.tws.orderStatus(ibId, "Submitted", 0, 2, 0);
    await h.until(() => h.statuses("ic-1").includes("submitted"));

    // One of two condors fills: four leg executions, the combo execution, then the commissions.
    const prices = [1.1, 3.2, 2.9, 0.65];
    ironCondor.forEach((l, i) => {
      const contract = {
        secType: SecType.OPT,
        symbol: "SPY",
        lastTradeDateOrContractMonth: "20260220",
        strike: l.strike,
        right: l.right === "call" ? OptionType.Call : OptionType.Put,
      };
      h.api.emit(EventName.execDetails, -1, contract, {
        orderId: ibId,
        execId: `e${i}`,
        shares: 1,
        price: prices[i],
        orderRef: "ic-1",
        side: l.side === "buy" ? "BOT" : "SLD",
      });
    });
    h.api.emit(
      EventName.execDetails,
      -1,
      { secType: SecType.BAG, symbol: "SPY" },
      { orderId: ibId, execId: "bag1", shares: 1, price: -4.35, orderRef: "ic-1" },
    );
    expect(h.events.filter((e) => e.kind === "Fill")).toHaveLength(0); // commissions not in yet
    for (let i = 0; i < 4; i++) h.api.emit(EventName.commissionReport, { execId: `e${i}`, commission: 0.65 });
    h.tws.orderStatus(ibId, "Submitted", 1, 1, -4.35);
    await h.until(() => h.statuses("ic-1").includes("partially_filled"));

    h.adapter.cancel("ic-1");
    await h.until(() => h.tws.messages(CLIENT_MSG.CANCEL_ORDER).length === 1);
    // At server version 193 (CME tagging fields) CANCEL_ORDER carries no version field: the id comes first.
    expect(Number(h.tws.messages(CLIENT_MSG.CANCEL_ORDER)[0]!.fields[0])).toBe(ibId);
    h.tws.orderStatus(ibId, "Cancelled", 1, 1, -4.35);
    await h.until(() => h.statuses("ic-1").includes("cancelled"));

    expect(h.statuses("ic-1")).toEqual(["new", "submitted", "partially_filled", "cancelled"]);
    const last = h.orders("ic-1").at(-1)!;
    expect(last).toMatchObject({ filledQuantity: 1, quantity: 2, avgFillPrice: 4.35, intentId: "int-ic-1" });
    const fills = h.events.filter((e) => e.kind === "Fill");
    expect(fills).toHaveLength(1);
    expect(fills[0]).toMatchObject({
      orderId: "ic-1",
      quantity: 1,
      netPrice: 4.35,
      commissionCents: 260,
      fillId: "ic-1:bag1",
    });
    expect(fills[0]!.kind === "Fill" && fills[0]!.legs.map((l) => [l.side, l.quantity, l.price])).toEqual([
      ["buy", 1, 1.1],
      ["sell", 1, 3.2],
      ["sell", 1, 2.9],
      ["buy", 1, 0.65],
    ]);
    // Every event carries the adapter's own increasing seq.
    expect(h.events.map((e) => e.seq)).toEqual(h.events.map((_, i) => i));
  });

  it("never sends an order twice across a reconnect: in-flight orders are adopted by orderRef, redelivered intents ignored", async () => {
    const h = await start();
    h.adapter.submit(singlePut);
    await h.until(() => h.placeOrders().length === 1);
    const ibId = Number(h.placeOrders()[0]!.fields[0]);
    expect(h.placeOrders()[0]!.fields).toContain("sp-1");

    // The connection drops before TWS acknowledges. While it is down, the same intent is redelivered
    // and a new one arrives.
    h.tws.nextValidId = ibId + 1;
    h.tws.dropConnections();
    await h.until(() => h.adapter.state === "disconnected");
    expect(h.adapter.submit(singlePut)).toBe("duplicate");
    const second: OrderRequest = { ...singlePut, orderId: "sp-2", intentId: "int-sp-2" };
    expect(h.adapter.submit(second)).toBe("queued");

    // After reconnecting, TWS lists the first order among its open orders.
    h.tws.beforeEnd = (m) => {
      if (m.msgId !== CLIENT_MSG.REQ_ALL_OPEN_ORDERS) return;
      h.api.emit(
        EventName.openOrder,
        ibId,
        { secType: SecType.OPT, symbol: "SPY" },
        { orderRef: "sp-1", totalQuantity: 3 },
        { status: "Submitted" },
      );
      h.tws.orderStatus(ibId, "Submitted", 0, 3, 0);
    };
    await h.adapter.whenReady();
    await h.until(() => h.placeOrders().length === 2);
    const refs = h
      .placeOrders()
      .map((m) => (m.fields.includes("sp-1") ? "sp-1" : m.fields.includes("sp-2") ? "sp-2" : "?"));
    expect(refs).toEqual(["sp-1", "sp-2"]);
    expect(Number(h.placeOrders()[1]!.fields[0])).toBeGreaterThan(ibId);
    await h.until(() => h.statuses("sp-1").includes("submitted"));
    expect(h.statuses("sp-1")).toEqual(["new", "submitted"]);
    expect(h.adapter.submit(second)).toBe("duplicate");
    expect(h.placeOrders()).toHaveLength(2);
  });

  it("after a restart, an intent redelivered from the last checkpoint whose order TWS already has (by orderRef) is followed, not sent again", async () => {
    current = await harness();
    const h = current;
    h.tws.beforeEnd = (m) => {
      if (m.msgId !== CLIENT_MSG.REQ_ALL_OPEN_ORDERS) return;
      h.api.emit(
        EventName.openOrder,
        41,
        { secType: SecType.OPT, symbol: "SPY" },
        { orderRef: "sp-1", totalQuantity: 3 },
        { status: "Submitted" },
      );
    };
    await h.adapter.start();
    expect(h.adapter.submit(singlePut)).toBe("duplicate");
    expect(h.adapter.unacknowledged()).toBe(0);
    h.tws.orderStatus(41, "Filled", 3, 0, 4.1);
    await h.until(() => h.statuses("sp-1").includes("filled"));
    expect(h.orders("sp-1").at(-1)).toMatchObject({ filledQuantity: 3, avgFillPrice: 4.1 });
    expect(h.placeOrders()).toHaveLength(0);
  });

  it("an order sent before a drop and unknown to TWS afterwards is reported, not resent", async () => {
    const h = await start();
    h.adapter.submit(singlePut);
    await h.until(() => h.placeOrders().length === 1);
    h.tws.dropConnections();
    await h.until(() => h.adapter.state === "ready" && h.tws.connections === 2);
    await h.until(() => h.statuses("sp-1").includes("rejected"));
    expect(h.orders("sp-1").at(-1)!.reason).toContain("not resent");
    expect(h.placeOrders()).toHaveLength(1);
  });

  it("opens the circuit breaker after repeated rejections and refuses orders without sending them", async () => {
    const h = await start();
    for (let i = 0; i < 3; i++) {
      const req = { ...singlePut, orderId: `r-${i}`, intentId: `int-r-${i}` };
      h.adapter.submit(req);
      await h.until(() => h.placeOrders().length === i + 1);
      h.tws.error(Number(h.placeOrders()[i]!.fields[0]), 201, "Order rejected - reason: insufficient margin");
      await h.until(() => h.statuses(`r-${i}`).includes("rejected"));
    }
    expect(h.adapter.breakerState).toBe("open");
    expect(h.adapter.submit({ ...singlePut, orderId: "r-3", intentId: "int-r-3" })).toBe("rejected");
    expect(h.orders("r-3").at(-1)!.reason).toBe("circuit breaker open after repeated failures");
    expect(h.orders("r-0").at(-1)!.reason).toBe("IB 201: Order rejected - reason: insufficient margin");
    expect(h.placeOrders()).toHaveLength(3);
  });

  it("kill switch: global cancel, queued orders dropped, positions flattened with market orders, new orders refused", async () => {
    current = await harness();
    const h = current;
    h.tws.beforeEnd = (m) => {
      if (m.msgId !== CLIENT_MSG.REQ_POSITIONS) return;
      h.api.emit(
        EventName.position,
        "DU1234567",
        {
          conId: 5001,
          secType: SecType.OPT,
          symbol: "SPY",
          lastTradeDateOrContractMonth: "20260220",
          strike: 570,
          right: OptionType.Put,
        },
        -3,
        410,
      );
      h.api.emit(
        EventName.position,
        "DU1234567",
        { conId: 756733, secType: SecType.STK, symbol: "SPY" },
        100,
        590,
      );
      h.api.emit(
        EventName.position,
        "DU1234567",
        {
          conId: 5002,
          secType: SecType.OPT,
          symbol: "SPY",
          lastTradeDateOrContractMonth: "20260220",
          strike: 560,
          right: OptionType.Put,
        },
        0,
        0,
      );
    };
    await h.adapter.start();
    expect(h.adapter.brokerPositions().map((p) => [p.symbol, p.quantity])).toEqual([
      [formatOcc("SPY", EXPIRY, "put", 570), -3],
      ["SPY", 100],
      [formatOcc("SPY", EXPIRY, "put", 560), 0],
    ]);
    const summary = await h.adapter.kill({ flatten: true });
    expect(summary).toContain("2 position(s) flattened");
    await h.until(
      () => h.placeOrders().length === 2 && h.tws.messages(CLIENT_MSG.REQ_GLOBAL_CANCEL).length === 1,
    );
    const flat = h.placeOrders().map((m) => m.fields);
    expect(flat[0]).toEqual(
      expect.arrayContaining(["BUY", "3", "MKT", `flatten:${formatOcc("SPY", EXPIRY, "put", 570)}`]),
    );
    expect(flat[1]).toEqual(expect.arrayContaining(["SELL", "100", "MKT", "flatten:SPY"]));
    expect(h.adapter.submit(singlePut)).toBe("rejected");
    expect(h.placeOrders()).toHaveLength(2);
  });

  it("option market data becomes OptionQuote events carrying IB's own IV and Greeks (in our units)", async () => {
    const h = await start();
    const occ = formatOcc("SPY", EXPIRY, "call", 620);
    const reqId = h.adapter.subscribeOption(occ);
    await h.until(() => h.tws.messages(CLIENT_MSG.REQ_MKT_DATA).length === 1);
    h.api.emit(EventName.tickPrice, reqId, 1, 5.1);
    expect(h.events.filter((e) => e.kind === "OptionQuote")).toHaveLength(0); // one-sided
    h.api.emit(EventName.tickPrice, reqId, 2, 5.3);
    h.api.emit(EventName.tickOptionComputation, reqId, 13, 0, 0.182, 0.41, 5.2, 0, 0.012, 0.35, -0.06, 601.5);
    const quotes = h.events.filter((e) => e.kind === "OptionQuote");
    expect(quotes).toHaveLength(2);
    expect(quotes[1]).toMatchObject({
      contract: occ,
      underlying: "SPY",
      strike: 620,
      right: "call",
      expiry: EXPIRY,
      bid: 5.1,
      ask: 5.3,
      underlyingPrice: 601.5,
    });
    const vendor = quotes[1]!.kind === "OptionQuote" ? quotes[1]!.vendor! : {};
    expect(vendor.iv).toBe(0.182);
    expect(vendor.delta).toBe(0.41);
    expect(vendor.vega).toBeCloseTo(35, 9);
    expect(vendor.theta).toBeCloseTo(-21.9, 9);
    expect(h.latencies).toHaveLength(1);
  });
});

describe("intent router", () => {
  it("submits one order per risk-accepted intent with the decision's quantity; rejected intents and repeats send nothing", async () => {
    const h = await start();
    const router = new IntentRouter(h.adapter);
    const intent = (id: string) => ({
      kind: "OrderIntent" as const,
      eventTime: 1,
      seq: 0,
      id,
      signalId: `s-${id}`,
      underlying: "SPY",
      strategy: "bull_put_spread",
      purpose: "open" as const,
      legs: [leg("put", 570, "sell")],
      quantity: 5,
      limitPrice: 4.1,
      maxRiskPerUnitCents: 100_000,
      confidence: 0.7,
      regime: "low_vol" as const,
    });
    const decision = (id: string, accepted: boolean) => ({
      kind: "RiskDecision" as const,
      eventTime: 2,
      seq: 0,
      intentId: id,
      underlying: "SPY",
      accepted,
      quantity: accepted ? 2 : 0,
      reasons: accepted ? [] : ["max_risk"],
      tradingState: "ACTIVE" as const,
    });
    router.intent(intent("a"));
    router.intent(intent("b"));
    expect(router.decision(decision("b", false))).toBeUndefined();
    expect(router.decision(decision("a", true))).toBe("placed");
    router.intent(intent("a"));
    expect(router.decision(decision("a", true))).toBe("duplicate");
    await h.until(() => h.placeOrders().length === 1);
    expect(h.placeOrders()[0]!.fields).toContain(orderIdOf("a"));
    expect(h.orders(orderIdOf("a"))[0]).toMatchObject({ quantity: 2, intentId: "a" });
    expect(h.orders(orderIdOf("b"))).toEqual([]);
    expect(h.placeOrders()).toHaveLength(1);
  });
});

describe("IB connection policy", () => {
  it("backoff doubles up to its cap", () => {
    const p = { initialDelayMs: 1000, maxDelayMs: 60_000, factor: 2 };
    expect([0, 1, 2, 5, 6, 10].map((a) => reconnectDelayMs(a, p))).toEqual([
      1000, 2000, 4000, 32_000, 60_000, 60_000,
    ]);
  });

  it("circuit breaker: opens after the threshold, lets one trial through after the cooldown, closes on success", () => {
    let now = 0;
    const b = new CircuitBreaker({ failureThreshold: 2, cooldownMs: 1000 }, () => now);
    b.recordFailure();
    expect(b.tryPass()).toBe(true);
    b.recordFailure();
    expect(b.state).toBe("open");
    expect(b.tryPass()).toBe(false);
    now = 1000;
    expect(b.tryPass()).toBe(true);
    expect(b.tryPass()).toBe(false);
    b.recordFailure();
    expect(b.state).toBe("open");
    now = 2000;
    expect(b.tryPass()).toBe(true);
    b.recordSuccess();
    expect(b.state).toBe("closed");
  });

  it("paper by default; a live port needs IB_TRADING_MODE=live", () => {
    expect(ibConfigFromEnv({}).port).toBe(7497);
    expect(() => ibConfigFromEnv({ IB_PORT: "7496" })).toThrow(/IB_TRADING_MODE=live/);
    expect(ibConfigFromEnv({ IB_TRADING_MODE: "live" }).port).toBe(7496);
  });
});
