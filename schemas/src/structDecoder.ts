import { Option, type SchemaAST } from "effect";
import { type FastDecoder, NOT_VALID } from "./notValid.js";

/** One field of a struct as the compiled decoder sees it (encoded side and type side). */
export interface StructField {
  readonly name: PropertyKey;
  readonly encodedOptional: boolean;
  readonly typeOptional: boolean;
  /** Decodes the encoded value when the field is present. */
  readonly decode: FastDecoder;
  /** A same-named property transformation, e.g. a decoding default. */
  readonly step: SchemaAST.PropertySignatureTransformation | undefined;
  /** Type-side validation still owed after decode/step; undefined when it cannot change the outcome. */
  readonly revalidate: FastDecoder | undefined;
  /**
   * A present, defined encoded value, once decoded, is already the field's final value: `step` and
   * `revalidate` are only owed for an absent or undefined one (a default filling a gap).
   */
  readonly presentIsFinal?: boolean;
}

const ABSENT: unique symbol = Symbol("ABSENT");

/**
 * A struct decoder specialised to its fields: property names become constants in generated code,
 * so V8 gives each read its own inline cache (monomorphic for a stream of same-shaped JSON records)
 * and the output is built as an object literal with one hidden class, instead of computed-key
 * loads and stores growing a fresh object per record. Output fields keep schema order and absent
 * optional fields stay absent, as effect's decoder does.
 *
 * Names that cannot be written as plain data properties in a literal (symbols, `__proto__`) use
 * the same algorithm as a loop over the fields.
 */
export const compileStruct = (fields: readonly StructField[]): FastDecoder =>
  fields.every((f) => typeof f.name === "string" && f.name !== "__proto__")
    ? generated(fields)
    : looped(fields);

const looped =
  (fields: readonly StructField[]): FastDecoder =>
  (u) => {
    if (typeof u !== "object" || u === null || Array.isArray(u)) return NOT_VALID;
    const src = u as Record<PropertyKey, unknown>;
    const out: Record<PropertyKey, unknown> = {};
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      const has = Object.hasOwn(src, f.name);
      let v: unknown;
      if (has) {
        v = f.decode(src[f.name]);
        if (v === NOT_VALID) return NOT_VALID;
      } else if (!f.encodedOptional) return NOT_VALID;
      if (f.presentIsFinal === true && has && v !== undefined) {
        out[f.name] = v;
        continue;
      }
      if (f.step !== undefined) {
        const o = f.step.decode(has ? Option.some(v) : Option.none());
        if (Option.isNone(o)) {
          if (f.typeOptional) continue;
          return NOT_VALID;
        }
        v = o.value;
      } else if (!has) {
        if (f.typeOptional) continue;
        return NOT_VALID;
      }
      if (f.revalidate !== undefined) {
        v = f.revalidate(v);
        if (v === NOT_VALID) return NOT_VALID;
      }
      out[f.name] = v;
    }
    return out;
  };

/** Same steps as `looped`, unrolled per field; see the comments there for the semantics. */
const generated = (fields: readonly StructField[]): FastDecoder => {
  const lines: string[] = [
    '"use strict";',
    "return function decodeStruct(u) {",
    "  if (typeof u !== 'object' || u === null || Array.isArray(u)) return NV;",
  ];
  fields.forEach((f, i) => {
    const key = JSON.stringify(f.name as string);
    const v = `v${i}`;
    lines.push(`  let ${v} = ABSENT;`, `  const h${i} = hasOwn(u, ${key});`);
    lines.push(`  if (h${i}) { ${v} = D[${i}](u[${key}]); if (${v} === NV) return NV; }`);
    if (!f.encodedOptional) lines.push(`  else return NV;`);
    // Steps and revalidation in a block skipped when a present value is final.
    if (f.presentIsFinal === true) lines.push(`  if (!h${i} || ${v} === undefined) {`);
    if (f.step !== undefined) {
      const onNone = f.typeOptional ? `${v} = ABSENT;` : "return NV;";
      lines.push(
        `  { const o = S[${i}](h${i} ? some(${v}) : none()); if (isNone(o)) { ${onNone} } else ${v} = o.value; }`,
      );
    } else if (f.encodedOptional && !f.typeOptional) lines.push(`  if (!h${i}) return NV;`);
    if (f.revalidate !== undefined)
      lines.push(`  if (${v} !== ABSENT) { ${v} = R[${i}](${v}); if (${v} === NV) return NV; }`);
    if (f.presentIsFinal === true) lines.push("  }");
  });
  // Fields that are never absent on the type side open the literal; the rest are added in order.
  let prefix = 0;
  while (prefix < fields.length && !fields[prefix]!.typeOptional) prefix++;
  const entry = (i: number) => `${JSON.stringify(fields[i]!.name as string)}: v${i}`;
  lines.push(
    `  const out = { ${fields
      .slice(0, prefix)
      .map((_, i) => entry(i))
      .join(", ")} };`,
  );
  for (let i = prefix; i < fields.length; i++) {
    const store = `out[${JSON.stringify(fields[i]!.name as string)}] = v${i};`;
    lines.push(fields[i]!.typeOptional ? `  if (v${i} !== ABSENT) ${store}` : `  ${store}`);
  }
  lines.push("  return out;", "};");
  const make = new Function(
    "D",
    "S",
    "R",
    "NV",
    "ABSENT",
    "hasOwn",
    "some",
    "none",
    "isNone",
    lines.join("\n"),
  );
  return make(
    fields.map((f) => f.decode),
    fields.map((f) => f.step?.decode),
    fields.map((f) => f.revalidate),
    NOT_VALID,
    ABSENT,
    Object.hasOwn,
    Option.some,
    Option.none,
    Option.isNone,
  ) as FastDecoder;
};
