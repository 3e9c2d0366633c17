import type { AddressInfo } from "node:net";
import { createServer, type Server, type Socket } from "node:net";

/** A message the client sent: its TWS outgoing message id and the remaining fields. */
export interface ClientMessage {
  readonly msgId: number;
  readonly fields: readonly string[];
}

/** Outgoing message ids (client -> TWS) the peer understands. */
export const CLIENT_MSG = {
  REQ_MKT_DATA: 1,
  PLACE_ORDER: 3,
  CANCEL_ORDER: 4,
  REQ_EXECUTIONS: 7,
  REQ_IDS: 8,
  REQ_CONTRACT_DATA: 9,
  REQ_ALL_OPEN_ORDERS: 16,
  REQ_CURRENT_TIME: 49,
  REQ_GLOBAL_CANCEL: 58,
  REQ_POSITIONS: 61,
  REQ_ACCOUNT_SUMMARY: 62,
  START_API: 71,
  REQ_SEC_DEF_OPT_PARAMS: 78,
} as const;

/** Server version the peer announces: the highest @stoqey/ib 1.6 supports (CME tagging fields). */
export const SCRIPTED_SERVER_VERSION = 193;

/**
 * A scripted peer speaking the TWS socket protocol (API v100+ framing: "API\0", a length-prefixed
 * version range, then 4-byte big-endian length-prefixed messages of NUL-terminated fields). It does
 * the handshake, answers START_API with nextValidId/managedAccounts and the sync requests with their
 * end markers, records every client message, and lets a test push order statuses and errors down
 * the wire or drop the connection. No TWS can run here; this is what the adapter is tested against.
 */
export class ScriptedTws {
  readonly received: ClientMessage[] = [];
  readonly #sockets = new Set<Socket>();
  #server: Server | undefined;
  nextValidId = 1;
  /** Called for every client message after the peer's own automatic answer. */
  onMessage: (m: ClientMessage, peer: ScriptedTws) => void = () => {};
  /** Called before the automatic end marker of a sync request, to send data ahead of it. */
  beforeEnd: (m: ClientMessage, peer: ScriptedTws) => void = () => {};
  connections = 0;

