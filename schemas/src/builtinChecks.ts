import { Option, Schema, SchemaAST } from "effect";

/**
 * effect's built-in number and string refinements (int, finite, greaterThan, minLength, pattern, …)
 * recognised from their AST annotations, so the compiled decoder can run them as plain comparisons
 * instead of through effect's generic filter path (an Option and a closure call per check).
 *
 * Annotations can be overridden by whoever builds a schema (`Schema.int({ jsonSchema: … })`), so
 * the annotations alone are not trusted: every recognised check is compared with the refinement's
 * own effect filter on edge values (±0, NaN, ±Infinity, non-integers, each bound and its float
 * neighbours, strings at and around each length limit) before it is used. A refinement that is not
 * recognised, or whose plain check disagrees anywhere, keeps running through effect.
 */

export type NumberCheck = (n: number) => boolean;
export type StringCheck = (s: string) => boolean;

export type BuiltinCheck =
  | { readonly on: "number"; readonly check: NumberCheck; readonly bounds: readonly number[] }
  | { readonly on: "string"; readonly check: StringCheck; readonly lengths: readonly number[] };

const jsonParam = (ast: SchemaAST.Refinement, key: string): number | undefined => {
  const js = SchemaAST.getJSONSchemaAnnotation(ast);
  if (Option.isNone(js)) return undefined;
  const v = (js.value as Record<string, unknown>)[key];
  return typeof v === "number" ? v : undefined;
};

const numberCheck = (check: NumberCheck, ...bounds: number[]): BuiltinCheck => ({
  on: "number",
  check,
  bounds,
});

const recognise = (ast: SchemaAST.Refinement): BuiltinCheck | undefined => {
  const id = SchemaAST.getSchemaIdAnnotation(ast);
  if (Option.isNone(id)) return undefined;
  switch (id.value) {
    case Schema.IntSchemaId:
      return numberCheck(Number.isSafeInteger);
    case Schema.FiniteSchemaId:
      return numberCheck(Number.isFinite);
    case Schema.NonNaNSchemaId:
      return numberCheck((n) => !Number.isNaN(n));
    case Schema.GreaterThanSchemaId: {
      const min = jsonParam(ast, "exclusiveMinimum");
      return min === undefined ? undefined : numberCheck((n) => n > min, min);
    }
    case Schema.GreaterThanOrEqualToSchemaId: {
      const min = jsonParam(ast, "minimum");
      return min === undefined ? undefined : numberCheck((n) => n >= min, min);
    }
    case Schema.LessThanSchemaId: {
      const max = jsonParam(ast, "exclusiveMaximum");
      return max === undefined ? undefined : numberCheck((n) => n < max, max);
    }
    case Schema.LessThanOrEqualToSchemaId: {
      const max = jsonParam(ast, "maximum");
      return max === undefined ? undefined : numberCheck((n) => n <= max, max);
    }
    case Schema.BetweenSchemaId: {
      const min = jsonParam(ast, "minimum");
      const max = jsonParam(ast, "maximum");
      return min === undefined || max === undefined
        ? undefined
        : numberCheck((n) => n >= min && n <= max, min, max);
    }
    case Schema.MinLengthSchemaId: {
      const min = jsonParam(ast, "minLength");
      return min === undefined ? undefined : { on: "string", check: (s) => s.length >= min, lengths: [min] };
    }
    case Schema.MaxLengthSchemaId: {
      const max = jsonParam(ast, "maxLength");
      return max === undefined ? undefined : { on: "string", check: (s) => s.length <= max, lengths: [max] };
    }
    case Schema.LengthSchemaId: {
      const min = jsonParam(ast, "minLength");
      const max = jsonParam(ast, "maxLength");
      return min === undefined || max === undefined
        ? undefined
        : { on: "string", check: (s) => s.length >= min && s.length <= max, lengths: [min, max] };
    }
    case Schema.PatternSchemaId: {
      const regex = (ast.annotations[Schema.PatternSchemaId] as { regex?: unknown } | undefined)?.regex;
      if (!(regex instanceof RegExp)) return undefined;
      // The last accepted string is remembered: with lastIndex reset, a test depends on the string
      // alone, and streams repeat these values (a chain's quotes share a few expiry dates), so a
      // string comparison replaces most regex runs.
      let lastAccepted: string | undefined;
      return {
        on: "string",
        check: (s) => {
          if (s === lastAccepted) return true;
          // As effect does: a `g` or `y` flag would otherwise carry lastIndex from one input to the next.
          regex.lastIndex = 0;
          const ok = regex.test(s);
          if (ok) lastAccepted = s;
          return ok;
        },
        lengths: [],
      };
    }
    default:
      return undefined;
  }
};

const f64 = new Float64Array(1);
const i64 = new BigInt64Array(f64.buffer);
/** The next float64 after x towards +Infinity (dir 1) or -Infinity (dir -1). */
const nextFloat = (x: number, dir: 1 | -1): number => {
  if (Number.isNaN(x) || x === dir * Number.POSITIVE_INFINITY) return x;
  if (x === 0) return dir * Number.MIN_VALUE;
  f64[0] = x;
  i64[0]! += x > 0 === dir > 0 ? 1n : -1n;
  return f64[0]!;
};

const numberProbes = (bounds: readonly number[]): number[] => {
  const probes = [
    0,
    -0,
    1,
    -1,
    0.5,
    -0.5,
    1.5,
    -1.5,
    Number.MIN_VALUE,
    -Number.MIN_VALUE,
    Number.EPSILON,
    Number.MAX_SAFE_INTEGER,
    Number.MAX_SAFE_INTEGER + 1,
    Number.MAX_SAFE_INTEGER + 2,
    Number.MIN_SAFE_INTEGER,
    Number.MIN_SAFE_INTEGER - 2,
    1e21,
    Number.MAX_VALUE,
    -Number.MAX_VALUE,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    Number.NaN,
  ];
  for (const b of bounds)
    probes.push(b, nextFloat(b, 1), nextFloat(b, -1), b + 1, b - 1, b + 0.5, b - 0.5, -b);
  return probes;
};

const stringProbes = (lengths: readonly number[]): string[] => {
  const probes = ["", "a", " ", "2019-01-02", "2019-01-02\n", "x2019-01-02", "SPY   190315P00260000", "😀"];
  for (const n of lengths)
    for (const k of [n - 1, n, n + 1]) if (k >= 0 && k <= 10_000) probes.push("x".repeat(k), "😀".repeat(k));
  return probes;
};

const effectAccepts = (ast: SchemaAST.Refinement, value: unknown): boolean | undefined => {
  try {
    return Option.isNone(ast.filter(value, SchemaAST.defaultParseOption, ast));
  } catch {
    return undefined;
  }
};

/** A plain check equivalent to this refinement's filter on values of its base type, or undefined. */
export const builtinCheck = (ast: SchemaAST.Refinement): BuiltinCheck | undefined => {
  const c = recognise(ast);
  if (c === undefined) return undefined;
  if (c.on === "number") {
    for (const p of numberProbes(c.bounds)) if (effectAccepts(ast, p) !== c.check(p)) return undefined;
  } else {
    for (const p of stringProbes(c.lengths)) if (effectAccepts(ast, p) !== c.check(p)) return undefined;
  }
  return c;
};
