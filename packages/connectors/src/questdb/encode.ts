import type { TableRow } from "./rows.js";
import { type AnyTableSpec, type ColumnType, type TableKey, tables } from "./tables.js";

/*
 * ILP (InfluxDB line protocol, QuestDB dialect) written straight into one growing Buffer.
 * The official client's SenderBuffer writes every character with its own Buffer.write call
 * (~60 µs per 20-column row here), which caps a writer near 15k rows/s; this encoder produces the
 * same bytes (encode.test.ts checks it against SenderBufferV2 and V1) with precomputed column
 * prefixes and escaping only when a value needs it.
 *
 * Protocol version 2 (QuestDB 9.0+) sends doubles in binary: `=`, type byte 16, 8 bytes
 * little-endian; exact, and neither side formats or parses a decimal. Version 1 (older servers)
 * sends them as JavaScript prints them (shortest round-trip decimal) and the designated timestamp
 * in nanoseconds without a unit suffix, as the official V1 buffer does.
 */

interface CompiledField {
  readonly name: string;
  readonly type: ColumnType;
  /** ` name=` for the first field of a row, `,name=` for the others. */
  readonly first: Buffer;
  readonly next: Buffer;
}

export interface CompiledTable {
  readonly name: string;
  readonly head: Buffer;
  /** ILP requires symbols before any other field. */
  readonly symbols: readonly { readonly name: string; readonly prefix: Buffer }[];
  readonly fields: readonly CompiledField[];
}

