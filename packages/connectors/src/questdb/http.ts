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
    const body = (await response.json()) as Partial<ExecResult> & { error?: string; ddl?: string };
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
