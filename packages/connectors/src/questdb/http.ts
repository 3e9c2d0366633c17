/** Thrown when QuestDB answers `/exec` with an error (bad SQL, missing table); carries the SQL. */
export class QuestDbSqlError extends Error {
  override readonly name = "QuestDbSqlError";
  constructor(
    message: string,
    readonly sql: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface ExecResult {
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  readonly dataset: readonly (readonly unknown[])[];
  readonly count: number;
}

export interface QuestDbHttpOptions {
  /** e.g. `http://127.0.0.1:9000`. */
  readonly url: string;
  readonly timeoutMs?: number;
}

/**
 * QuestDB's REST endpoint `/exec`: DDL at startup and SQL checks in tests and tools. Not a hot path
 * (rows go in over ILP).
 */
export class QuestDbHttp {
  readonly url: string;
  private readonly timeoutMs: number;

  constructor(options: QuestDbHttpOptions) {
    this.url = options.url.replace(/\/+$/, "");
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** Runs one statement; resolves with the raw result (DDL answers with no rows). */
  async exec(sql: string): Promise<ExecResult> {
    const response = await fetch(`${this.url}/exec?query=${encodeURIComponent(sql)}`, {
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await response.text();
    let body: Partial<ExecResult> & { error?: string };
    try {
      body = JSON.parse(text);
    } catch {
      throw new QuestDbSqlError(
        `QuestDB answered ${response.status} with non-JSON: ${text.slice(0, 200)}`,
        sql,
        response.status,
      );
    }
    if (!response.ok || body.error !== undefined) {
      throw new QuestDbSqlError(
        `QuestDB refused SQL: ${body.error ?? response.statusText}`,
        sql,
        response.status,
      );
    }
    return { columns: body.columns ?? [], dataset: body.dataset ?? [], count: body.count ?? 0 };
  }

  /** Runs a query and returns its rows as objects keyed by column name. */
  async query<T extends Record<string, unknown> = Record<string, unknown>>(sql: string): Promise<T[]> {
    const { columns, dataset } = await this.exec(sql);
    return dataset.map((values) => Object.fromEntries(columns.map((c, i) => [c.name, values[i]])) as T);
  }

  /**
   * Waits until everything committed to a WAL table is applied and visible to queries (WAL tables
   * apply commits asynchronously). Throws if the table is suspended or the wait exceeds `timeoutMs`.
   */
  async waitForApplied(table: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const sql = `select writerTxn, sequencerTxn, suspended from wal_tables() where name = '${table.replaceAll("'", "''")}'`;
    for (;;) {
      const [state] = await this.query<{ writerTxn: number; sequencerTxn: number; suspended: boolean }>(sql);
      if (state === undefined) throw new QuestDbSqlError(`no WAL table named ${table}`, sql, 200);
      if (state.suspended) throw new QuestDbSqlError(`WAL table ${table} is suspended`, sql, 200);
      if (state.writerTxn >= state.sequencerTxn) return;
      if (Date.now() > deadline) {
        throw new Error(
          `WAL of ${table} not applied within ${timeoutMs} ms (${state.writerTxn}/${state.sequencerTxn})`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /**
   * The ILP version to write in: 2 (binary doubles) when the server lists it (or a later one) in
   * `/settings` `line.proto.support.versions`, else 1. Servers before 9.0 have no such list (or no
   * `/settings`) and read version 1 only.
   */
  async ilpProtocolVersion(): Promise<1 | 2> {
    const response = await fetch(`${this.url}/settings`, { signal: AbortSignal.timeout(this.timeoutMs) });
    if (!response.ok) return 1;
    let versions: unknown;
    try {
      const body = (await response.json()) as { config?: Record<string, unknown> };
      versions = body.config?.["line.proto.support.versions"];
    } catch {
      return 1;
    }
    return Array.isArray(versions) && versions.some((v) => Number(v) >= 2) ? 2 : 1;
  }

  /** True when QuestDB answers `select 1`; never throws. */
  async isReady(): Promise<boolean> {
    try {
      await this.exec("select 1");
      return true;
    } catch {
      return false;
    }
  }
}
