import { type EventKind, eventSchemas } from "@thetaflow/schemas";
import { Schema, type SchemaAST } from "effect";

export type FieldType = "number" | "boolean" | "string";

const unwrap = (ast: SchemaAST.AST): SchemaAST.AST[] => {
  switch (ast._tag) {
    case "Refinement":
      return unwrap(ast.from);
    case "Transformation":
      return unwrap(ast.from);
    case "Union":
      return ast.types.flatMap(unwrap);
    case "Suspend":
      return unwrap(ast.f());
    default:
      return [ast];
  }
};

const collect = (ast: SchemaAST.AST, prefix: string, into: Map<string, FieldType>) => {
  for (const t of unwrap(ast)) {
    if (t._tag !== "TypeLiteral") continue;
    for (const p of t.propertySignatures) {
      const name = `${prefix}${String(p.name)}`;
      const members = unwrap(p.type);
      if (members.some((m) => m._tag === "TypeLiteral")) collect(p.type, `${name}.`, into);
      else if (members.some((m) => m._tag === "NumberKeyword")) into.set(name, "number");
      else if (members.some((m) => m._tag === "BooleanKeyword")) into.set(name, "boolean");
      else into.set(name, "string");
    }
  }
};

const cache = new Map<EventKind, ReadonlyMap<string, FieldType>>();

/** Column types of an event kind's encoded form; nested structs become dotted columns (`vendor.iv`). */
export const csvFieldTypes = (kind: EventKind): ReadonlyMap<string, FieldType> => {
  let types = cache.get(kind);
  if (types === undefined) {
    const m = new Map<string, FieldType>();
    collect(Schema.encodedSchema(eventSchemas[kind] as Schema.Schema<unknown, unknown, never>).ast, "", m);
    types = m;
    cache.set(kind, types);
  }
  return types;
};

/**
 * Turns one CSV row (all strings) into the encoded object the event schema decodes. Empty cells are
 * absent fields; a cell that does not parse as its column's type is kept as text so the schema
 * rejects it with a message naming the field.
 */
export const csvRowToObject = (
  kind: EventKind,
  row: Readonly<Record<string, string>>,
): Record<string, unknown> => {
  const types = csvFieldTypes(kind);
  const out: Record<string, unknown> = { kind };
  for (const [column, cell] of Object.entries(row)) {
    if (cell === "" || column === "kind") continue;
    const type = types.get(column);
    if (type === undefined) continue;
    let value: unknown = cell;
    if (type === "number") {
      const n = Number(cell);
      value = cell.trim() !== "" && !Number.isNaN(n) ? n : cell;
    } else if (type === "boolean") {
      value = cell === "true" ? true : cell === "false" ? false : cell;
    }
    const dot = column.indexOf(".");
    if (dot === -1) out[column] = value;
    else {
      const head = column.slice(0, dot);
      if (out[head] === undefined) out[head] = {};
      const nested = out[head] as Record<string, unknown>;
      nested[column.slice(dot + 1)] = value;
    }
  }
  return out;
};
