import { Option, SchemaAST } from "effect";
import { builtinCheck, type NumberCheck, type StringCheck } from "./builtinChecks.js";
import { type FastDecoder, NOT_VALID } from "./notValid.js";
import { compileStruct, type StructField } from "./structDecoder.js";

/**
 * A compiled fast path over an effect Schema's AST, for the few event kinds that arrive millions
 * of times (quotes, ticks). It runs the schema's *own* refinement predicates (`Refinement.filter`)
 * and default transformations, so it accepts exactly what the schema accepts; it only skips the
 * general interpreter's bookkeeping (structs become generated per-shape code, structDecoder.ts).
 * When it rejects, the caller re-runs the real Schema decoder
 * for the precise error message — bad rows are rare. A property test checks both agree.
 *
 * effect's built-in refinements (int, finite, bounds, lengths, patterns) run as plain checks,
 * each verified against its own filter when compiled (builtinChecks.ts); any other refinement runs
 * through effect's filter. `refinements: "effect"` sends every refinement through effect, as the
 * first version did — kept for the bench and the property tests that compare the two.
 *
 * Returns the decoded value, or NOT_VALID. Throws Unsupported at compile time for AST shapes it
 * does not handle; those kinds simply keep using the Schema decoder.
 */
export { type FastDecoder, NOT_VALID } from "./notValid.js";

export class Unsupported extends Error {}

const parseOptions = { errors: "first", onExcessProperty: "ignore" } as const;

export interface CompileOptions {
  readonly refinements?: "native" | "effect";
}

export const compileDecoder = (ast: SchemaAST.AST, options: CompileOptions = {}): FastDecoder =>
  compile(ast, options.refinements !== "effect");

const compile = (ast: SchemaAST.AST, native: boolean): FastDecoder => {
  const go = (a: SchemaAST.AST) => compile(a, native);
  switch (ast._tag) {
    case "Literal": {
      const literal = ast.literal;
      return (u) => (u === literal ? u : NOT_VALID);
    }
    case "StringKeyword":
      return (u) => (typeof u === "string" ? u : NOT_VALID);
    case "NumberKeyword":
      return (u) => (typeof u === "number" ? u : NOT_VALID);
    case "BooleanKeyword":
      return (u) => (typeof u === "boolean" ? u : NOT_VALID);
    case "UndefinedKeyword":
      return (u) => (u === undefined ? u : NOT_VALID);
    case "UnknownKeyword":
      return (u) => u;
    case "Union": {
      const members = ast.types.map(go);
      // Optional fields are `X | undefined` and small literal sets: direct calls beat the loop.
      if (native && members.length <= 8) {
        const names = members.map((_, i) => `m${i}`);
        const tries = names.map((m) => `r = ${m}(u); if (r !== NV) return r;`).join(" ");
        return ownCode(names, `function union(u) { let r; ${tries} return NV; }`, members);
      }
      return (u) => {
        for (let i = 0; i < members.length; i++) {
          const r = members[i]!(u);
          if (r !== NOT_VALID) return r;
        }
        return NOT_VALID;
      };
    }
    case "Refinement":
      return native ? compileRefinementChain(ast) : withEffectFilter(go(ast.from), ast);
    case "Transformation": {
      if (ast.transformation._tag !== "TypeLiteralTransformation")
        throw new Unsupported(ast.transformation._tag);
      if (native) {
        const single = compileFieldDefaults(ast, ast.transformation);
        if (single !== undefined) return single;
      }
      const from = go(ast.from);
      const to = go(ast.to);
      const steps = ast.transformation.propertySignatureTransformations;
      return (u) => {
        const encoded = from(u);
        if (encoded === NOT_VALID) return NOT_VALID;
        const obj = encoded as Record<PropertyKey, unknown>;
        for (const t of steps) {
          const has = Object.hasOwn(obj, t.from);
          const out = t.decode(has ? Option.some(obj[t.from]) : Option.none());
          if (t.from !== t.to) delete obj[t.from];
          if (Option.isSome(out)) obj[t.to] = out.value;
          else delete obj[t.to];
        }
        return to(obj);
      };
    }
    case "TypeLiteral": {
      if (native && ast.indexSignatures.length === 0)
        return compileStruct(
          ast.propertySignatures.map((p) => ({
            name: p.name,
            encodedOptional: p.isOptional,
            typeOptional: p.isOptional,
            decode: go(p.type),
            step: undefined,
            revalidate: undefined,
          })),
        );
      const props = ast.propertySignatures.map((p) => ({
        name: p.name,
        optional: p.isOptional,
        decode: go(p.type),
      }));
      const index = ast.indexSignatures.map((s) => {
        if (s.parameter._tag !== "StringKeyword") throw new Unsupported(`index ${s.parameter._tag}`);
        return go(s.type);
      });
      const known = new Set(props.map((p) => p.name));
      return (u) => {
        if (typeof u !== "object" || u === null || Array.isArray(u)) return NOT_VALID;
        const src = u as Record<PropertyKey, unknown>;
        const out: Record<PropertyKey, unknown> = {};
        for (let i = 0; i < props.length; i++) {
          const p = props[i]!;
          if (!Object.hasOwn(src, p.name)) {
            if (p.optional) continue;
            return NOT_VALID;
          }
          const v = p.decode(src[p.name]);
          if (v === NOT_VALID) return NOT_VALID;
          out[p.name] = v;
        }
        for (const decodeValue of index) {
          for (const key of Object.keys(src)) {
            if (known.has(key)) continue;
            const v = decodeValue(src[key]);
            if (v === NOT_VALID) return NOT_VALID;
            out[key] = v;
          }
        }
        return out;
      };
    }
    case "TupleType": {
      if (ast.elements.length > 0 || ast.rest.length !== 1) throw new Unsupported("tuple");
      const item = go(ast.rest[0]!.type);
      return (u) => {
        if (!Array.isArray(u)) return NOT_VALID;
        const out = new Array<unknown>(u.length);
        for (let i = 0; i < u.length; i++) {
          const v = item(u[i]);
          if (v === NOT_VALID) return NOT_VALID;
          out[i] = v;
        }
        return out;
      };
    }
    case "Suspend":
      return go(ast.f());
    default:
      throw new Unsupported(ast._tag);
  }
};

