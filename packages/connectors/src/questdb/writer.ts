import type { SenderTransport } from "@questdb/nodejs-client";
import type { Event } from "@thetaflow/schemas";
import { type StructuredLogger, silentLogger } from "../kafka/logger.js";
import { compileTables, IlpBatch, type IlpProtocolVersion } from "./encode.js";
import { compileEventEncoders, type EventEncoder } from "./eventEncoder.js";
import { QuestDbHttp } from "./http.js";
import { rowsOf, type TableRow } from "./rows.js";
import { createTableSql, type TableKey, tables } from "./tables.js";
import { WorkerHttpTransport } from "./workerTransport.js";

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
   * ILP version the rows are encoded in: 2 sends doubles in binary (QuestDB 9.0+), 1 as text.
   * `open` asks the server (`/settings`) and picks 2 when it is supported; default 2.
   */
  readonly protocolVersion?: IlpProtocolVersion;
  /**
   * Called for a row that cannot be encoded or that QuestDB refuses outright (HTTP 4xx, e.g. a
   * column type clash); that row is dropped so the rows behind it are not blocked forever.
   * Nothing else is ever dropped.
   */
  readonly onRejected?: (rejection: RejectedRow) => void;
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

/** A row that was not written: refused by the encoder (`row` set) or by QuestDB (`ilp` set). */
export interface RejectedRow {
  /** Table key as in `tables` (without prefix). */
  readonly table: TableKey;
  readonly ts: number;
  readonly reason: string;
  readonly row?: TableRow;
  /** The row's ILP line as sent (doubles binary under ILP v2, text under v1). */
  readonly ilp?: Buffer;
}

/**
 * Writes events into the QuestDB tables (see tables.ts) over ILP/HTTP.
 *
 * `write` encodes rows at once into the open batch (so rows are never kept as objects: no GC
 * pressure, and encoding overlaps the request in flight). A batch is sealed at `flushRows` rows, on
 * `flush()`, and by the interval timer; sealed batches are sent in order, one HTTP request and one
 * transaction each. A failed send keeps its bytes and is retried with backoff until QuestDB
 * answers, so an outage loses nothing; because every table deduplicates on (ts, natural key), a
 * batch that landed before its acknowledgement was lost is harmless when sent again. `flush()`
 * resolves once everything written before it is committed: the moment a caller may acknowledge the
 * input it came from.
 */
export class QuestDbWriter {
  private open: IlpBatch;
  private batchBytes = 0;
  private readonly sealed: IlpBatch[] = [];
  private readonly pool: IlpBatch[] = [];
  private enqueued = 0;
  /** Rows committed or rejected, in write order; `flush` waits on this count. */
  private settled = 0;
  private draining: Promise<void> | undefined;
  private readonly flushWaiters: { target: number; resolve: () => void }[] = [];
  private roomWaiter: { promise: Promise<void>; resolve: () => void } | undefined;
  private readonly timer: NodeJS.Timeout | undefined;
  private closed = false;
  private abandoned = false;
  private written = 0;
  private rejected = 0;
  private flushes = 0;
  private failedAttempts = 0;
  private lastError: string | undefined;
  private readonly compiled: ReturnType<typeof compileTables>;
  private readonly encoders: Readonly<Partial<Record<Event["kind"], EventEncoder>>>;
  private readonly flushRows: number;
  private readonly maxBufferedRows: number;
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly logger: StructuredLogger;
  readonly protocolVersion: IlpProtocolVersion;

  /**
   * A writer over any ILP transport. `open` is the usual entry point: it also creates the tables
   * and the HTTP transport; use this directly to supply another transport (a custom HTTP agent,
   * TLS setup, or an in-memory one in unit tests). Tables must already exist.
   */
  constructor(
    private readonly transport: SenderTransport,
    private readonly options: QuestDbWriterOptions = {},
  ) {
    this.protocolVersion = options.protocolVersion ?? 2;
    this.open = new IlpBatch(undefined, this.protocolVersion);
    this.compiled = compileTables(options.tablePrefix ?? "");
    this.encoders = compileEventEncoders(this.compiled);
    this.flushRows = options.flushRows ?? 50_000;
    this.maxBufferedRows = Math.max(options.maxBufferedRows ?? 500_000, this.flushRows);
    this.initialDelayMs = options.retry?.initialDelayMs ?? 100;
    this.maxDelayMs = options.retry?.maxDelayMs ?? 5_000;
    this.logger = options.logger ?? silentLogger;
    const interval = options.flushIntervalMs ?? 1_000;
    if (interval > 0) {
      this.timer = setInterval(() => {
        if (this.open.rows > 0) this.seal();
      }, interval);
      // A pending periodic flush must not keep a finished process alive.
      this.timer.unref();
    }
  }

