import { EventName, IBApi } from "@stoqey/ib";
import { type Event, formatOcc } from "@thetaflow/schemas";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_IB_CONFIG } from "./ibConfig.js";
import { checkFeedInstruments, IbMarketFeed } from "./marketFeed.js";
import { CLIENT_MSG, ScriptedTws } from "./testing/scriptedTws.js";

const OCC = formatOcc("SPY", "2026-02-20", "call", 620);
const BID_SIZE = 0;
const BID = 1;
const ASK = 2;
const LAST = 4;
const MODEL_OPTION = 13;

let tws: ScriptedTws | undefined;
let feed: IbMarketFeed | undefined;
afterEach(async () => {
  await feed?.stop().catch(() => {});
  await tws?.close();
  feed = undefined;
  tws = undefined;
});

/** The peer answers every market-data request over the wire: ticks for stock, ticks and IB's model for options. */
const startPeer = async () => {
  const peer = new ScriptedTws();
  peer.onMessage = (m) => {
    if (m.msgId !== CLIENT_MSG.REQ_MKT_DATA) return;
    const reqId = Number(m.fields[1]);
    if (m.fields[4] === "STK") {
      peer.tickPrice(reqId, BID, 601.2, 300);
      peer.tickPrice(reqId, ASK, 601.3, 200);
      peer.tickPrice(reqId, LAST, 601.25, 100);
    } else {
      peer.tickPrice(reqId, BID, 5.1, 10);
      peer.tickSize(reqId, BID_SIZE, 10);
      peer.tickPrice(reqId, ASK, 5.3, 12);
      peer.optionComputation(reqId, MODEL_OPTION, {
        iv: 0.182,
        delta: 0.41,
        gamma: 0.012,
        vega: 0.35,
        theta: -0.06,
        underlyingPrice: 601.5,
      });
    }
  };
  const port = await peer.listen();
  tws = peer;
  return { peer, port };
};

