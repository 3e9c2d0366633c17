import type { SenderTransport } from "@questdb/nodejs-client";
import type { Event } from "@thetaflow/schemas";
import { describe, expect, it } from "vitest";
import { chainCall, officialBuffer } from "./testing/ilpReference.js";
import { QuestDbUnsentRowsError, QuestDbWriter, type RejectedRow } from "./writer.js";

/**
 * An ILP endpoint in memory: records committed lines, and answers each request with what `answer`
 * says — the writer's ordering, retry and isolation logic, without timing. (The same behaviours
 * run against a real QuestDB in tests/integration/questdb.test.ts.)
 */
class ScriptedIlpEndpoint implements SenderTransport {
  readonly committed: string[] = [];
  requests = 0;
  answer: (lines: string[]) => "ok" | "down" | "refuse" = () => "ok";

  async connect() {
    return true;
  }
  async send(data: Buffer) {
    this.requests++;
    const lines = data.toString("latin1").split("\n").slice(0, -1);
    const verdict = this.answer(lines);
    if (verdict === "down") throw new Error("connect ECONNREFUSED 127.0.0.1:9000");
    if (verdict === "refuse") throw new Error("HTTP request failed, statusCode=400, error=cast error");
    this.committed.push(...lines);
    return true;
  }
  async close() {}
  getDefaultAutoFlushRows() {
    return 0;
  }
}

const tick = (i: number): Event => ({
  kind: "UnderlyingTick",
  eventTime: 1_000 + i,
  seq: i,
  symbol: "SPY",
  price: 100 + i,
});
const seqs = (lines: string[]) => lines.map((l) => Number(/seq=(\d+)i/.exec(l)?.[1]));
const fastRetry = { initialDelayMs: 1, maxDelayMs: 2 };

