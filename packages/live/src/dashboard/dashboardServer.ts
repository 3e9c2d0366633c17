import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo, Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { type WebSocket, WebSocketServer } from "ws";
import type { RequestAuth } from "../auth/requestAuth.js";
import type { KillSwitch } from "../control/killSwitch.js";
import { describeError, type LiveLogger } from "../log/logger.js";
import type { DashboardCursor, DashboardState, HealthView } from "./dashboardState.js";
import { loginPage } from "./loginPage.js";

export interface DashboardServerOptions {
  readonly auth: RequestAuth;
  readonly state: DashboardState;
  readonly health: (clients: number) => HealthView;
  readonly killSwitch: KillSwitch;
  readonly logger: LiveLogger;
  readonly host?: string;
  readonly port?: number;
  /** Wall-clock push cadence; events in between are coalesced into one message. */
  readonly pushIntervalMs?: number;
}

export interface DashboardServer {
  readonly url: string;
  readonly clients: () => number;
  /** Pushes pending changes now (used at the end of a run so the last state is on screen). */
  pushNow(): void;
  close(): Promise<void>;
}

const STATIC_DIR = fileURLToPath(new URL("../../static/", import.meta.url));
const require = createRequire(import.meta.url);

interface Asset {
  readonly type: string;
  readonly body: Buffer;
}

const loadAssets = (): Map<string, Asset> => {
  const js = "text/javascript; charset=utf-8";
  const css = "text/css; charset=utf-8";
  const file = (path: string, type: string): Asset => ({ type, body: readFileSync(path) });
  return new Map([
    ["/app.js", file(`${STATIC_DIR}app.js`, js)],
    ["/app.css", file(`${STATIC_DIR}app.css`, css)],
    // Served from node_modules: the page works offline, no CDN.
    ["/vendor/uPlot.iife.min.js", file(require.resolve("uplot/dist/uPlot.iife.min.js"), js)],
    ["/vendor/uPlot.min.css", file(require.resolve("uplot/dist/uPlot.min.css"), css)],
  ]);
};

/** Slow clients beyond this many unsent bytes skip deltas and get a fresh snapshot once drained. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
const MAX_BODY_BYTES = 16 * 1024;
const LOGIN_FAILURES_PER_MINUTE = 10;

const SECURITY_HEADERS = {
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "content-security-policy":
    "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
};

/**
 * The live dashboard: static page, a token-protected JSON snapshot, the kill-switch endpoint and a
 * WebSocket feed. Pushes are driven by a wall-clock timer at this edge, never by the engine: the
 * engine only updates DashboardState; every `pushIntervalMs` one delta is serialised once and sent
 * to every up-to-date client.
 */