describe("IB market data feed (scripted TWS peer, ticks over the wire)", () => {
  it("publishes UnderlyingTick and OptionQuote events in arrival order, IB's IV and Greeks kept as vendor (our units)", async () => {
    const { port } = await startPeer();
    const published: Event[] = [];
    let onBatch = () => {};
    feed = await IbMarketFeed.start({
      api: new IBApi({ host: "127.0.0.1", port }),
      config: { ...DEFAULT_IB_CONFIG, port },
      underlyings: ["SPY"],
      options: [OCC],
      flushEveryMs: 5,
      publish: async (events) => {
        published.push(...events);
        onBatch();
      },
    });
    await new Promise<void>((ok) => {
      onBatch = () => {
        const q = published.findLast((e) => e.kind === "OptionQuote");
        if (q?.kind === "OptionQuote" && q.vendor?.iv !== undefined) ok();
      };
    });
    const stats = await feed.stop();
    expect(stats.published).toBe(published.length);

    const ticks = published.filter((e) => e.kind === "UnderlyingTick");
    expect(ticks.at(-1)).toMatchObject({ symbol: "SPY", price: 601.25, bid: 601.2, ask: 601.3 });
    const quote = published.findLast((e) => e.kind === "OptionQuote");
    expect(quote).toMatchObject({
      contract: OCC,
      underlying: "SPY",
      bid: 5.1,
      ask: 5.3,
      bidSize: 10,
      askSize: 12,
      underlyingPrice: 601.5,
    });
    const vendor = quote?.kind === "OptionQuote" ? quote.vendor! : {};
    expect(vendor.iv).toBe(0.182);
    expect(vendor.vega).toBeCloseTo(35, 9);
    expect(vendor.theta).toBeCloseTo(-21.9, 9);
    // The adapter stamps one increasing sequence over everything it emits.
    const seqs = published.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it("stops by itself after maxEvents", async () => {
    const { port } = await startPeer();
    const published: Event[] = [];
    feed = await IbMarketFeed.start({
      api: new IBApi({ host: "127.0.0.1", port }),
      config: { ...DEFAULT_IB_CONFIG, port },
      underlyings: ["SPY"],
      options: [],
      maxEvents: 2,
      publish: async (events) => void published.push(...events),
    });
    await feed.done;
    expect((await feed.stop()).published).toBe(2);
    expect(published.map((e) => e.kind)).toEqual(["UnderlyingTick", "UnderlyingTick"]);
  });

  it("discovers a chain from IB's listing around the underlying's first price and streams those contracts", async () => {
    const { peer, port } = await startPeer();
    const api = new IBApi({ host: "127.0.0.1", port });
    // The underlying's conId comes back with the contract lookup; the listing names it.
    peer.beforeEnd = (m) => {
      if (m.msgId === CLIENT_MSG.REQ_CONTRACT_DATA && m.fields[3] === "SPY")
        api.emit(EventName.contractDetails, Number(m.fields[1]), { contract: { conId: 756733 } });
    };
    const listed = { conId: 756733, tradingClass: "SPY", multiplier: 100 };
    const onMarketData = peer.onMessage;
    peer.onMessage = (m, p) => {
      onMarketData(m, p);
      if (m.msgId !== CLIENT_MSG.REQ_SEC_DEF_OPT_PARAMS) return;
      const reqId = Number(m.fields[0]);
      expect(m.fields.slice(1)).toEqual(["SPY", "", "STK", "756733"]);
      p.secDefOptParams(reqId, {
        ...listed,
        exchange: "CBOE",
        expirations: ["20260109"],
        strikes: [100],
      });
      p.secDefOptParams(reqId, {
        ...listed,
        exchange: "SMART",
        expirations: ["20260102", "20260109", "20260116", "20260320"],
        strikes: [560, 590, 600, 605, 610, 640],
      });
      p.secDefOptParamsEnd(reqId);
    };
    const published: Event[] = [];
    let onBatch = () => {};
    const chains: [string, readonly string[]][] = [];
    feed = await IbMarketFeed.start({
      api,
      config: { ...DEFAULT_IB_CONFIG, port },
      underlyings: [],
      options: [],
      chains: [{ symbol: "SPY", selection: { maxDte: 30, moneyness: 0.02, maxContracts: 6 } }],
      nowMs: () => Date.UTC(2026, 0, 5, 15),
      onChain: (symbol, contracts) => void chains.push([symbol, contracts]),
      flushEveryMs: 5,
      publish: async (events) => {
        published.push(...events);
        onBatch();
      },
    });
    // Spot 601.25 (the peer's last): 600 and 605 are within 2 %, 600 nearest; two expiries in 30 days.
    expect(chains).toEqual([
      [
        "SPY",
        [
          // Each expiry's nearest strike, then the nearer expiry's next one; listed by expiry and strike.
          formatOcc("SPY", "2026-01-09", "call", 600),
          formatOcc("SPY", "2026-01-09", "put", 600),
          formatOcc("SPY", "2026-01-09", "call", 605),
          formatOcc("SPY", "2026-01-09", "put", 605),
          formatOcc("SPY", "2026-01-16", "call", 600),
          formatOcc("SPY", "2026-01-16", "put", 600),
        ],
      ],
    ]);
    // Every selected contract streams: quotes for all six arrive.
    const quoted = () => new Set(published.flatMap((e) => (e.kind === "OptionQuote" ? [e.contract] : [])));
    await new Promise<void>((ok) => {
      onBatch = () => quoted().size === 6 && ok();
      onBatch();
    });
    expect([...quoted()].sort()).toEqual([...chains[0]![1]].sort());
    const optionRequests = peer
      .messages(CLIENT_MSG.REQ_MKT_DATA)
      .filter((m) => m.fields[4] === "OPT")
      .map((m) => m.fields.slice(3, 9).join(" "));
    expect(optionRequests).toHaveLength(6);
    expect(optionRequests).toContain("SPY OPT 20260116 600 P 100");
  });

  it("fails the start with a clear message when TWS lists no options for a chain in time", async () => {
    const { peer, port } = await startPeer();
    const api = new IBApi({ host: "127.0.0.1", port });
    peer.beforeEnd = (m) => {
      if (m.msgId === CLIENT_MSG.REQ_CONTRACT_DATA)
        api.emit(EventName.contractDetails, Number(m.fields[1]), { contract: { conId: 756733 } });
    };
    // The peer never answers reqSecDefOptParams.
    await expect(
      IbMarketFeed.start({
        api,
        config: { ...DEFAULT_IB_CONFIG, port },
        underlyings: [],
        options: [],
        chains: [{ symbol: "SPY", selection: { maxDte: 30, moneyness: 0.1, maxContracts: 10 } }],
        connectTimeoutMs: 300,
        publish: async () => {},
      }),
    ).rejects.toThrow("TWS did not list SPY's options within 0.3 s");
  });

  it("names a bad instrument before connecting", () => {
    expect(() => checkFeedInstruments([], [])).toThrow(/nothing to subscribe/);
    expect(() => checkFeedInstruments(["spy"], [])).toThrow(/'spy' is not a ticker/);
    expect(() => checkFeedInstruments([], ["SPY 620C"])).toThrow(/'SPY 620C' is not an OCC option symbol/);
  });
});
