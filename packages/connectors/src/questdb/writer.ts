import { createTransport, SenderOptions, type SenderTransport } from "@questdb/nodejs-client";
import type { Event } from "@thetaflow/schemas";
import { type StructuredLogger, silentLogger } from "../kafka/logger.js";
import { compileTables, IlpBatch } from "./encode.js";
import { QuestDbHttp } from "./http.js";
import { rowsOf, type TableRow } from "./rows.js";
import { createTableSql, type TableKey, tables } from "./tables.js";

export interface QuestDbWriterOptions {
  /** QuestDB HTTP endpoint (ILP `/write` and SQL `/exec`); default `http://127.0.0.1:9000`. */
  readonly url?: string;
  /** Prepended to every table name; tests use it to keep their tables apart. Default none. */
  readonly tablePrefix?: string;
  /** Rows per ILP request (one QuestDB transaction); reaching it starts a flush. Default 50,000. */
  readonly flushRows?: number;
  /** Buffer bound: above it `write` returns a promise to wait on. Default 500,000 rows. */
  readonly maxBufferedRows?: number;
  /** Flush what is buffered at least this often; 0 = only on size and explicit flush. Default 1,000. */
  readonly flushIntervalMs?: number;
  /** Time one send may take, including the client's own quick retries. Default 10,000. */
  readonly attemptTimeoutMs?: number;
  /** Backoff between failed sends while QuestDB is unreachable. */
  readonly retry?: { readonly initialDelayMs?: number; readonly maxDelayMs?: number };
  /** How long `open` keeps trying to create the tables before it gives up. Default 60,000. */
  readonly startTimeoutMs?: number;
  readonly logger?: StructuredLogger;
  /**
   * Called for a row QuestDB refuses outright (HTTP 4xx, e.g. a column type clash); that row is
   * dropped so the rows behind it are not blocked forever. Nothing else is ever dropped.
   */
  readonly onRejected?: (row: TableRow, reason: string) => void;
}

export interface QuestDbWriterStats {
  readonly bufferedRows: number;
  readonly writtenRows: number;
  readonly rejectedRows: number;
  readonly flushes: number;
  readonly failedAttempts: number;
  readonly lastError: string | undefined;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** QuestDB refused the request itself (4xx): sending it again would fail the same way. */
const isRefusal = (error: unknown): boolean => {
  const status = /statusCode=(\d{3})/.exec(String((error as Error)?.message ?? error))?.[1];
  return status?.startsWith("4") === true && status !== "408" && status !== "429";
};

/** Thrown by `close` when rows are still unsent at its deadline; they were not written. */
export class QuestDbUnsentRowsError extends Error {
  override readonly name = "QuestDbUnsentRowsError";
  constructor(readonly unsentRows: number) {
    super(`${unsentRows} rows could not be written to QuestDB before close`);
  }
}

/**
 * Writes events into the QuestDB tables (see tables.ts) over ILP/HTTP.
 *
 * Rows are buffered and sent in batches; each batch is one HTTP request and one transaction. A
 * failed send keeps its bytes and is retried with backoff until QuestDB answers, so an outage loses
 * nothing; because every table deduplicates on (ts, natural key), a batch that did land before its
 * acknowledgement was lost is harmless when sent again. `flush()` resolves once everything written
 * before it is committed: the moment a caller may acknowledge the input it came from.
 */
export class QuestDbWriter {
  private readonly buffered: TableRow[] = [];
  private enqueued = 0;
  /** Rows removed from the buffer in order, committed or rejected; `flush` waits on this count. */
  private settled = 0;
  private flushTarget = 0;
  private draining: Promise<void> | undefined;
  private readonly flushWaiters: { target: number; resolve: () => void }[] = [];
  private roomWaiter: { promise: Promise<void>; resolve: () => void } | undefined;
  private readonly timer: NodeJS.Timeout | undefined;
  private closed = false;
  private written = 0;
  private rejected = 0;
  private flushes = 0;
  private failedAttempts = 0;
  private lastError: string | undefined;
  private readonly compiled: ReturnType<typeof compileTables>;
  private readonly flushRows: number;
  private readonly maxBufferedRows: number;
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly logger: StructuredLogger;

  private readonly ilp = new IlpBatch();

