import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventName, IBApi, OptionType, SecType } from "@stoqey/ib";
import type { EventSink } from "@thetaflow/core";
import { type Event, formatOcc, type Leg, type Position } from "@thetaflow/schemas";
import { Schema } from "effect";
import { afterEach, describe, expect, it } from "vitest";
import { IbSinkParams, ibSink } from "./ibSink.js";
import type { ReconciliationReport } from "./reconciliation.js";
import { spyPutPosition } from "./testing/positions.js";
import { CLIENT_MSG, type ClientMessage, ScriptedTws } from "./testing/scriptedTws.js";

const EXPIRY = "2026-02-20";
const occ = (strike: number) => formatOcc("SPY", EXPIRY, "put", strike);
const singlePut = (strike: number): Leg[] => [
  { contract: occ(strike), right: "put", strike, expiry: EXPIRY, side: "sell", ratio: 1 },
];
/** Decided now (wall clock): the sink refuses intents older than `maxIntentAgeMs`. */
const intent = (id: string, decidedAtUs = Date.now() * 1000): Event[] => [
  {
    kind: "OrderIntent",
    eventTime: decidedAtUs,
    seq: 0,
    id,
    signalId: `s-${id}`,
    underlying: "SPY",
    strategy: "short_put",
    purpose: "open",
    legs: singlePut(570),
    quantity: 1,
    limitPrice: 4.1,
    maxRiskPerUnitCents: 50_000,
    confidence: 0.7,
    regime: "low_vol",
  },
  {
    kind: "RiskDecision",
    eventTime: decidedAtUs + 1,
    seq: 0,
    intentId: id,
    underlying: "SPY",
    accepted: true,
    quantity: 1,
    reasons: [],
    tradingState: "ACTIVE",
  },
];
const enginePosition = (strike: number, quantity: number): Position =>
  spyPutPosition({
    id: `pos-${strike}`,
    eventTime: 3,
    strategy: "short_put",
    legs: [{ strike, quantity, avgPrice: 4.1 }],
  });
const ibPut = (strike: number) => ({
  conId: 900_000 + strike,
  secType: SecType.OPT,
  symbol: "SPY",
  lastTradeDateOrContractMonth: "20260220",
  strike,
  right: OptionType.Put,
});

/** The `ib` sink opened against a scripted TWS peer (socket protocol) in a fresh run directory. */
const harness = async () => {
  const tws = new ScriptedTws();
  const port = await tws.listen();
  const outDir = mkdtempSync(join(tmpdir(), "thetaflow-ib-sink-"));
  let api: IBApi | undefined;
  const reports: ReconciliationReport[] = [];
  const brokerEvents: Event[] = [];
  const logs: string[] = [];
  const waiters: { pred: () => boolean; ok: () => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) if (w.pred()) waiters.splice(waiters.indexOf(w), 1) && w.ok();
  };
  tws.onMessage = () => check();
  const h = {
    tws,
    port,
    outDir,
    reports,
    brokerEvents,
    logs,
    get api(): IBApi {
      return api!;
    },
    positionsAtSync: [] as [number, number][],
    until: (pred: () => boolean) => new Promise<void>((ok) => (pred() ? ok() : waiters.push({ pred, ok }))),
    placed: () => tws.messages(CLIENT_MSG.PLACE_ORDER),
    open: async (
      params: Record<string, unknown>,
      resume?: unknown,
      env: NodeJS.ProcessEnv = {},
    ): Promise<EventSink> =>
      ibSink({
        env,
        createApi: (host, p) => {
          api = new IBApi({ host, port: p });
          return api;
        },
        reconciled: (_id, r) => {
          reports.push(r);
          check();
        },
        brokerEvent: (_id, e) => {
          brokerEvents.push(e);
          check();
        },
        log: (_level, message) => {
          logs.push(message);
          check();
        },
      }).open(Schema.decodeUnknownSync(IbSinkParams)({ host: "127.0.0.1", port, ...params }), {
        sinkId: "broker",
        outDir,
        baseDir: outDir,
        ...(resume === undefined ? {} : { resume }),
      }),
  };
  tws.beforeEnd = (m: ClientMessage) => {
    if (m.msgId === CLIENT_MSG.REQ_POSITIONS)
      for (const [strike, q] of h.positionsAtSync)
        api!.emit(EventName.position, "DU1234567", ibPut(strike), q, 410);
  };
  return h;
};

type Harness = Awaited<ReturnType<typeof harness>>;
let current: { h: Harness; sink?: EventSink } | undefined;
afterEach(async () => {
  await current?.sink?.close();
  await current?.h.tws.close();
  if (current) rmSync(current.h.outDir, { recursive: true, force: true });
  current = undefined;
});
const setup = async () => {
  const h = await harness();
  current = { h };
  return h;
};

