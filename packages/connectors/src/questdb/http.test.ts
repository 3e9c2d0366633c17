import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { QuestDbHttp } from "./http.js";

/** Answers GET /settings with the given status and body, as QuestDB (or an older server) would. */
const settingsServer = async (status: number, body: string): Promise<Server> => {
  const server = createServer((req, res) => {
    res.writeHead(req.url === "/settings" ? status : 404, { "content-type": "application/json" });
    res.end(req.url === "/settings" ? body : "");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
};

describe("QuestDbHttp.ilpProtocolVersion", () => {
  let server: Server | undefined;
  afterEach(() => new Promise((resolve) => server?.close(resolve)));
  const versionFrom = async (status: number, body: string) => {
    await new Promise((resolve) => (server?.listening ? server.close(resolve) : resolve(undefined)));
    server = await settingsServer(status, body);
    const { port } = server.address() as AddressInfo;
    return new QuestDbHttp({ url: `http://127.0.0.1:${port}` }).ilpProtocolVersion();
  };

  it("picks binary doubles (2) when the server lists version 2 or later", async () => {
    // QuestDB 9.3.4 answers this (abridged).
    const body = '{"config":{"release.version":"9.3.4","line.proto.support.versions":[1,2,3]}}';
    expect(await versionFrom(200, body)).toBe(2);
    expect(await versionFrom(200, '{"config":{"line.proto.support.versions":["2"]}}')).toBe(2);
  });

  it("falls back to text doubles (1) for servers that list only 1, list nothing or have no /settings", async () => {
    expect(await versionFrom(200, '{"config":{"line.proto.support.versions":[1]}}')).toBe(1);
    expect(await versionFrom(200, '{"config":{"release.version":"8.2.0"}}')).toBe(1);
    expect(await versionFrom(404, "")).toBe(1);
    expect(await versionFrom(200, "not json")).toBe(1);
  });
});