/**
 * A decoder built from source text of its own, rather than as one more closure of a shared arrow
 * function. V8 keeps call-site feedback per function literal, not per closure: a shared
 * `(u) => first(u) ...` called for every optional field of every schema sees dozens of targets at
 * its inner call and stays megamorphic (no inlining). With its own code, each instance's inner calls
 * see one target each. Same calls in the same order: only the code object differs.
 */
const ownCode = (names: readonly string[], fn: string, values: readonly unknown[]): FastDecoder =>
  new Function("NV", ...names, `"use strict"; return ${fn};`)(NOT_VALID, ...values) as FastDecoder;

const withEffectFilter = (from: FastDecoder, ast: SchemaAST.Refinement): FastDecoder =>
  ownCode(
    ["from", "filter", "isSome", "options", "ast"],
    "function filtered(u) { const r = from(u); return r === NV || isSome(filter(r, options, ast)) ? NV : r; }",
    [from, ast.filter, Option.isSome, parseOptions, ast],
  );

/** A type test and plain checks, all in one function of its own (see ownCode). */
const checked = (
  type: "number" | "string",
  checks: ReadonlyArray<NumberCheck | StringCheck>,
): FastDecoder => {
  const names = checks.map((_, i) => `c${i}`);
  const all = names.map((c) => ` && ${c}(u)`).join("");
  return ownCode(names, `function checked(u) { return typeof u === "${type}"${all} ? u : NV; }`, checks);
};

/**
 * A chain of refinements over `number` or `string` (e.g. Number.pipe(finite(), positive())) as one
 * type test plus plain checks. Refinements never change the value, so accepting means passing every
 * check whatever their order; those not recognised as built-ins still run their effect filter.
 */
