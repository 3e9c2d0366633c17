import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { EventName, IBApi, OptionType, SecType } from "@stoqey/ib";
import { CLIENT_MSG, type ClientMessage, ScriptedTws, spyPutPosition } from "@thetaflow/ib";
import { type Alert, type AuditEntry, LiveSession, requestKill, verifyAuditFile } from "@thetaflow/live";
import { type Event, encodeEvent, formatOcc, type Leg, type Position } from "@thetaflow/schemas";
import { afterEach, describe, expect, it } from "vitest";
import { runFile } from "../packages/cli/src/commands/run.js";
import { tempDir } from "./support/tmp.js";

/*
 * `thetaflow run` (runFile, the command's own code path, with the CLI's registries) on a small replay,
 * trading through the `ib` sink against ScriptedTws — a scripted peer speaking the TWS socket
 * protocol. No TWS can run here; this peer is the one place the project scripts a counterpart.
 * Messages whose wire format the peer does not encode (executions, commission reports, positions,
 * open orders, contract details) are emitted on the sink's own IBApi, as @stoqey/ib's tests do.
 * Everything waits on the peer's or the engine's events: no sleeps.
 */

const TOKEN = "ib-e2e-token-7c1d9e52";
const ACCOUNT = "DU1234567";
const EXPIRY = "2026-02-20";
/** The replay's decisions are stamped "now": the ib sink refuses intents older than maxIntentAgeMs. */
const T0 = Date.now() * 1000;

const put = (strike: number, side: "buy" | "sell"): Leg => ({
  contract: formatOcc("SPY", EXPIRY, "put", strike),
  right: "put",
  strike,
  expiry: EXPIRY,
  side,
  ratio: 1,
});
/** A bull put spread: short `short`, long `short - 10`. */
const spread = (short: number): Leg[] => [put(short, "sell"), put(short - 10, "buy")];
const ibPut = (strike: number) => ({
  conId: 900_000 + strike * 10,
  secType: SecType.OPT,
  symbol: "SPY",
  lastTradeDateOrContractMonth: "20260220",
  strike,
  right: OptionType.Put,
});

const intentAndDecision = (id: string, at: number, legs: Leg[]): Event[] => [
  {
    kind: "OrderIntent",
    eventTime: T0 + at,
    seq: 0,
    id,
    signalId: `sig-${id}`,
    underlying: "SPY",
    strategy: "bull_put_spread",
    purpose: "open",
    legs,
    quantity: 1,
    limitPrice: 1.2,
    maxRiskPerUnitCents: 88_000,
    confidence: 0.7,
    regime: "low_vol",
  },
  {
    kind: "RiskDecision",
    eventTime: T0 + at + 1,
    seq: 0,
    intentId: id,
    underlying: "SPY",
    accepted: true,
    quantity: 1,
    reasons: [],
    tradingState: "ACTIVE",
  },
];

/** The trading operator's view of a filled spread (one unit). */
const enginePosition = (id: string, at: number, short: number): Position =>
  spyPutPosition({
    id,
    eventTime: T0 + at,
    strategy: "bull_put_spread",
    legs: [
      { strike: short, quantity: -1, avgPrice: 3.2 },
      { strike: short - 10, quantity: 1, avgPrice: 1.1 },
    ],
  });

const ndjson = (events: readonly Event[]) =>
  `${events.map((e) => JSON.stringify(encodeEvent(e))).join("\n")}\n`;

/**
 * Two sources so that the engine asks its sinks for backpressure between every decision: the
 * decisions go to the ib sink, a clock source interleaves ticks between them.
 */
const writeTopology = (
  dir: string,
  port: number,
  decisions: readonly Event[],
  policy: "halt" | "adopt",
): string => {
  const times = decisions.map((e) => e.eventTime);
  const clock: Event[] = times.map((t, i) => ({
    kind: "UnderlyingTick",
    eventTime: t + 500,
    seq: i,
    symbol: "SPY",
    price: 600 + i,
  }));
  writeFileSync(join(dir, "decisions.ndjson"), ndjson(decisions.map((e, i) => ({ ...e, seq: i }))));
  writeFileSync(join(dir, "clock.ndjson"), ndjson(clock));
  const file = join(dir, "ib-e2e.yaml");
  writeFileSync(
    file,
    `name: ib-e2e
sources:
  - id: decisions
    replay: { files: [decisions.ndjson] }
  - id: clock
    replay: { files: [clock.ndjson] }
sinks:
  - id: broker
    type: ib
    inputs: [decisions]
    kinds: [OrderIntent, RiskDecision, Position]
    params: { host: 127.0.0.1, port: ${port}, clientId: 7, reconciliation: ${policy} }
  - id: ticks
    type: ndjson
    inputs: [clock]
`,
  );
  return file;
};

