import type { TableRow } from "./rows.js";
import { type AnyTableSpec, type ColumnType, type TableKey, tables } from "./tables.js";

/*
 * ILP (InfluxDB line protocol, QuestDB dialect v2) written straight into one growing Buffer.
 * The official client's SenderBuffer writes every character with its own Buffer.write call
 * (~60 µs per 20-column row here), which caps a writer near 15k rows/s; this encoder produces the
 * same bytes (encode.test.ts checks it against SenderBufferV2) with precomputed column prefixes,
 * binary doubles (v2: exact, no float formatting) and escaping only when a value needs it.
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
const DOUBLE_BINARY = 16;

/** A batch of ILP rows; one batch is one HTTP request and one QuestDB transaction. */
export class IlpBatch {
  private buf: Buffer;
  private pos = 0;
  /** End offset, table and designated timestamp of each row, to resend or report rows singly. */
  private readonly ends: number[] = [];
  private readonly tableKeys: TableKey[] = [];
  private readonly timestamps: number[] = [];

  constructor(initialBytes = 1 << 20) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  get rows(): number {
    return this.ends.length;
  }

  reset(): void {
    this.pos = 0;
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
    const start = this.pos;
    try {
      this.appendRow(table, row);
    } catch (error) {
      this.pos = start;
      throw error;
    }
    this.ends.push(this.pos);
    this.tableKeys.push(row.table);
    this.timestamps.push(row.ts);
  }

  private appendRow(table: CompiledTable, row: TableRow): void {
    if (!Number.isSafeInteger(row.ts) || row.ts < 0)
      throw new Error(`invalid designated timestamp ${row.ts}`);
    const values = row.values as Readonly<Record<string, unknown>>;
    this.copy(table.head);
    for (const symbol of table.symbols) {
      const v = values[symbol.name];
      if (v === undefined || v === null) continue;
      this.copy(symbol.prefix);
      this.copy(this.symbolBytes(String(v)));
    }
    let first = true;
    for (const field of table.fields) {
      const v = values[field.name];
      if (v === undefined || v === null) continue;
      this.copy(first ? field.first : field.next);
      first = false;
      switch (field.type) {
        case "DOUBLE":
          if (typeof v !== "number") throw new Error(`${field.name}: expected a number, got ${typeof v}`);
          this.room(10);
          this.buf[this.pos++] = EQUALS;
          this.buf[this.pos++] = DOUBLE_BINARY;
          this.pos = this.buf.writeDoubleLE(v, this.pos);
          break;
        case "LONG":
          if (!Number.isSafeInteger(v))
            throw new Error(`${field.name}: expected an integer, got ${String(v)}`);
          this.text(`${v}i`);
          break;
        case "VARCHAR":
          if (typeof v !== "string") throw new Error(`${field.name}: expected a string, got ${typeof v}`);
          this.room(1);
          this.buf[this.pos++] = QUOTE;
          this.text(escapeString(v));
          this.room(1);
          this.buf[this.pos++] = QUOTE;
          break;
        case "BOOLEAN":
          if (typeof v !== "boolean") throw new Error(`${field.name}: expected a boolean, got ${typeof v}`);
          this.text(v ? "t" : "f");
          break;
        case "SYMBOL":
          break;
      }
    }
    if (first) throw new Error(`row for ${table.name} has no non-null field`);
    // `t` marks the designated timestamp as microseconds, our eventTime unit.
    this.text(` ${row.ts}t\n`);
  }

  // Symbols repeat by nature (tickers, expiries, contracts), so their escaped UTF-8 is cached.
  private readonly symbols = new Map<string, Buffer>();

  private symbolBytes(value: string): Buffer {
    let bytes = this.symbols.get(value);
    if (bytes === undefined) {
      if (this.symbols.size >= 100_000) this.symbols.clear();
      bytes = Buffer.from(escapeName(value));
      this.symbols.set(value, bytes);
    }
    return bytes;
  }

  private room(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + bytes));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
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