const needsNameEscape = /[ ,=\n\r\\]/;
const needsStringEscape = /[\n\r"\\]/;
const escapeName = (s: string): string => (needsNameEscape.test(s) ? s.replace(/[ ,=\n\r\\]/g, "\\$&") : s);
const escapeString = (s: string): string => (needsStringEscape.test(s) ? s.replace(/[\n\r"\\]/g, "\\$&") : s);

const compile = (spec: AnyTableSpec, prefix: string): CompiledTable => {
  const entries = Object.entries(spec.columns);
  return {
    name: `${prefix}${spec.name}`,
    head: Buffer.from(escapeName(`${prefix}${spec.name}`)),
    symbols: entries
      .filter(([, t]) => t === "SYMBOL")
      .map(([name]) => ({ name, prefix: Buffer.from(`,${escapeName(name)}=`) })),
    fields: entries
      .filter(([, t]) => t !== "SYMBOL")
      .map(([name, type]) => ({
        name,
        type,
        first: Buffer.from(` ${escapeName(name)}=`),
        next: Buffer.from(`,${escapeName(name)}=`),
      })),
  };
};

/** Column order and byte prefixes per table, computed once per writer. */
export const compileTables = (prefix: string): Record<TableKey, CompiledTable> =>
  Object.fromEntries(Object.entries(tables).map(([k, spec]) => [k, compile(spec, prefix)])) as Record<
    TableKey,
    CompiledTable
  >;

const EQUALS = 0x3d;
const QUOTE = 0x22;
const NEWLINE = 0x0a;
const DOUBLE_BINARY = 16;
const ZERO = 0x30;

/** Largest byte count an ASCII-only value needs beside its text (quotes, `i`, `000\n`). */
const ROW_SLACK = 32;

/** ILP versions this encoder writes: 1 = text doubles, 2 = binary doubles. */
export type IlpProtocolVersion = 1 | 2;

/**
 * Batches are sent from a worker thread (workerTransport.ts): shared memory lets it read the bytes
 * without a copy per request.
 */
const allocate = (bytes: number): Buffer => Buffer.from(new SharedArrayBuffer(bytes));

/**
 * A batch of ILP rows; one batch is one HTTP request and one QuestDB transaction.
 *
 * A row is written with `beginRow`, one call per non-null column (symbols first), and `endRow`;
 * `append` does that for a TableRow, and eventEncoder.ts compiles the same calls per event kind.
 * A column writer throws on a value ILP cannot carry; the caller then calls `abortRow`.
 */
export class IlpBatch {
  private buf: Buffer;
  /** Over `buf`, for ILP v2's 8-byte little-endian doubles (one store, no Buffer.writeDoubleLE checks). */
  private view: DataView;
  private pos = 0;
  private rowStart = 0;
  /** End offset, table and designated timestamp of each row, to resend or report rows singly. */
  private readonly ends: number[] = [];
  private readonly tableKeys: TableKey[] = [];
  private readonly timestamps: number[] = [];

  constructor(
    initialBytes = 1 << 20,
    readonly protocolVersion: IlpProtocolVersion = 2,
  ) {
    this.buf = allocate(initialBytes);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
  }

  get rows(): number {
    return this.ends.length;
  }

  /** Bytes the batch can hold before it grows. */
  get capacity(): number {
    return this.buf.length;
  }

  reset(): void {
    this.pos = 0;
    this.rowStart = 0;
    this.ends.length = 0;
    this.tableKeys.length = 0;
    this.timestamps.length = 0;
  }

  /**
   * The encoded bytes, as a view (no copy: a batch is tens of MB). Valid until the next reset or
   * append, so a sender keeps the batch untouched until the request is acknowledged.
   */
  bytes(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  /** Row `i` alone: its bytes (a view), table and designated timestamp. */
  row(i: number): { readonly bytes: Buffer; readonly table: TableKey; readonly ts: number } {
    const start = i === 0 ? 0 : this.ends[i - 1]!;
    return {
      bytes: this.buf.subarray(start, this.ends[i]),
      table: this.tableKeys[i]!,
      ts: this.timestamps[i]!,
    };
  }

  /** Appends one row. Throws on a value ILP cannot carry, leaving no part of the row behind. */
  append(table: CompiledTable, row: TableRow): void {
    try {
      this.appendRow(table, row);
    } catch (error) {
      this.abortRow();
      throw error;
    }
  }

  private appendRow(table: CompiledTable, row: TableRow): void {
    const values = row.values as Readonly<Record<string, unknown>>;
    this.beginRow(table.head, row.ts);
    for (const symbol of table.symbols) {
      const v = values[symbol.name];
      if (v !== undefined && v !== null) this.symbol(symbol.prefix, v);
    }
    let fields = 0;
    for (const field of table.fields) {
      const v = values[field.name];
      if (v === undefined || v === null) continue;
      const prefix = fields++ === 0 ? field.first : field.next;
      switch (field.type) {
        case "DOUBLE":
          this.double(prefix, v, field.name);
          break;
        case "LONG":
          this.long(prefix, v, field.name);
          break;
        case "VARCHAR":
          this.varchar(prefix, v, field.name);
          break;
        case "BOOLEAN":
          this.boolean(prefix, v, field.name);
          break;
        case "SYMBOL":
          break;
      }
    }
    this.endRow(fields, table, row.table, row.ts);
  }

  /** Starts a row: the table name. `ts` is checked here so a bad row fails before any work. */
  beginRow(head: Buffer, ts: number): void {
    if (!Number.isSafeInteger(ts) || ts < 0) throw new Error(`invalid designated timestamp ${ts}`);
    this.rowStart = this.pos;
    this.copy(head);
  }

  /** Drops the bytes of the row begun last (after a column writer threw). */
  abortRow(): void {
    this.pos = this.rowStart;
  }

  /** Ends a row with its designated timestamp; `fields` is how many non-symbol columns it got. */
  endRow(fields: number, table: CompiledTable, key: TableKey, ts: number): void {
    if (fields === 0) throw new Error(`row for ${table.name} has no non-null field`);
    this.room(ROW_SLACK);
    this.buf[this.pos++] = 0x20;
    this.digits(ts);
    if (this.protocolVersion === 2) {
      // `t` marks the designated timestamp as microseconds, our eventTime unit.
      this.buf[this.pos++] = 0x74;
    } else if (ts !== 0) {
      // V1 servers know only nanoseconds here; ts * 1000 could exceed 2^53, so digits then zeros.
      this.buf[this.pos++] = ZERO;
      this.buf[this.pos++] = ZERO;
      this.buf[this.pos++] = ZERO;
    }
    this.buf[this.pos++] = NEWLINE;
    this.ends.push(this.pos);
    this.tableKeys.push(key);
    this.timestamps.push(ts);
  }

  symbol(prefix: Buffer, v: unknown): void {
    this.copy(prefix);
    const s = typeof v === "string" ? v : String(v);
    const n = s.length;
    // Escaping at most doubles an ASCII value (OCC contract symbols carry padding spaces).
    this.room(2 * n);
    const buf = this.buf;
    const start = this.pos;
    let pos = start;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.pos = start;
        this.text(escapeName(s));
        return;
      }
      // Space , = \n \r \ are escaped with a backslash.
      if (c === 0x20 || c === 0x2c || c === 0x3d || c === 0x0a || c === 0x0d || c === 0x5c) buf[pos++] = 0x5c;
      buf[pos++] = c;
    }
    this.pos = pos;
  }

  double(prefix: Buffer, v: unknown, column: string): void {
    if (typeof v !== "number") throw new Error(`${column}: expected a number, got ${typeof v}`);
    this.copy(prefix);
    if (this.protocolVersion === 1) {
      this.text(String(v));
      return;
    }
    this.room(10);
    const buf = this.buf;
    const pos = this.pos;
    buf[pos] = EQUALS;
    buf[pos + 1] = DOUBLE_BINARY;
    this.view.setFloat64(pos + 2, v, true);
    this.pos = pos + 10;
  }

  long(prefix: Buffer, v: unknown, column: string): void {
    if (!Number.isSafeInteger(v)) throw new Error(`${column}: expected an integer, got ${String(v)}`);
    this.copy(prefix);
    this.room(ROW_SLACK);
    this.digits(v as number);
    this.buf[this.pos++] = 0x69;
  }

  varchar(prefix: Buffer, v: unknown, column: string): void {
    if (typeof v !== "string") throw new Error(`${column}: expected a string, got ${typeof v}`);
    this.copy(prefix);
    const n = v.length;
    this.room(2 * n + 2);
    const buf = this.buf;
    const start = this.pos;
    let pos = start;
    buf[pos++] = QUOTE;
    for (let i = 0; i < n; i++) {
      const c = v.charCodeAt(i);
      if (c >= 0x80) {
        this.pos = start + 1;
        this.text(escapeString(v));
        this.room(1);
        this.buf[this.pos++] = QUOTE;
        return;
      }
      // " \ \n \r are escaped with a backslash.
      if (c === 0x22 || c === 0x5c || c === 0x0a || c === 0x0d) buf[pos++] = 0x5c;
      buf[pos++] = c;
    }
    buf[pos++] = QUOTE;
    this.pos = pos;
  }

  boolean(prefix: Buffer, v: unknown, column: string): void {
    if (typeof v !== "boolean") throw new Error(`${column}: expected a boolean, got ${typeof v}`);
    this.copy(prefix);
    this.room(1);
    this.buf[this.pos++] = v ? 0x74 : 0x66;
  }

  /** A safe integer in decimal, as `String(n)` would print it (callers reserved the room). */
  private digits(n: number): void {
    const buf = this.buf;
    if (n < 0) {
      buf[this.pos++] = 0x2d;
      n = -n;
    }
    let width = 1;
    for (let p = 10; p <= n; p *= 10) width++;
    let pos = this.pos + width;
    this.pos = pos;
    do {
      const q = Math.floor(n / 10);
      buf[--pos] = ZERO + (n - q * 10);
      n = q;
    } while (n > 0);
  }

  private room(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    const grown = allocate(Math.max(this.buf.length * 2, this.pos + bytes));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
    this.view = new DataView(grown.buffer, grown.byteOffset, grown.length);
  }

  // Column prefixes and most values are a few ASCII bytes: a plain loop beats a native
  // Buffer.copy/Buffer.write call, whose fixed cost dominates at this size.
  private copy(bytes: Buffer): void {
    const n = bytes.length;
    this.room(n);
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < n; i++) buf[pos++] = bytes[i]!;
    this.pos = pos;
  }

  private text(s: string): void {
    const n = s.length;
    this.room(n * 3);
    const buf = this.buf;
    const start = this.pos;
    let pos = start;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.pos = start + buf.write(s, start, "utf8");
        return;
      }
      buf[pos++] = c;
    }
    this.pos = pos;
  }
}