  async listen(): Promise<number> {
    this.#server = createServer((socket) => this.#accept(socket));
    await new Promise<void>((ok) => this.#server!.listen(0, "127.0.0.1", ok));
    return (this.#server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((ok) => (this.#server === undefined ? ok() : this.#server.close(() => ok())));
  }

  /** Refuse new connections while keeping the port (a TWS restart in progress). */
  async pause(): Promise<number> {
    const port = (this.#server!.address() as AddressInfo).port;
    this.dropConnections();
    await new Promise<void>((ok) => this.#server!.close(() => ok()));
    return port;
  }

  async resume(port: number): Promise<void> {
    this.#server = createServer((socket) => this.#accept(socket));
    await new Promise<void>((ok) => this.#server!.listen(port, "127.0.0.1", ok));
  }

  dropConnections(): void {
    for (const s of this.#sockets) s.destroy();
    this.#sockets.clear();
  }

  messages(msgId: number): ClientMessage[] {
    return this.received.filter((m) => m.msgId === msgId);
  }

  /** Sends one message (fields) to every connected client. */
  send(fields: readonly (string | number)[]): void {
    const body = Buffer.from(`${fields.map(String).join("\0")}\0`, "utf8");
    const header = Buffer.alloc(4);
    header.writeInt32BE(body.length);
    for (const s of this.#sockets) s.write(Buffer.concat([header, body]));
  }

  /** ORDER_STATUS at server version >= MARKET_CAP_PRICE (no version field). */
  orderStatus(
    ibOrderId: number,
    status: string,
    filled: number,
    remaining: number,
    avgFillPrice: number,
  ): void {
    this.send([3, ibOrderId, status, filled, remaining, avgFillPrice, 0, 0, avgFillPrice, 0, "", 0]);
  }

  /** TICK_PRICE version 3 (price, size, attribute mask): the library also emits the matching size tick. */
  tickPrice(reqId: number, field: number, price: number, size = 0): void {
    this.send([1, 3, reqId, field, price, size, 0]);
  }

  /** TICK_SIZE. @stoqey/ib 1.6 never derives a BID_SIZE (tick type 0) from TICK_PRICE; TWS sends it like this too. */
  tickSize(reqId: number, field: number, size: number): void {
    this.send([2, 6, reqId, field, size]);
  }

  /**
   * TICK_OPTION_COMPUTATION at server version >= PRICE_BASED_VOLATILITY (no version field, a tick
   * attribute): IB's model IV and Greeks (vega per vol point, theta per day) and the underlying price.
   */
  optionComputation(
    reqId: number,
    field: number,
    g: {
      readonly iv: number;
      readonly delta: number;
      readonly gamma: number;
      readonly vega: number;
      readonly theta: number;
      readonly underlyingPrice: number;
    },
  ): void {
    this.send([21, reqId, field, 0, g.iv, g.delta, -1, -1, g.gamma, g.vega, g.theta, g.underlyingPrice]);
  }

  /** SECURITY_DEFINITION_OPTION_PARAMETER: one exchange's and trading class's listed expirations and strikes. */
  secDefOptParams(
    reqId: number,
    row: {
      readonly exchange: string;
      readonly conId: number;
      readonly tradingClass: string;
      readonly multiplier: number;
      readonly expirations: readonly string[];
      readonly strikes: readonly number[];
    },
  ): void {
    this.send([
      75,
      reqId,
      row.exchange,
      row.conId,
      row.tradingClass,
      row.multiplier,
      row.expirations.length,
      ...row.expirations,
      row.strikes.length,
      ...row.strikes,
    ]);
  }

  /** SECURITY_DEFINITION_OPTION_PARAMETER_END. */
  secDefOptParamsEnd(reqId: number): void {
    this.send([76, reqId]);
  }

  /** ERR_MSG version 2 with the advanced-order-reject field (empty). */
  error(reqId: number, code: number, message: string): void {
    this.send([4, 2, reqId, code, message, ""]);
  }

  #accept(socket: Socket): void {
    this.connections++;
    this.#sockets.add(socket);
    let buffer = Buffer.alloc(0);
    let handshaken = false;
    socket.on("close", () => this.#sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    socket.on("data", (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!handshaken) {
        if (buffer.length < 8 || buffer.subarray(0, 4).toString("latin1") !== "API\0") return;
        const len = buffer.readInt32BE(4);
        if (buffer.length < 8 + len) return;
        buffer = buffer.subarray(8 + len);
        handshaken = true;
        const body = Buffer.from(`${SCRIPTED_SERVER_VERSION}\x0020260105 09:30:00 EST\0`, "utf8");
        const header = Buffer.alloc(4);
        header.writeInt32BE(body.length);
        socket.write(Buffer.concat([header, body]));
      }
      while (buffer.length >= 4) {
        const len = buffer.readInt32BE(0);
        if (buffer.length < 4 + len) return;
        const fields = buffer
          .subarray(4, 4 + len)
          .toString("utf8")
          .split("\0");
        buffer = buffer.subarray(4 + len);
        if (fields[fields.length - 1] === "") fields.pop();
        const m: ClientMessage = { msgId: Number(fields[0]), fields: fields.slice(1) };
        this.received.push(m);
        this.#answer(m);
        this.onMessage(m, this);
      }
    });
  }

  #answer(m: ClientMessage): void {
    switch (m.msgId) {
      case CLIENT_MSG.START_API:
        this.send([9, 1, this.nextValidId]);
        this.send([15, 1, "DU1234567"]);
        return;
      case CLIENT_MSG.REQ_IDS:
        this.send([9, 1, this.nextValidId]);
        return;
      case CLIENT_MSG.REQ_POSITIONS:
        this.beforeEnd(m, this);
        this.send([62, 1]);
        return;
      case CLIENT_MSG.REQ_ACCOUNT_SUMMARY:
        this.beforeEnd(m, this);
        this.send([64, 1, m.fields[1]!]);
        return;
      case CLIENT_MSG.REQ_ALL_OPEN_ORDERS:
        this.beforeEnd(m, this);
        this.send([53, 1]);
        return;
      case CLIENT_MSG.REQ_EXECUTIONS:
        this.beforeEnd(m, this);
        this.send([55, 1, m.fields[1]!]);
        return;
      case CLIENT_MSG.REQ_CONTRACT_DATA:
        this.beforeEnd(m, this);
        this.send([52, 1, m.fields[1]!]);
        return;
      case CLIENT_MSG.REQ_CURRENT_TIME:
        this.send([49, 1, 1767623400]);
        return;
      default:
        return;
    }
  }
}