  /**
   * Creates the tables (retrying until QuestDB answers or `startTimeoutMs`), picks the ILP version
   * the server supports, and sends over HTTP from a worker thread (workerTransport.ts).
   */
  static async open(options: QuestDbWriterOptions = {}): Promise<QuestDbWriter> {
    const url = new URL(options.url ?? "http://127.0.0.1:9000");
    const http = new QuestDbHttp({ url: url.origin });
    const logger = options.logger ?? silentLogger;
    await createTables(http, options.tablePrefix ?? "", options.startTimeoutMs ?? 60_000, logger);
    const protocolVersion = options.protocolVersion ?? (await http.ilpProtocolVersion());
    const protocol = url.protocol === "https:" ? "https" : "http";
    const attemptMs = options.attemptTimeoutMs ?? 10_000;
    // The client is used for its HTTP transport (auth, TLS, retries on 5xx); IlpBatch encodes the
    // rows. stdlib_http: the default undici transport (4.2.0) retries a refused connection forever
    // and ignores its own retry_timeout, so a send to a stopped QuestDB never returns; node:http
    // fails fast and our loop backs off.
    const config =
      `${protocol}::addr=${url.host};protocol_version=${protocolVersion};auto_flush=off;stdlib_http=on;` +
      `request_timeout=${attemptMs};retry_timeout=${attemptMs}`;
    const transport = new WorkerHttpTransport({
      config,
      log: (level, message) => {
        if (level !== "debug") logger.log(level, message, { component: "questdb-client" });
      },
    });
    return new QuestDbWriter(transport, { ...options, protocolVersion });
  }

  /** The table name as created, with the prefix. */
  tableName(table: TableKey): string {
    return this.compiled[table].name;
  }

  /**
   * Encodes the rows of an event into the open batch. Returns undefined when there is room, or a
   * promise that resolves once the buffer is below its bound again (pause the source until then).
   */
  write(event: Event): Promise<void> | undefined {
    if (this.closed) throw new Error("QuestDbWriter is closed");
    const encode = this.encoders[event.kind];
    if (encode !== undefined) this.encode(encode, event);
    else if (event.kind === "ChainSnapshot") {
      const quotes = this.encoders.OptionQuote!;
      for (const quote of event.quotes) this.encode(quotes, quote);
    } else return this.writeRows(rowsOf(event));
    return this.backpressure();
  }

  /** The hot path: event straight to ILP bytes, no TableRow. */
  private encode(encode: EventEncoder, event: Event): void {
    try {
      encode(this.open, event);
    } catch {
      this.open.abortRow();
      // The row path encodes it the same way, so it fails the same way and reports the row.
      this.writeRows(rowsOf(event));
      return;
    }
    this.enqueued++;
    if (this.open.rows >= this.flushRows) this.seal();
  }

  writeRows(rows: readonly TableRow[]): Promise<void> | undefined {
    if (this.closed) throw new Error("QuestDbWriter is closed");
    for (const row of rows) {
      try {
        this.open.append(this.compiled[row.table], row);
      } catch (error) {
        // Never enters a batch, so it does not count as buffered (flush targets stay in order).
        this.reject({
          table: row.table,
          ts: row.ts,
          row,
          reason: `cannot encode row: ${(error as Error).message}`,
        });
        continue;
      }
      this.enqueued++;
      if (this.open.rows >= this.flushRows) this.seal();
    }
    return this.backpressure();
  }

  /** Rows written but not yet committed. */
  get bufferedRows(): number {
    return this.enqueued - this.settled;
  }