const compileRefinementChain = (ast: SchemaAST.Refinement): FastDecoder => {
  const chain: SchemaAST.Refinement[] = [];
  let base: SchemaAST.AST = ast;
  for (; base._tag === "Refinement"; base = base.from) chain.unshift(base);
  if (base._tag !== "NumberKeyword" && base._tag !== "StringKeyword")
    return withEffectFilter(compile(ast.from, true), ast);
  const on = base._tag === "NumberKeyword" ? "number" : "string";
  const plain: Array<NumberCheck | StringCheck> = [];
  const viaEffect: SchemaAST.Refinement[] = [];
  for (const r of chain) {
    const c = builtinCheck(r);
    if (c !== undefined && c.on === on) plain.push(c.check);
    else viaEffect.push(r);
  }
  let decode = plain.length === 0 ? compile(base, true) : checked(on, plain);
  for (const r of viaEffect) decode = withEffectFilter(decode, r);
  return decode;
};

const someIdentityProbes = (): unknown[] => [
  {},
  [],
  Symbol("probe"),
  () => 0,
  0,
  -0,
  1,
  -1.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  "",
  "x",
  true,
  false,
  null,
];

/**
 * True for effect's `optionalWith(X, { default })` shape, where a present defined value passes
 * through unchanged and the default only fills a missing one: the encoded side is exactly
 * `X | undefined` and the type side is X with no transformation inside, so a defined value the
 * encoded side accepted was accepted by X itself and re-validating it cannot fail; and the step
 * returns `some(v)` with v itself for present values, checked on opaque probes (fresh objects and
 * symbols it cannot have special-cased, signed zero, NaN, …). Such fields then skip two Option
 * allocations, the step and the re-validation per decoded value; the fast-path property tests
 * compare the result with effect's decoder.
 */
const defaultOnlyFillsGaps = (
  encoded: SchemaAST.AST,
  type: SchemaAST.AST,
  step: SchemaAST.PropertySignatureTransformation,
): boolean => {
  if (SchemaAST.typeAST(type) !== type || encoded._tag !== "Union" || encoded.types.length !== 2)
    return false;
  const [a, b] = encoded.types;
  const undefinedOr =
    (a === type && b?._tag === "UndefinedKeyword") || (b === type && a?._tag === "UndefinedKeyword");
  if (!undefinedOr) return false;
  try {
    return someIdentityProbes().every((x) => {
      const r = step.decode(Option.some(x));
      return Option.isSome(r) && Object.is(r.value, x);
    });
  } catch {
    return false;
  }
};

/**
 * Struct-with-defaults (Schema.optionalWith(…, { default })) in one pass. effect decodes the encoded
 * struct, applies each field's transformation, then validates the whole type-side struct again.
 * Here each field is decoded once, its transformation applied, and only fields whose type side
 * differs from the encoded side (or that a transformation touched) are validated again: a field
 * whose AST contains no transformation accepts its own decoded value, so re-validating it cannot
 * change the outcome. Only same-named transformations over two structs with the same fields in the
 * same order and no index signatures qualify; anything else takes the general path.
 */
const compileFieldDefaults = (
  ast: SchemaAST.Transformation,
  transformation: SchemaAST.TypeLiteralTransformation,
): FastDecoder | undefined => {
  const { from, to } = ast;
  if (from._tag !== "TypeLiteral" || to._tag !== "TypeLiteral") return undefined;
  if (from.indexSignatures.length > 0 || to.indexSignatures.length > 0) return undefined;
  const n = from.propertySignatures.length;
  if (to.propertySignatures.length !== n) return undefined;
  const steps = new Map<PropertyKey, SchemaAST.PropertySignatureTransformation>();
  for (const t of transformation.propertySignatureTransformations) {
    if (t.from !== t.to || steps.has(t.from)) return undefined;
    steps.set(t.from, t);
  }
  const fields: StructField[] = [];
  for (let i = 0; i < n; i++) {
    const f = from.propertySignatures[i]!;
    const t = to.propertySignatures[i]!;
    if (f.name !== t.name) return undefined;
    const step = steps.get(f.name);
    const sameType = f.type === t.type && SchemaAST.typeAST(t.type) === t.type;
    fields.push({
      name: f.name,
      encodedOptional: f.isOptional,
      typeOptional: t.isOptional,
      decode: compile(f.type, true),
      step,
      revalidate: step === undefined && sameType ? undefined : compile(t.type, true),
      presentIsFinal: step !== undefined && defaultOnlyFillsGaps(f.type, t.type, step),
    });
    steps.delete(f.name);
  }
  return steps.size > 0 ? undefined : compileStruct(fields);
};