describe("ib sink", () => {
  it("halt policy: an order is refused while the account holds a position the engine does not; once the operator closes it in TWS, the next order goes out", async () => {
    const h = await setup();
    h.positionsAtSync = [[500, -2]];
    const sink = await h.open({ reconciliation: "halt" });
    current!.sink = sink;
    expect(h.reports.map((r) => r.action)).toEqual(["halted"]);

    for (const e of intent("x")) sink.write(e);
    expect(h.brokerEvents).toMatchObject([{ kind: "Order", orderId: "x:0", status: "rejected" }]);
    expect(sink.backpressure?.()).toBeUndefined();

    // The operator closes the stray put in TWS; reqPositions streams the change.
    h.api.emit(EventName.position, "DU1234567", ibPut(500), 0, 0);
    expect(h.reports.map((r) => r.action)).toEqual(["halted", "resumed"]);
    for (const e of intent("y")) sink.write(e);
    await h.until(() => h.placed().length === 1);
    expect(h.placed()[0]!.fields).toContain("y:0");
    expect(h.placed().some((m) => m.fields.includes("x:0"))).toBe(false);
    const pressure = sink.backpressure?.();
    expect(pressure).toBeDefined();
    h.tws.orderStatus(Number(h.placed()[0]!.fields[0]), "Submitted", 0, 1, 0);
    await pressure;

    const lines = readFileSync(join(h.outDir, "broker.reconciliation.ndjson"), "utf8").trim().split("\n");
    expect(lines.map((l) => JSON.parse(l).action)).toEqual(["halted", "resumed"]);
  });

  it("the engine's own Position events can resolve a halt too (its paper fill catches up with the broker's)", async () => {
    const h = await setup();
    h.positionsAtSync = [[570, -1]];
    const sink = await h.open({});
    current!.sink = sink;
    expect(h.reports.map((r) => r.action)).toEqual(["halted"]);
    sink.write(enginePosition(570, -1));
    expect(h.reports.map((r) => r.action)).toEqual(["halted", "resumed"]);
  });

  it("while TWS is away the feed is held: backpressure resolves only once the queued order is sent and acknowledged after the reconnect", async () => {
    const h = await setup();
    const sink = await h.open({});
    current!.sink = sink;
    const port = await h.tws.pause();
    await h.until(() => h.logs.includes("TWS connection lost; reconnecting"));
    for (const e of intent("q")) sink.write(e);
    let released = false;
    const pressure = sink.backpressure?.();
    expect(pressure).toBeDefined();
    void pressure!.then(() => {
      released = true;
    });
    await h.tws.resume(port);
    await h.until(() => h.placed().length === 1);
    expect(released).toBe(false);
    h.tws.orderStatus(Number(h.placed()[0]!.fields[0]), "Submitted", 0, 1, 0);
    await pressure;
    expect(released).toBe(true);
    expect(h.reports.map((r) => [r.trigger, r.action])).toEqual([
      ["connect", "none"],
      ["reconnect", "none"],
    ]);
  });

  it("a live run resumes with the engine's positions from its checkpoint, so the broker's match at connect", async () => {
    const h = await setup();
    const first = await h.open({});
    first.write(enginePosition(570, -1));
    const checkpoint = first.checkpoint?.();
    await first.close();
    h.positionsAtSync = [[570, -1]];
    const sink = await h.open({}, checkpoint);
    current!.sink = sink;
    expect(h.reports.map((r) => [r.trigger, r.matched])).toEqual([
      ["connect", true],
      ["connect", true],
    ]);
  });

  it("refuses an accepted intent decided long ago (a replay is never traded) without sending it", async () => {
    const h = await setup();
    const sink = await h.open({ maxIntentAgeMs: 60_000 });
    current!.sink = sink;
    for (const e of intent("old", (Date.now() - 3_600_000) * 1000)) sink.write(e);
    expect(h.brokerEvents).toHaveLength(1);
    expect(h.brokerEvents[0]).toMatchObject({ kind: "Order", orderId: "old:0", status: "rejected" });
    expect((h.brokerEvents[0] as { reason: string }).reason).toMatch(
      /^decided 3600 s ago \(maxIntentAgeMs 60000\): replayed history is not traded$/,
    );
    for (const e of intent("fresh")) sink.write(e);
    await h.until(() => h.placed().length === 1);
    expect(h.placed()[0]!.fields).toContain("fresh:0");
    h.tws.orderStatus(Number(h.placed()[0]!.fields[0]), "Submitted", 0, 1, 0);
    await sink.backpressure?.();
  });

  it("the environment's IB_PORT wins over the topology's port (the deployment says where TWS is)", async () => {
    const h = await setup();
    const sink = await h.open({ port: 4002 }, undefined, { IB_PORT: String(h.port) });
    current!.sink = sink;
    expect(h.tws.connections).toBe(1);
  });

  it("fails to open with a clear message when no TWS answers in time, and refuses a live port without IB_TRADING_MODE=live", async () => {
    const h = await setup();
    const port = await h.tws.pause();
    await expect(h.open({ port, connectTimeoutMs: 200 })).rejects.toThrow(
      /no TWS \/ IB Gateway connected and synchronised at 127\.0\.0\.1:\d+ within 0\.2 s/,
    );
    await h.tws.resume(port);
    await expect(h.open({ port: 7496 })).rejects.toThrow(/IB_TRADING_MODE=live/);
  });
});