  private constructor(
    private readonly transport: SenderTransport,
    readonly http: QuestDbHttp,
    private readonly options: QuestDbWriterOptions,
  ) {
    this.compiled = compileTables(options.tablePrefix ?? "");
    this.flushRows = options.flushRows ?? 50_000;
    this.maxBufferedRows = Math.max(options.maxBufferedRows ?? 500_000, this.flushRows);
    this.initialDelayMs = options.retry?.initialDelayMs ?? 100;
    this.maxDelayMs = options.retry?.maxDelayMs ?? 5_000;
    this.logger = options.logger ?? silentLogger;
    const interval = options.flushIntervalMs ?? 1_000;
    if (interval > 0) {
      this.timer = setInterval(() => {
        if (this.buffered.length > 0) this.requestFlush();
      }, interval);
      // A pending periodic flush must not keep a finished process alive.
      this.timer.unref();
    }
  }

  /** Creates the tables (retrying until QuestDB answers or `startTimeoutMs`) and the ILP sender. */
  static async open(options: QuestDbWriterOptions = {}): Promise<QuestDbWriter> {
    const url = new URL(options.url ?? "http://127.0.0.1:9000");
    const http = new QuestDbHttp({ url: url.origin });
    const logger = options.logger ?? silentLogger;
    await createTables(http, options.tablePrefix ?? "", options.startTimeoutMs ?? 60_000, logger);
    const protocol = url.protocol === "https:" ? "https" : "http";
    const attemptMs = options.attemptTimeoutMs ?? 10_000;
    // The client is used for its HTTP transport (auth, TLS, retries on 5xx); IlpBatch encodes the
    // rows. protocol_version is pinned so no round trip is needed here. stdlib_http: the default undici
    // transport (4.2.0) retries a refused connection forever and ignores its own retry_timeout, so
    // a send to a stopped QuestDB never returns; node:http fails fast and our loop backs off.
    const config =
      `${protocol}::addr=${url.host};protocol_version=2;auto_flush=off;stdlib_http=on;` +
      `request_timeout=${attemptMs};retry_timeout=${attemptMs}`;
    const senderOptions = await SenderOptions.fromConfig(config, {
      log: (level, message) => {
        if (level !== "debug") logger.log(level, String(message), { component: "questdb-client" });
      },
    });
    return new QuestDbWriter(createTransport(senderOptions), http, options);
  }

  /** The table name as created, with the prefix. */
  tableName(table: TableKey): string {
    return this.compiled[table].name;
  }

  /**
   * Buffers the rows of an event. Returns undefined when there is room, or a promise that resolves
   * once the buffer is below its bound again (the caller should pause its source until then).
   */
  write(event: Event): Promise<void> | undefined {
    return this.writeRows(rowsOf(event));
  }

  writeRows(rows: readonly TableRow[]): Promise<void> | undefined {
    if (this.closed) throw new Error("QuestDbWriter is closed");
    for (const row of rows) this.buffered.push(row);
    this.enqueued += rows.length;
    if (this.buffered.length >= this.flushRows) this.requestFlush();
    return this.backpressure();
  }

