import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

export const DEFAULT_METRICS_PORT = 9464;

export interface MetricsServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves `/metrics` for Prometheus. Metrics carry no secrets and Prometheus scrapes without
 * credentials, so this port needs no token; it binds to 127.0.0.1 unless told otherwise (a container
 * sets 0.0.0.0 so Prometheus in another container can reach it).
 */
export const serveMetrics = async (
  registry: Registry,
  options: { readonly port?: number; readonly host?: string } = {},
): Promise<MetricsServer> => {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?", 1)[0];
    if (req.method !== "GET" || path !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { "content-type": registry.contentType }).end(text),
      (err: unknown) =>
        res
          .writeHead(500, { "content-type": "text/plain" })
          .end(`metrics failed: ${(err as Error).message}\n`),
    );
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(options.port ?? DEFAULT_METRICS_PORT, host, () => ok());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}/metrics`,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
};