export const startDashboardServer = async (options: DashboardServerOptions): Promise<DashboardServer> => {
  const { auth, state, logger, killSwitch } = options;
  const assets = loadAssets();
  const indexHtml = readFileSync(`${STATIC_DIR}index.html`);
  const synced = new Set<WebSocket>();
  const needSnapshot = new Set<WebSocket>();
  let cursor: DashboardCursor | undefined;
  const failures: number[] = [];

  const send = (
    res: ServerResponse,
    status: number,
    type: string,
    body: string | Buffer,
    extra: Record<string, string> = {},
  ) => {
    res.writeHead(status, { ...SECURITY_HEADERS, "content-type": type, ...extra }).end(body);
  };
  const json = (res: ServerResponse, status: number, value: unknown) =>
    send(res, status, "application/json; charset=utf-8", JSON.stringify(value));
  const unauthorized = (res: ServerResponse) =>
    json(res, 401, { error: "unauthorized: send Authorization: Bearer <token>" });

  const readBody = (req: IncomingMessage): Promise<string> =>
    new Promise((ok, fail) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on("data", (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY_BYTES) {
          fail(new Error("request body too large"));
          req.destroy();
        } else chunks.push(c);
      });
      req.on("end", () => ok(Buffer.concat(chunks).toString("utf8")));
      req.on("error", fail);
    });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? "/").split("?", 1)[0]!;
    const asset = req.method === "GET" ? assets.get(path) : undefined;
    if (asset !== undefined) return send(res, 200, asset.type, asset.body);
    if (path === "/" && req.method === "GET") {
      if (!auth.authorize(req).ok) return send(res, 401, "text/html; charset=utf-8", loginPage());
      return send(res, 200, "text/html; charset=utf-8", indexHtml);
    }
    if (path === "/login" && req.method === "POST") {
      const now = Date.now();
      while (failures.length > 0 && failures[0]! < now - 60_000) failures.shift();
      if (failures.length >= LOGIN_FAILURES_PER_MINUTE)
        return send(res, 429, "text/plain", "too many failed logins; wait a minute\n");
      const token = new URLSearchParams(await readBody(req)).get("token") ?? "";
      if (!auth.checkToken(token.trim())) {
        failures.push(now);
        logger.log("warn", "dashboard login refused", { remote: req.socket.remoteAddress });
        return send(res, 401, "text/html; charset=utf-8", loginPage("That token is not valid."));
      }
      return send(res, 303, "text/plain", "", { location: "/", "set-cookie": auth.sessionCookie() });
    }
    if (path.startsWith("/api/")) {
      const who = auth.authorize(req);
      if (!who.ok) return unauthorized(res);
      if (path === "/api/state" && req.method === "GET")
        return json(res, 200, state.snapshot(options.health(synced.size)).message);
      if (path === "/api/kill" && req.method === "POST") {
        // A cookie rides along with any same-site request; a custom header cannot be set cross-site.
        if (who.via === "cookie" && req.headers["x-thetaflow-action"] !== "kill")
          return json(res, 403, { error: "missing X-Thetaflow-Action: kill" });
        const body = await readBody(req);
        const parsed = body.trim() === "" ? {} : (JSON.parse(body) as { flatten?: unknown });
        const outcomes = await killSwitch.engage({
          flatten: parsed.flatten === true,
          actor: `${who.via === "cookie" ? "dashboard" : "api"}`,
        });
        return json(res, 200, { engaged: true, flatten: parsed.flatten === true, outcomes });
      }
    }
    return send(res, 404, "text/plain", "not found\n");
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      logger.log("warn", "dashboard request failed", {
        path: req.url?.split("?", 1)[0],
        error: describeError(err),
      });
      if (!res.headersSent) json(res, 400, { error: describeError(err) });
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 });
  server.on("upgrade", (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const path = (req.url ?? "/").split("?", 1)[0];
    const origin = req.headers.origin;
    const sameOrigin = origin === undefined || origin === `http://${req.headers.host}`;
    if (path !== "/ws" || !auth.authorize(req).ok || !sameOrigin) {
      socket.end(
        `HTTP/1.1 ${path !== "/ws" ? "404 Not Found" : "401 Unauthorized"}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      needSnapshot.add(ws);
      ws.on("close", () => {
        synced.delete(ws);
        needSnapshot.delete(ws);
      });
      ws.on("error", () => ws.terminate());
      // The feed is one-way; anything a client sends is ignored.
      push();
    });
  });

  const push = () => {
    const clients = synced.size + needSnapshot.size;
    if (clients === 0) {
      cursor = undefined;
      return;
    }
    const health = options.health(clients);
    if (cursor !== undefined && synced.size > 0) {
      // Health changes every tick (rates, ages); the rest only when the state moved.
      const { message, cursor: next } = state.delta(cursor, health);
      cursor = next;
      const text = JSON.stringify(message);
      for (const ws of synced) {
        if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
          synced.delete(ws);
          needSnapshot.add(ws);
        } else ws.send(text);
      }
    }
    const ready = [...needSnapshot].filter(
      (ws) => ws.readyState === ws.OPEN && ws.bufferedAmount <= MAX_BUFFERED_BYTES,
    );
    if (ready.length > 0) {
      const { message, cursor: next } = state.snapshot(health);
      cursor = next;
      const text = JSON.stringify(message);
      for (const ws of ready) {
        needSnapshot.delete(ws);
        synced.add(ws);
        ws.send(text);
      }
    }
  };
  const timer = setInterval(push, options.pushIntervalMs ?? 200);
  timer.unref();

  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(options.port ?? 0, host, () => ok());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    clients: () => synced.size + needSnapshot.size,
    pushNow: push,
    close: async () => {
      clearInterval(timer);
      for (const ws of wss.clients) ws.close(1001, "server closing");
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
};