/** The peer, the IBApi the sink creates, and a predicate wait driven by the peer's messages. */
const peerHarness = async () => {
  const tws = new ScriptedTws();
  const port = await tws.listen();
  let api: IBApi | undefined;
  const waiters: { pred: () => boolean; ok: () => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) if (w.pred()) waiters.splice(waiters.indexOf(w), 1) && w.ok();
  };
  const placed = () =>
    tws.messages(CLIENT_MSG.PLACE_ORDER).map((m) => ({
      ibId: Number(m.fields[0]),
      ref: m.fields.find((f) => /^(int-|flatten:)/.test(f)) ?? "?",
      fields: m.fields,
    }));
  const peer = {
    tws,
    port,
    placed,
    get api(): IBApi {
      if (api === undefined) throw new Error("the ib sink has not created its IBApi yet");
      return api;
    },
    createApi: (host: string, p: number) => {
      api = new IBApi({ host, port: p });
      return api;
    },
    until: (pred: () => boolean) => new Promise<void>((ok) => (pred() ? ok() : waiters.push({ pred, ok }))),
    /** What the peer does with each order the sink places (by orderRef). */
    onPlace: (_ref: string, _ibId: number) => {},
    /** Extra answers before a sync request's end marker (positions, open orders). */
    beforeSyncEnd: (_m: ClientMessage) => {},
    onGlobalCancel: () => {},
    emitPosition: (strike: number, quantity: number) =>
      peer.api.emit(EventName.position, ACCOUNT, ibPut(strike), quantity, 100),
  };
  tws.beforeEnd = (m) => {
    if (m.msgId === CLIENT_MSG.REQ_CONTRACT_DATA) {
      // Every contract lookup answers with a conId derived from the strike.
      peer.api.emit(EventName.contractDetails, Number(m.fields[1]), {
        contract: { conId: 900_000 + Number(m.fields[6]) * 10 },
      });
      return;
    }
    peer.beforeSyncEnd(m);
  };
  tws.onMessage = (m) => {
    if (m.msgId === CLIENT_MSG.PLACE_ORDER) {
      const p = placed().at(-1)!;
      peer.onPlace(p.ref, p.ibId);
    } else if (m.msgId === CLIENT_MSG.REQ_GLOBAL_CANCEL) peer.onGlobalCancel();
    check();
  };
  return peer;
};

const openSession = async (dir: string, alerts: Alert[]) =>
  LiveSession.open(
    {
      dashboard: true,
      dashboardHost: "127.0.0.1",
      dashboardPort: 0,
      metricsHost: "127.0.0.1",
      hold: false,
      auditLog: join(dir, "audit.ndjson"),
    },
    {
      env: { THETAFLOW_TOKEN: TOKEN },
      print: () => {},
      logger: { log: () => {} },
      channels: [{ name: "test", send: async (a) => void alerts.push(a) }],
    },
  );

const readLines = <T>(file: string): T[] =>
  readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as T);

type BrokerEvent = { kind: string; orderId: string; status?: string; reason?: string } & Record<
  string,
  unknown
>;

