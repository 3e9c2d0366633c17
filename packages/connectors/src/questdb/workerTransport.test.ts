import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { IlpBatch } from "./encode.js";
import { WorkerHttpTransport } from "./workerTransport.js";

/** A stand-in for QuestDB's `/write`: records each body and answers with the next queued status. */
const fakeQuestDb = async (answers: { status: number; body?: string }[]) => {
  const bodies: { url: string; body: Buffer }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      bodies.push({ url: req.url ?? "", body: Buffer.concat(chunks) });
      const answer = answers.shift() ?? { status: 204 };
      res.writeHead(answer.status, { "content-type": "application/json" });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, bodies, port: (server.address() as AddressInfo).port };
};

const config = (port: number) =>
  `http::addr=127.0.0.1:${port};protocol_version=2;auto_flush=off;stdlib_http=on;request_timeout=5000;retry_timeout=0`;

describe("WorkerHttpTransport", () => {
  let server: Server | undefined;
  let transport: WorkerHttpTransport | undefined;
  afterEach(async () => {
    await transport?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it("posts a batch's shared bytes and a plain buffer unchanged to /write", async () => {
    const fake = await fakeQuestDb([]);
    server = fake.server;
    transport = new WorkerHttpTransport({ config: config(fake.port) });
    const batch = new IlpBatch(16);
    batch.beginRow(Buffer.from("t"), 7);
    batch.double(Buffer.from(" x="), 1.5, "x");
    batch.endRow(1, { name: "t", head: Buffer.from("t"), symbols: [], fields: [] }, "quotes", 7);
    expect(batch.bytes().buffer).toBeInstanceOf(SharedArrayBuffer);
    await expect(transport.send(batch.bytes())).resolves.toBe(true);
    const plain = Buffer.from("t y=1i 8t\n");
    await expect(transport.send(plain)).resolves.toBe(true);
    expect(fake.bodies.map((b) => b.url)).toEqual(["/write?precision=n", "/write?precision=n"]);
    expect(fake.bodies[0]?.body.equals(batch.bytes())).toBe(true);
    expect(fake.bodies[1]?.body.equals(plain)).toBe(true);
  });

  it("rejects with the client's message, status included, when QuestDB refuses", async () => {
    const fake = await fakeQuestDb([{ status: 400, body: '{"code":"invalid","message":"bad line"}' }]);
    server = fake.server;
    transport = new WorkerHttpTransport({ config: config(fake.port) });
    await expect(transport.send(Buffer.from("t x=oops 1t\n"))).rejects.toThrow(/statusCode=400/);
    // The worker stays usable after a refusal.
    await expect(transport.send(Buffer.from("t x=1i 1t\n"))).resolves.toBe(true);
  });

  it("rejects when nothing listens, and sends again once the server is back", async () => {
    const fake = await fakeQuestDb([]);
    const port = fake.port;
    await new Promise((resolve) => fake.server.close(resolve));
    transport = new WorkerHttpTransport({ config: config(port) });
    await expect(transport.send(Buffer.from("t x=1i 1t\n"))).rejects.toThrow(/ECONNREFUSED/);
    server = createServer((req, res) => {
      req.resume();
      req.on("end", () => res.writeHead(204).end());
    });
    await new Promise<void>((resolve) => server?.listen(port, "127.0.0.1", resolve));
    await expect(transport.send(Buffer.from("t x=1i 1t\n"))).resolves.toBe(true);
  });

  it("runs sends called together one at a time, in call order", async () => {
    const fake = await fakeQuestDb([]);
    server = fake.server;
    transport = new WorkerHttpTransport({ config: config(fake.port) });
    const lines = ["a", "b", "c", "d"].map((n) => Buffer.from(`t ${n}=1i 1t\n`));
    await Promise.all(lines.map((l) => transport?.send(l)));
    expect(fake.bodies.map((b) => b.body.toString())).toEqual(lines.map(String));
  });
});
