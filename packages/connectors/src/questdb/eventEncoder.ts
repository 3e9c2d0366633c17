import type { Event } from "@thetaflow/schemas";
import type { CompiledTable, IlpBatch } from "./encode.js";
import { type RowMapping, rowMappings, type SingleRowKind } from "./rows.js";
import type { TableKey } from "./tables.js";

/** Encodes one event as one row into the batch; throws like IlpBatch's column writers (then `abortRow`). */
export type EventEncoder = (batch: IlpBatch, event: Event) => void;

const identifier = /^[A-Za-z_$][\w$]*$/;
const read = (property: string) =>
  identifier.test(property) ? `e.${property}` : `e[${JSON.stringify(property)}]`;

/**
 * Compiles a row mapping into straight-line code for one table: each column is a named property
 * read (one inline cache per site, no per-column dispatch or keyed lookup) and one IlpBatch call,
 * with no intermediate TableRow. It makes exactly the calls `IlpBatch.append` makes for the
 * mapped row (same columns, same order, same null rule), so the bytes are the same;
 * eventEncoder.test.ts checks them against the official client.
 */
const compileEncoder = (table: CompiledTable, key: TableKey, m: RowMapping<never>): EventEncoder => {
  const sources = m.columns as Readonly<Record<string, string | ((e: never) => unknown)>>;
  const names: string[] = ["table", "key"];
  const values: unknown[] = [table, key];
  const bind = (value: unknown): string => {
    names.push(`c${values.length}`);
    values.push(value);
    return names[names.length - 1]!;
  };
  const columnValue = (column: string): string => {
    const from = sources[column];
    if (from === undefined) throw new Error(`no source for ${table.name}.${column}`);
    return typeof from === "function" ? `${bind(from)}(e)` : read(from);
  };
  const lines = ["const ts = e.eventTime;", `b.beginRow(${bind(table.head)}, ts);`, "let v;", "let n = 0;"];
  for (const s of table.symbols) {
    lines.push(`v = ${columnValue(s.name)};`, `if (v != null) b.symbol(${bind(s.prefix)}, v);`);
  }
  const writer = { DOUBLE: "double", LONG: "long", VARCHAR: "varchar", BOOLEAN: "boolean" } as const;
  for (const f of table.fields) {
    if (f.type === "SYMBOL") continue;
    lines.push(
      `v = ${columnValue(f.name)};`,
      `if (v != null) b.${writer[f.type]}(n++ === 0 ? ${bind(f.first)} : ${bind(f.next)}, v, ${JSON.stringify(f.name)});`,
    );
  }
  lines.push("b.endRow(n, table, key, ts);");
  const body = `return function encode${key}(b, e) {\n  ${lines.join("\n  ")}\n};`;
  return new Function(...names, body)(...values) as EventEncoder;
};

/** A compiled encoder per single-row event kind, for the tables under one name prefix. */
export const compileEventEncoders = (
  compiled: Readonly<Record<TableKey, CompiledTable>>,
): Readonly<Record<SingleRowKind, EventEncoder>> =>
  Object.fromEntries(
    Object.entries(rowMappings).map(([kind, m]) => [
      kind,
      compileEncoder(compiled[m.table], m.table, m as unknown as RowMapping<never>),
    ]),
  ) as Record<SingleRowKind, EventEncoder>;
