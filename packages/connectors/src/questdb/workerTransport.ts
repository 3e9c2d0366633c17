import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type { SenderTransport } from "@questdb/nodejs-client";

/*
 * The ILP/HTTP transport on its own thread. A batch is ~17 MB; the kernel takes a few hundred KB
 * of it at once and the rest goes out only when the sending thread's event loop turns. On the
 * engine's thread a long synchronous run of `write` calls (a replay chunk, a Kafka batch) starved
 * the request, and QuestDB sat idle waiting for bytes: the same writer acknowledged 300k rows/s
 * when its caller never yielded and 420-530k when it yielded every 1,000 rows. Here the request
 * is written by a worker whose loop does nothing else, whatever the caller does.
 *
 * Batches live in SharedArrayBuffers (IlpBatch allocates them so), so a send posts a view, not a
 * copy. The writer never touches a batch's bytes while its send is pending.
 */

type Reply =
  | { readonly id: number; readonly ok: true }
  | { readonly id: number; readonly error: string }
  | { readonly log: "info" | "warn" | "error" | "debug"; readonly message: string }
  | { readonly closed: true };

// CommonJS source for the worker: the package ships no separate worker file, and under vitest the
// package's source is TypeScript, which a worker cannot load.
const workerSource = `
const { parentPort, workerData } = require("node:worker_threads");
const { createTransport, SenderOptions } = require(workerData.client);
const log = (level, message) => parentPort.postMessage({ log: level, message: String(message) });
const transport = SenderOptions.fromConfig(workerData.config, { log }).then(createTransport);
// One request at a time, in the order the sends were called.
let queue = Promise.resolve();
const handle = async (m) => {
  if (m.close) {
    try { await (await transport).close(); } finally { parentPort.postMessage({ closed: true }); }
    return;
  }
  try {
    await (await transport).send(Buffer.from(m.buffer, m.offset, m.length));
    parentPort.postMessage({ id: m.id, ok: true });
  } catch (error) {
    parentPort.postMessage({ id: m.id, error: String(error && error.message ? error.message : error) });
  }
};
parentPort.on("message", (m) => {
  queue = queue.then(() => handle(m));
});
`;

export interface WorkerHttpTransportOptions {
  /** `@questdb/nodejs-client` configuration string (`http::addr=...;...`), parsed in the worker. */
  readonly config: string;
  /** Receives the client's log lines (its `log` option cannot cross threads). */
  readonly log?: (level: "info" | "warn" | "error" | "debug", message: string) => void;
}

/**
 * `SenderTransport` whose HTTP requests run on a worker thread, one worker per transport, started
 * with the transport and again after it dies. Errors come back with the client's message, so
 * callers can still tell a refusal (`statusCode=4xx`) from an outage. Sends run one at a time, in
 * call order.
 */
export class WorkerHttpTransport implements SenderTransport {
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly pending = new Map<
    number,
    { resolve: (ok: boolean) => void; reject: (e: Error) => void }
  >();
  private readonly client = createRequire(import.meta.url).resolve("@questdb/nodejs-client");

  constructor(private readonly options: WorkerHttpTransportOptions) {
    // Loading the client in a new thread takes 0.1-0.5 s here: done now, not on the first send.
    this.start().unref();
  }

  async connect(): Promise<boolean> {
    return true;
  }

  getDefaultAutoFlushRows(): number {
    return 0;
  }

  send(data: Buffer): Promise<boolean> {
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    const shared = data.buffer instanceof SharedArrayBuffer;
    const done = new Promise<boolean>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    // A send in flight must keep the process alive; an idle worker must not.
    worker.ref();
    if (shared) worker.postMessage({ id, buffer: data.buffer, offset: data.byteOffset, length: data.length });
    else {
      const copy = new Uint8Array(new SharedArrayBuffer(data.length));
      copy.set(data);
      worker.postMessage({ id, buffer: copy.buffer, offset: 0, length: data.length });
    }
    return done;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    if (worker === undefined) return;
    this.worker = undefined;
    await new Promise<void>((resolve) => {
      worker.once("exit", () => resolve());
      worker.on("message", (m: Reply) => {
        if ("closed" in m) void worker.terminate();
      });
      worker.ref();
      worker.postMessage({ close: true });
    });
    this.failPending("QuestDB transport closed");
  }

  private start(): Worker {
    const worker = new Worker(workerSource, {
      eval: true,
      workerData: { client: this.client, config: this.options.config },
    });
    worker.on("message", (m: Reply) => {
      if ("log" in m) this.options.log?.(m.log, m.message);
      else if ("id" in m) {
        const waiter = this.pending.get(m.id);
        if (waiter === undefined) return;
        this.pending.delete(m.id);
        if (this.pending.size === 0) worker.unref();
        if ("ok" in m) waiter.resolve(true);
        else waiter.reject(new Error(m.error));
      }
    });
    const lost = (reason: string) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.failPending(reason);
    };
    worker.on("error", (error) => lost(`QuestDB send worker failed: ${error.message}`));
    worker.on("exit", (code) => lost(`QuestDB send worker exited (code ${code})`));
    this.worker = worker;
    return worker;
  }

  private failPending(reason: string): void {
    for (const waiter of this.pending.values()) waiter.reject(new Error(reason));
    this.pending.clear();
  }
}