describe("QuestDbWriter batching and delivery", () => {
  it("sends batches of flushRows in write order and resolves flush only once they are committed", async () => {
    const endpoint = new ScriptedIlpEndpoint();
    const writer = new QuestDbWriter(endpoint, { flushRows: 4, flushIntervalMs: 0 });
    for (let i = 0; i < 10; i++) writer.write(tick(i));
    expect(writer.stats().bufferedRows).toBe(10);
    await writer.flush();
    expect(seqs(endpoint.committed)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(endpoint.requests).toBe(3);
    expect(writer.stats()).toMatchObject({ bufferedRows: 0, writtenRows: 10, flushes: 3 });
  });

  it("sends rows written right after a flush resolved (no batch is left behind)", async () => {
    const endpoint = new ScriptedIlpEndpoint();
    const writer = new QuestDbWriter(endpoint, { flushRows: 100, flushIntervalMs: 0 });
    for (let round = 0; round < 5; round++) {
      writer.write(tick(round));
      await writer.flush();
    }
    expect(seqs(endpoint.committed)).toEqual([0, 1, 2, 3, 4]);
  });

  it("keeps a batch through failed sends and delivers it once, in order, when the server is back", async () => {
    const endpoint = new ScriptedIlpEndpoint();
    let outage = 3;
    endpoint.answer = () => (outage-- > 0 ? "down" : "ok");
    const writer = new QuestDbWriter(endpoint, { flushRows: 2, flushIntervalMs: 0, retry: fastRetry });
    for (let i = 0; i < 5; i++) writer.write(tick(i));
    await writer.flush();
    expect(seqs(endpoint.committed)).toEqual([0, 1, 2, 3, 4]);
    expect(writer.stats()).toMatchObject({ failedAttempts: 3, writtenRows: 5, bufferedRows: 0 });
    expect(writer.stats().lastError).toContain("ECONNREFUSED");
  });

  it("on a refused batch resends its rows one by one and drops only the refused ones", async () => {
    const endpoint = new ScriptedIlpEndpoint();
    endpoint.answer = (lines) => (lines.some((l) => /seq=(3|5)i/.test(l)) ? "refuse" : "ok");
    const rejected: RejectedRow[] = [];
    const writer = new QuestDbWriter(endpoint, {
      flushRows: 4,
      flushIntervalMs: 0,
      onRejected: (r) => rejected.push(r),
    });
    for (let i = 0; i < 8; i++) writer.write(tick(i));
    await writer.flush();
    expect(seqs(endpoint.committed)).toEqual([0, 1, 2, 4, 6, 7]);
    expect(rejected.map((r) => [r.table, r.ts])).toEqual([
      ["underlyingTicks", 1_003],
      ["underlyingTicks", 1_005],
    ]);
    expect(rejected[0]?.ilp?.toString("latin1")).toMatch(/^underlying_ticks,symbol=SPY .*seq=3i 1003t\n$/);
    expect(writer.stats()).toMatchObject({ writtenRows: 6, rejectedRows: 2, bufferedRows: 0 });
  });

  it("reports a row it cannot encode without sending it, and without holding up flush", async () => {
    const endpoint = new ScriptedIlpEndpoint();
    const rejected: RejectedRow[] = [];
    const writer = new QuestDbWriter(endpoint, { flushIntervalMs: 0, onRejected: (r) => rejected.push(r) });
    writer.write(tick(0));
    writer.writeRows([{ table: "underlyingTicks", ts: 5, values: { symbol: "SPY", price: 1, seq: 0.5 } }]);
    await writer.flush();
    expect(seqs(endpoint.committed)).toEqual([0]);
    expect(rejected).toEqual([
      expect.objectContaining({
        table: "underlyingTicks",
        ts: 5,
        reason: expect.stringContaining("seq: expected an integer"),
      }),
    ]);
  });

  it("rejects an event whose value its column cannot carry, with the row, and keeps the rest", async () => {
    const endpoint = new ScriptedIlpEndpoint();
    const rejected: RejectedRow[] = [];
    const writer = new QuestDbWriter(endpoint, { flushIntervalMs: 0, onRejected: (r) => rejected.push(r) });
    writer.write(tick(0));
    writer.write({ ...tick(1), seq: 1.5 } as Event);
    writer.write(tick(2));
    await writer.flush();
    expect(seqs(endpoint.committed)).toEqual([0, 2]);
    expect(rejected).toEqual([
      expect.objectContaining({
        table: "underlyingTicks",
        ts: 1_001,
        row: expect.objectContaining({ values: expect.objectContaining({ seq: 1.5 }) }),
        reason: expect.stringContaining("seq: expected an integer"),
      }),
    ]);
  });

  it("stores a chain snapshot as one quote line per contract", async () => {
    const endpoint = new ScriptedIlpEndpoint();
    const writer = new QuestDbWriter(endpoint, { flushIntervalMs: 0 });
    writer.write({
      kind: "ChainSnapshot",
      eventTime: 10,
      seq: 0,
      underlying: "SPY",
      spot: 270,
      quotes: [chainCall(260), chainCall(270)],
    });
    await writer.flush();
    expect(endpoint.committed.map((l) => /^quotes,contract=([^,]+),/.exec(l)?.[1])).toEqual([
      "SPY\\ \\ \\ 190315C00260000",
      "SPY\\ \\ \\ 190315C00270000",
    ]);
    expect(writer.stats()).toMatchObject({ writtenRows: 2, bufferedRows: 0 });
  });

  it("asks the caller to wait while its buffer is full, and frees it as batches commit", async () => {
    const endpoint = new ScriptedIlpEndpoint();
    const writer = new QuestDbWriter(endpoint, { flushRows: 3, maxBufferedRows: 3, flushIntervalMs: 0 });
    expect(writer.write(tick(0))).toBeUndefined();
    expect(writer.write(tick(1))).toBeUndefined();
    const wait = writer.write(tick(2));
    expect(wait).toBeInstanceOf(Promise);
    await wait;
    expect(writer.backpressure()).toBeUndefined();
    expect(seqs(endpoint.committed)).toEqual([0, 1, 2]);
  });

  it("gives up at close's deadline while the server stays down, saying how many rows were not written", async () => {
    const endpoint = new ScriptedIlpEndpoint();
    endpoint.answer = () => "down";
    const writer = new QuestDbWriter(endpoint, { flushIntervalMs: 0, retry: fastRetry });
    for (let i = 0; i < 3; i++) writer.write(tick(i));
    const closing = writer.close({ timeoutMs: 20 });
    await expect(closing).rejects.toThrow(QuestDbUnsentRowsError);
    await expect(closing).rejects.toMatchObject({ unsentRows: 3 });
    expect(endpoint.committed).toEqual([]);
    expect(() => writer.write(tick(9))).toThrow(/closed/);
  });

  it("writes text doubles and nanosecond timestamps under ILP v1, the official V1 buffer's bytes", async () => {
    const endpoint = new ScriptedIlpEndpoint();
    const writer = new QuestDbWriter(endpoint, { flushIntervalMs: 0, protocolVersion: 1 });
    writer.write({ ...tick(3), price: 0.1 + 0.2 });
    await writer.flush();
    const reference = await officialBuffer(1);
    reference
      .table("underlying_ticks")
      .symbol("symbol", "SPY")
      .floatColumn("price", 0.1 + 0.2);
    await reference.intColumn("seq", 3).at(1_003, "us");
    expect(endpoint.committed).toEqual([reference.toBufferView()?.toString("latin1").trimEnd()]);
    expect(endpoint.committed[0]).toBe(
      "underlying_ticks,symbol=SPY price=0.30000000000000004,seq=3i 1003000",
    );
    writer.write({ ...tick(4), eventTime: 0 });
    await writer.flush();
    expect(endpoint.committed[1]).toBe("underlying_ticks,symbol=SPY price=104,seq=4i 0");
  });
});