describe("thetaflow run with an ib sink against a scripted TWS peer", () => {
  const dir = tempDir();
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  it("sends orders and records IB's fills; after a reconnect adopts the in-flight order without resending it, detects a planted position mismatch and holds new orders", async () => {
    const peer = await peerHarness();
    const alerts: Alert[] = [];
    const session = await openSession(dir, alerts);
    cleanup = async () => {
      await session.close();
      await peer.tws.close();
    };
    const decisions = [
      ...intentAndDecision("int-A", 1_000, spread(570)),
      enginePosition("pos-A", 3_000, 570),
      ...intentAndDecision("int-B", 5_000, spread(575)),
      ...intentAndDecision("int-C", 7_000, spread(580)),
      ...intentAndDecision("int-D", 9_000, spread(585)),
      ...intentAndDecision("int-E", 11_000, spread(590)),
    ];
    const file = writeTopology(dir, peer.port, decisions, "halt");
    const ids: Record<string, number> = {};

    peer.onPlace = (ref, ibId) => {
      ids[ref] = ibId;
      if (ref === "int-A:0") {
        // Spread A fills: both legs, the combo execution, their commissions, then the final status.
        peer.tws.orderStatus(ibId, "Submitted", 0, 1, 0);
        const legPrices: [number, number][] = [
          [570, 3.2],
          [560, 1.1],
        ];
        for (const [strike, price] of legPrices)
          peer.api.emit(EventName.execDetails, -1, ibPut(strike), {
            orderId: ibId,
            execId: `A-${strike}`,
            shares: 1,
            price,
            orderRef: ref,
          });
        peer.api.emit(
          EventName.execDetails,
          -1,
          { secType: SecType.BAG, symbol: "SPY" },
          { orderId: ibId, execId: "A-bag", shares: 1, price: -2.1, orderRef: ref },
        );
        for (const [strike] of legPrices)
          peer.api.emit(EventName.commissionReport, { execId: `A-${strike}`, commission: 0.65 });
        peer.tws.orderStatus(ibId, "Filled", 1, 0, -2.1);
        // reqPositions streams the account's change.
        peer.emitPosition(570, -1);
        peer.emitPosition(560, 1);
      } else if (ref === "int-B:0") peer.tws.orderStatus(ibId, "Submitted", 0, 1, 0);
      else if (ref === "int-C:0") {
        // The connection drops before TWS acknowledges C. After the reconnect TWS lists B and C
        // as working, and the account holds A's legs plus a short put the engine knows nothing of.
        peer.tws.nextValidId = ibId + 1;
        peer.beforeSyncEnd = (m) => {
          if (m.msgId === CLIENT_MSG.REQ_POSITIONS) {
            peer.emitPosition(570, -1);
            peer.emitPosition(560, 1);
            peer.emitPosition(500, -2);
          } else if (m.msgId === CLIENT_MSG.REQ_ALL_OPEN_ORDERS)
            for (const r of ["int-B:0", "int-C:0"]) {
              peer.api.emit(
                EventName.openOrder,
                ids[r]!,
                { secType: SecType.BAG, symbol: "SPY" },
                { orderRef: r, totalQuantity: 1 },
                { status: "Submitted" },
              );
              peer.tws.orderStatus(ids[r]!, "Submitted", 0, 1, 0);
            }
        };
        peer.tws.dropConnections();
      }
    };

    const report = await runFile(file, {
      out: join(dir, "out"),
      progress: false,
      session,
      ib: { createApi: peer.createApi, env: {} },
    });
    expect(report.events.in).toBe(decisions.length * 2);
    expect(peer.tws.connections).toBe(2);

    // No duplicate: A, B, C each placed once; C (in flight at the drop) was adopted, D and E were held.
    expect(peer.placed().map((p) => p.ref)).toEqual(["int-A:0", "int-B:0", "int-C:0"]);
    expect(peer.placed()[0]!.fields).toContain("BAG");

    const broker = readLines<BrokerEvent>(join(dir, "out", "broker.broker.ndjson"));
    const statuses = (id: string) =>
      broker.filter((e) => e.kind === "Order" && e.orderId === id).map((e) => e.status);
    expect(statuses("int-A:0")).toEqual(["new", "submitted", "filled"]);
    expect(statuses("int-B:0")).toEqual(["new", "submitted"]);
    expect(statuses("int-C:0")).toEqual(["new", "submitted"]);
    for (const held of ["int-D:0", "int-E:0"]) {
      expect(statuses(held)).toEqual(["rejected"]);
      expect(broker.find((e) => e.orderId === held)!.reason).toMatch(/positions differ from the broker's/);
    }
    const fills = broker.filter((e) => e.kind === "Fill");
    expect(fills).toHaveLength(1);
    expect(fills[0]).toMatchObject({ orderId: "int-A:0", quantity: 1, netPrice: 2.1, commissionCents: 130 });

    const recon = readLines<Record<string, unknown>>(join(dir, "out", "broker.reconciliation.ndjson"));
    expect(recon.map((r) => [r.trigger, r.matched, r.action])).toEqual([
      ["connect", true, "none"],
      ["reconnect", false, "halted"],
    ]);
    expect(recon[1]!.differences).toEqual([
      { contract: formatOcc("SPY", EXPIRY, "put", 500), broker: -2, engine: 0, adopted: 0 },
    ]);

    expect(alerts.map((a) => [a.rule, a.severity, a.key])).toEqual([
      ["position_mismatch", "critical", "ib:broker"],
    ]);
    const metrics = await session.registry.metrics();
    expect(metrics).toContain('thetaflow_position_mismatch_contracts{broker="ib:broker"} 1');
    expect(metrics).toContain('thetaflow_broker_orders_held{broker="ib:broker"} 1');

    await session.close();
    const audit = readLines<AuditEntry>(join(dir, "audit.ndjson"));
    expect(
      audit.filter((e) => e.action === "reconciliation").map((e) => [e.actor, e.details.action]),
    ).toEqual([
      ["ib:broker", "none"],
      ["ib:broker", "halted"],
    ]);
    const heldEntry = audit.find((e) => e.actor === "ib:broker" && e.subject === "int-D:0");
    expect(heldEntry?.details).toMatchObject({ status: "rejected" });
    expect(verifyAuditFile(join(dir, "audit.ndjson"))).toBeUndefined();
  });

  it("the kill switch over the token-protected endpoint (what `thetaflow kill --flatten` calls) cancels the working orders at the peer and flattens the adopted position", async () => {
    const peer = await peerHarness();
    const alerts: Alert[] = [];
    const session = await openSession(dir, alerts);
    cleanup = async () => {
      await session.close();
      await peer.tws.close();
    };
    const decisions = [
      ...intentAndDecision("int-A", 1_000, spread(570)),
      ...intentAndDecision("int-B", 3_000, spread(575)),
      ...intentAndDecision("int-C", 5_000, spread(580)),
    ];
    const file = writeTopology(dir, peer.port, decisions, "adopt");
    // The account already holds a short put when the engine connects: adopted, not traded against.
    peer.beforeSyncEnd = (m) => {
      if (m.msgId === CLIENT_MSG.REQ_POSITIONS) peer.emitPosition(500, -2);
    };
    const working = new Set<number>();
    peer.onPlace = (ref, ibId) => {
      if (ref === "int-A:0") {
        working.add(ibId);
        peer.tws.orderStatus(ibId, "Submitted", 0, 1, 0);
      } else if (ref === "int-B:0") working.add(ibId); // never acknowledged: the feed waits on it
    };
    peer.onGlobalCancel = () => {
      for (const id of working) peer.tws.orderStatus(id, "Cancelled", 0, 1, 0);
      working.clear();
    };

    const run = runFile(file, {
      out: join(dir, "out"),
      progress: false,
      session,
      ib: { createApi: peer.createApi, env: {} },
    }).then(
      () => "finished",
      (e: Error) => e.message,
    );
    await peer.until(() => peer.placed().length === 2);

    await expect(
      requestKill(session.dashboardUrl!, { flatten: true, env: { THETAFLOW_TOKEN: "not-the-token-123" } }),
    ).rejects.toThrow(/401/);
    expect(peer.tws.messages(CLIENT_MSG.REQ_GLOBAL_CANCEL)).toHaveLength(0);

    const kill = await requestKill(session.dashboardUrl!, {
      flatten: true,
      env: { THETAFLOW_TOKEN: TOKEN },
    });
    expect(await run).toMatch(/run halted: kill switch engaged by/);
    const outcomes = Object.fromEntries(kill.outcomes.map((o) => [o.target, o]));
    expect(outcomes.engine).toMatchObject({ ok: true, detail: "source feed halted" });
    expect(outcomes["ib:broker"]!.ok).toBe(true);
    expect(outcomes["ib:broker"]!.detail).toContain("2 working order(s) cancelled or done, confirmed by TWS");
    expect(outcomes["ib:broker"]!.detail).toContain("1 position(s) flattened with market orders");

    expect(peer.tws.messages(CLIENT_MSG.REQ_GLOBAL_CANCEL)).toHaveLength(1);
    const placed = peer.placed();
    expect(placed.map((p) => p.ref)).toEqual([
      "int-A:0",
      "int-B:0",
      `flatten:${formatOcc("SPY", EXPIRY, "put", 500)}`,
    ]);
    expect(placed[2]!.fields).toEqual(expect.arrayContaining(["BUY", "2", "MKT"]));

    const recon = readLines<Record<string, unknown>>(join(dir, "out", "broker.reconciliation.ndjson"));
    expect(recon.map((r) => [r.trigger, r.action])).toEqual([["connect", "adopted"]]);
    expect(alerts.map((a) => [a.rule, a.severity])).toEqual([["position_mismatch", "warning"]]);

    await session.close();
    const audit = readLines<AuditEntry>(join(dir, "audit.ndjson"));
    const kills = audit.filter((e) => e.subject === "kill_switch");
    expect(kills.map((e) => [e.action, e.details.phase, e.details.flatten])).toEqual([
      ["manual", "requested", true],
      ["manual", "done", true],
    ]);
    expect(
      audit.filter((e) => e.actor === "ib:broker" && e.action === "cancel").map((e) => e.subject),
    ).toEqual(["int-A:0", "int-B:0"]);
    expect(verifyAuditFile(join(dir, "audit.ndjson"))).toBeUndefined();
  });
});
