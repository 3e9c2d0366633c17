import type { SenderBuffer } from "@questdb/nodejs-client";
import type { TableRow } from "./rows.js";
import { type AnyTableSpec, type ColumnType, type TableKey, tables } from "./tables.js";

interface CompiledTable {
  readonly name: string;
  /** ILP requires symbols before any other field. */
  readonly symbols: readonly string[];
  readonly fields: readonly (readonly [string, ColumnType])[];
}

/** Column order per table, computed once so the per-row loop only reads arrays. */
export const compileTables = (prefix: string): Record<TableKey, CompiledTable> => {
  const compile = (spec: AnyTableSpec): CompiledTable => {
    const entries = Object.entries(spec.columns);
    return {
      name: `${prefix}${spec.name}`,
      symbols: entries.filter(([, t]) => t === "SYMBOL").map(([n]) => n),
      fields: entries.filter(([, t]) => t !== "SYMBOL"),
    };
  };
  return Object.fromEntries(Object.entries(tables).map(([k, spec]) => [k, compile(spec)])) as Record<
    TableKey,
    CompiledTable
  >;
};

/** Appends one row as ILP. Throws on a value ILP cannot carry; the caller rolls the buffer back. */
export const encodeRow = (buffer: SenderBuffer, table: CompiledTable, row: TableRow): void => {
  const values = row.values as Readonly<Record<string, unknown>>;
  buffer.table(table.name);
  for (const name of table.symbols) {
    const v = values[name];
    if (v !== undefined && v !== null) buffer.symbol(name, v);
  }
  for (const [name, type] of table.fields) {
    const v = values[name];
    if (v === undefined || v === null) continue;
    switch (type) {
      case "DOUBLE":
        buffer.floatColumn(name, v as number);
        break;
      case "LONG":
        buffer.intColumn(name, v as number);
        break;
      case "VARCHAR":
        buffer.stringColumn(name, v as string);
        break;
      case "BOOLEAN":
        buffer.booleanColumn(name, v as boolean);
        break;
      case "SYMBOL":
        break;
    }
  }
  buffer.at(row.ts, "us");
};