  /** A promise while the buffer is over its bound; undefined when there is room. */
  backpressure(): Promise<void> | undefined {
    if (this.buffered.length < this.maxBufferedRows) return undefined;
    if (this.roomWaiter === undefined) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => {
        resolve = r;
      });
      this.roomWaiter = { promise, resolve };
    }
    return this.roomWaiter.promise;
  }

  /** Resolves when every row written before this call is committed (or rejected, see onRejected). */
  flush(): Promise<void> {
    const target = this.enqueued;
    if (this.settled >= target) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.flushWaiters.push({ target, resolve }));
    this.flushTarget = Math.max(this.flushTarget, target);
    this.startDrain();
    return done;
  }

  /**
   * Flushes and releases the connection. With `timeoutMs`, gives up waiting for an unreachable
   * QuestDB after that long and throws QuestDbUnsentRowsError (the unsent rows are lost to this
   * writer; their inputs must not have been acknowledged).
   */
  async close(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    const flushed = this.flush();
    if (options.timeoutMs === undefined) await flushed;
    else {
      let timeout: NodeJS.Timeout | undefined;
      const expired = new Promise<"expired">((resolve) => {
        timeout = setTimeout(() => resolve("expired"), options.timeoutMs);
      });
      const outcome = await Promise.race([flushed.then(() => "flushed" as const), expired]);
      clearTimeout(timeout);
      if (outcome === "expired") {
        // Stops the retry loop at its next turn; the rows stay unsent.
        this.closed = true;
        this.flushWaiters.length = 0;
        await this.transport.close();
        throw new QuestDbUnsentRowsError(this.buffered.length);
      }
    }
    this.closed = true;
    await this.transport.close();
  }

  stats(): QuestDbWriterStats {
    return {
      bufferedRows: this.buffered.length,
      writtenRows: this.written,
      rejectedRows: this.rejected,
      flushes: this.flushes,
      failedAttempts: this.failedAttempts,
      lastError: this.lastError,
    };
  }

  private requestFlush(): void {
    this.flushTarget = Math.max(this.flushTarget, this.enqueued);
    this.startDrain();
  }

  private startDrain(): void {
    if (this.draining !== undefined) return;
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      // Rows that arrived over the threshold while the last batch was in flight.
      if (this.settled < this.flushTarget || this.buffered.length >= this.flushRows) this.startDrain();
    });
  }

  /** Sends batches, oldest first, until the flush target is reached; never rejects. */
  private async drain(): Promise<void> {
    let delay = this.initialDelayMs;
    // After a refused batch, rows go one per request until that batch is through, to find the culprit.
    let isolate = 0;
    while (
      this.buffered.length > 0 &&
      (this.settled < this.flushTarget || this.buffered.length >= this.flushRows)
    ) {
      if (this.closed && this.flushWaiters.length === 0) return;
      const size = isolate > 0 ? 1 : Math.min(this.flushRows, this.buffered.length);
      const bytes = this.encode(size);
      if (bytes === undefined) continue;
      const count = Math.min(size, this.buffered.length);
      try {
        await this.transport.send(bytes);
        this.flushes++;
        this.written += count;
        this.settle(count);
        delay = this.initialDelayMs;
        if (isolate > 0) isolate--;
      } catch (error) {
        this.failedAttempts++;
        this.lastError = String((error as Error)?.message ?? error);
        if (isRefusal(error)) {
          if (count === 1) {
            const [row] = this.buffered.slice(0, 1);
            this.reject(row!, this.lastError);
            if (isolate > 0) isolate--;
          } else {
            isolate = count;
            this.logger.log("warn", "QuestDB refused a batch; resending its rows one by one", {
              rows: count,
              error: this.lastError,
            });
          }
          continue;
        }
        this.logger.log("warn", "QuestDB write failed; will retry", {
          bufferedRows: this.buffered.length,
          retryInMs: delay,
          error: this.lastError,
        });
        await sleep(delay);
        delay = Math.min(delay * 2, this.maxDelayMs);
      }
    }
  }

  /**
   * ILP bytes of the first `size` buffered rows. A row that cannot be encoded is rejected and the
   * batch encoded again without it; undefined when all of them were rejected.
   */
  private encode(size: number): Buffer | undefined {
    for (;;) {
      this.ilp.reset();
      const n = Math.min(size, this.buffered.length);
      if (n === 0) return undefined;
      let clean = true;
      for (let i = 0; i < n; i++) {
        const row = this.buffered[i]!;
        try {
          this.ilp.append(this.compiled[row.table], row);
        } catch (error) {
          clean = false;
          // Move the bad row to the front so settle() removes exactly it, keeping the others in order.
          this.buffered.splice(i, 1);
          this.buffered.unshift(row);
          this.reject(row, `cannot encode row: ${(error as Error).message}`);
          break;
        }
      }
      if (clean) return this.ilp.bytes();
    }
  }

  private reject(row: TableRow, reason: string): void {
    this.rejected++;
    this.settle(1);
    this.logger.log("error", "QuestDB row rejected", { table: row.table, ts: row.ts, reason });
    this.options.onRejected?.(row, reason);
  }

  private settle(count: number): void {
    this.buffered.splice(0, count);
    this.settled += count;
    for (let i = this.flushWaiters.length - 1; i >= 0; i--) {
      const waiter = this.flushWaiters[i]!;
      if (this.settled >= waiter.target) {
        this.flushWaiters.splice(i, 1);
        waiter.resolve();
      }
    }
    if (this.roomWaiter !== undefined && this.buffered.length < this.maxBufferedRows) {
      this.roomWaiter.resolve();
      this.roomWaiter = undefined;
    }
  }
}

const createTables = async (
  http: QuestDbHttp,
  prefix: string,
  timeoutMs: number,
  logger: StructuredLogger,
): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  let delay = 100;
  for (;;) {
    try {
      for (const spec of Object.values(tables)) await http.exec(createTableSql(spec, prefix));
      return;
    } catch (error) {
      // A refused statement is a bug in the DDL, not an outage: no point in waiting.
      if ((error as Error).name === "QuestDbSqlError" || Date.now() + delay > deadline) throw error;
      logger.log("warn", "QuestDB not reachable yet; retrying table creation", { error: String(error) });
      await sleep(delay);
      delay = Math.min(delay * 2, 2_000);
    }
  }
};
