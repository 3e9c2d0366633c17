import { Option, type SchemaAST } from "effect";

/**
 * A compiled fast path over an effect Schema's AST, for the few event kinds that arrive millions
 * of times (quotes, ticks). It runs the schema's *own* refinement predicates (`Refinement.filter`)
 * and default transformations, so it accepts exactly what the schema accepts; it only skips the
 * general interpreter's bookkeeping. When it rejects, the caller re-runs the real Schema decoder
 * for the precise error message — bad rows are rare. A property test checks both agree.
 *
 * Returns the decoded value, or NOT_VALID. Throws Unsupported at compile time for AST shapes it
 * does not handle; those kinds simply keep using the Schema decoder.
 */
export const NOT_VALID: unique symbol = Symbol("NOT_VALID");
export type FastDecoder = (input: unknown) => unknown;

export class Unsupported extends Error {}

const parseOptions = { errors: "first", onExcessProperty: "ignore" } as const;

export const compileDecoder = (ast: SchemaAST.AST): FastDecoder => {
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
      const members = ast.types.map(compileDecoder);
      return (u) => {
        for (let i = 0; i < members.length; i++) {
          const r = members[i]!(u);
          if (r !== NOT_VALID) return r;
        }
        return NOT_VALID;
      };
    }
    case "Refinement": {
      const from = compileDecoder(ast.from);
      const filter = ast.filter;
      return (u) => {
        const r = from(u);
        return r === NOT_VALID || Option.isSome(filter(r, parseOptions, ast)) ? NOT_VALID : r;
      };
    }
    case "Transformation": {
      if (ast.transformation._tag !== "TypeLiteralTransformation")
        throw new Unsupported(ast.transformation._tag);
      const from = compileDecoder(ast.from);
      const to = compileDecoder(ast.to);
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
      const props = ast.propertySignatures.map((p) => ({
        name: p.name,
        optional: p.isOptional,
        decode: compileDecoder(p.type),
      }));
      const index = ast.indexSignatures.map((s) => {
        if (s.parameter._tag !== "StringKeyword") throw new Unsupported(`index ${s.parameter._tag}`);
        return compileDecoder(s.type);
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
      const item = compileDecoder(ast.rest[0]!.type);
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
      return compileDecoder(ast.f());
    default:
      throw new Unsupported(ast._tag);
  }
};