  /** A promise while the buffer is over its bound; undefined when there is room. */
  backpressure(): Promise<void> | undefined {
    if (this.bufferedRows < this.maxBufferedRows) return undefined;
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
    this.seal();
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
    this.closed = true;
    if (options.timeoutMs !== undefined) {
      let timeout: NodeJS.Timeout | undefined;
      const expired = new Promise<"expired">((resolve) => {
        timeout = setTimeout(() => resolve("expired"), options.timeoutMs);
      });
      const outcome = await Promise.race([flushed.then(() => "flushed" as const), expired]);
      clearTimeout(timeout);
      if (outcome === "expired") {
        // Stops the retry loop at its next turn; the rows stay unsent.
        this.abandoned = true;
        await this.transport.close();
        throw new QuestDbUnsentRowsError(this.bufferedRows);
      }
    } else {
      await flushed;
    }
    await this.transport.close();
  }

  stats(): QuestDbWriterStats {
    return {
      bufferedRows: this.bufferedRows,
      writtenRows: this.written,
      rejectedRows: this.rejected,
      flushes: this.flushes,
      failedAttempts: this.failedAttempts,
      lastError: this.lastError,
    };
  }

  /** Closes the open batch for sending and starts the sender if idle. */
  private seal(): void {
    if (this.open.rows > 0) {
      this.sealed.push(this.open);
      // A new batch starts at the size the last one reached: growing one by doubling to tens of MB
      // copied each batch several times over and churned the GC.
      this.batchBytes = Math.max(this.batchBytes, this.open.capacity);
      this.open = this.pool.pop() ?? new IlpBatch(this.batchBytes, this.protocolVersion);
    }
    if (this.sealed.length > 0) this.startDrain();
  }

  private startDrain(): void {
    if (this.draining !== undefined) return;
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      // A batch sealed between the loop's last check and this callback would otherwise wait forever.
      if (this.sealed.length > 0 && !this.abandoned) this.startDrain();
    });
  }

  /** Sends sealed batches, oldest first, until none is left; never rejects. */
  private async drain(): Promise<void> {
    let delay = this.initialDelayMs;
    // After QuestDB refuses a batch, its rows go one per request to find the culprits; `next` is
    // the first row of the oldest batch not yet settled.
    let isolating = false;
    let next = 0;
    while (this.sealed.length > 0 && !this.abandoned) {
      const batch = this.sealed[0]!;
      const single = isolating ? batch.row(next) : undefined;
      try {
        await this.transport.send(single?.bytes ?? batch.bytes());
        this.flushes++;
        delay = this.initialDelayMs;
        if (single === undefined) {
          this.written += batch.rows;
          this.settle(batch.rows);
          next = batch.rows;
        } else {
          this.written++;
          this.settle(1);
          next++;
        }
      } catch (error) {
        this.failedAttempts++;
        this.lastError = String((error as Error)?.message ?? error);
        if (isRefusal(error)) {
          if (single === undefined) {
            isolating = true;
            this.logger.log("warn", "QuestDB refused a batch; resending its rows one by one", {
              rows: batch.rows,
              error: this.lastError,
            });
          } else {
            this.settle(1);
            this.reject({
              table: single.table,
              ts: single.ts,
              ilp: Buffer.from(single.bytes),
              reason: this.lastError,
            });
            next++;
          }
        } else {
          this.logger.log("warn", "QuestDB write failed; will retry", {
            bufferedRows: this.bufferedRows,
            retryInMs: delay,
            error: this.lastError,
          });
          await sleep(delay);
          delay = Math.min(delay * 2, this.maxDelayMs);
        }
      }
      if (next >= batch.rows) {
        this.sealed.shift();
        batch.reset();
        this.pool.push(batch);
        isolating = false;
        next = 0;
      }
    }
  }

  private reject(rejection: RejectedRow): void {
    this.rejected++;
    this.logger.log("error", "QuestDB row rejected", {
      table: rejection.table,
      ts: rejection.ts,
      reason: rejection.reason,
    });
    this.options.onRejected?.(rejection);
  }

  private settle(count: number): void {
    this.settled += count;
    for (let i = this.flushWaiters.length - 1; i >= 0; i--) {
      const waiter = this.flushWaiters[i]!;
      if (this.settled >= waiter.target) {
        this.flushWaiters.splice(i, 1);
        waiter.resolve();
      }
    }
    if (this.roomWaiter !== undefined && this.bufferedRows < this.maxBufferedRows) {
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
