import { Arbitrary, Either, Option, ParseResult, Schema, SchemaAST } from "effect";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { builtinCheck } from "./builtinChecks.js";
import { decodeEvent, eventKinds, eventSchemas } from "./event.js";
import { type CompileOptions, compileDecoder, NOT_VALID } from "./fastCodec.js";

type AnySchema = Schema.Schema<any, any, never>;

// Values that sit on the edge of the built-in checks the schemas use: signed zero, non-finite
// numbers, non-integers and integers just past the safe range, the smallest floats either side
// of 0, strings at and around the Ticker length limits, near-miss dates, and wrong types.
const edgeValues: readonly unknown[] = [
  -0,
  0,
  1,
  -1,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  1.5,
  -1.5,
  Number.MIN_VALUE,
  -Number.MIN_VALUE,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 1,
  2 ** 53 + 2,
  Number.MAX_VALUE,
  "",
  "A",
  "x".repeat(31),
  "x".repeat(32),
  "x".repeat(33),
  "😀".repeat(16),
  "😀".repeat(17),
  "2019-01-02",
  "2019-1-02",
  "2019-01-02\n",
  "SPY   190315P00260000",
  "abc",
  undefined,
  null,
  true,
  {},
  [],
];

/** Serialises like JSON but keeps -0, NaN, ±Infinity and present-but-undefined fields distinct. */
const show = (v: unknown): string =>
  JSON.stringify(v, (_k, x) =>
    x === undefined
      ? "<undefined>"
      : typeof x === "number" && (Object.is(x, -0) || !Number.isFinite(x))
        ? `<${Object.is(x, -0) ? "-0" : x}>`
        : x,
  );

const setOrDelete = (value: Record<string, unknown>, key: string, edge: number) => {
  const v = { ...value };
  if (edge === edgeValues.length) delete v[key];
  else v[key] = edgeValues[edge];
  return v;
};

/** The input with one field (or one field of a nested object) removed or set to an edge value. */
const mutate = (value: Record<string, unknown>, k: number, edge: number, nested: boolean) => {
  const keys = Object.keys(value);
  const key = keys[k % keys.length]!;
  const inner = value[key];
  if (nested && typeof inner === "object" && inner !== null && !Array.isArray(inner)) {
    const innerKeys = Object.keys(inner);
    if (innerKeys.length > 0)
      return {
        ...value,
        [key]: setOrDelete(inner as Record<string, unknown>, innerKeys[k % innerKeys.length]!, edge),
      };
  }
  return setOrDelete(value, key, edge);
};

const expectSameOutcome = (
  slow: (u: unknown) => Either.Either<unknown, ParseResult.ParseError>,
  fast: (u: unknown) => unknown,
  input: unknown,
) => {
  const s = slow(input);
  const f = fast(structuredClone(input));
  if (Either.isRight(s)) expect(show(f)).toBe(show(s.right));
  else expect(f, ParseResult.TreeFormatter.formatErrorSync(s.left)).toBe(NOT_VALID);
};

const modes: ReadonlyArray<[string, CompileOptions]> = [
  ["native checks", {}],
  ["effect filters", { refinements: "effect" }],
];

describe("compiled fast decoder", () => {
  for (const kind of eventKinds) {
    const schema = eventSchemas[kind] as AnySchema;
    const slow = Schema.decodeUnknownEither(schema, { onExcessProperty: "ignore", errors: "first" });
    const encode = Schema.encodeSync(schema);
    const fastEncode = compileDecoder(SchemaAST.typeAST(schema.ast));

    for (const [mode, options] of modes) {
      const fast = compileDecoder(schema.ast, options);
      it(`${kind} (${mode}): agrees with Schema on valid, edge-mutated and extra-field inputs`, () => {
        fc.assert(
          fc.property(
            Arbitrary.make(schema),
            fc.nat(),
            fc.integer({ min: 0, max: edgeValues.length }),
            fc.boolean(),
            (event, k, edge, nested) => {
              const encoded = JSON.parse(JSON.stringify(encode(event))) as Record<string, unknown>;
              for (const input of [encoded, mutate(encoded, k, edge, nested), { ...encoded, extra: 1 }])
                expectSameOutcome(slow, fast, input);
              expect(JSON.stringify(fastEncode(event))).toBe(JSON.stringify(encode(event)));
            },
          ),
          { numRuns: 80 },
        );
      });
    }

    it(`${kind}: decodeEvent never throws and rejects with Schema's own reason`, () => {
      fc.assert(
        fc.property(
          Arbitrary.make(schema),
          fc.nat(),
          fc.integer({ min: 0, max: edgeValues.length }),
          fc.boolean(),
          fc.anything(),
          (event, k, edge, nested, junk) => {
            const encoded = JSON.parse(JSON.stringify(encode(event))) as Record<string, unknown>;
            for (const input of [mutate(encoded, k, edge, nested), { ...encoded, [`${k}`]: junk }, junk]) {
              const r = decodeEvent(input, kind);
              const s = slow(typeof input === "object" && input !== null ? { ...input, kind } : input);
              if (Either.isRight(s)) expect(r.ok).toBe(true);
              else
                expect(r).toEqual({
                  ok: false,
                  reason: `${kind}: ${ParseResult.ArrayFormatter.formatErrorSync(s.left)
                    .map((i) => (i.path.length > 0 ? `${i.path.join(".")}: ${i.message}` : i.message))
                    .join("; ")}`,
                });
            }
          },
        ),
        { numRuns: 40 },
      );
    });
  }
});

// Built-in refinements the compiled path runs as plain checks, and ones it must leave to effect.
const recognised: ReadonlyArray<[string, AnySchema]> = [
  ["int", Schema.Number.pipe(Schema.int())],
  ["finite", Schema.Number.pipe(Schema.finite())],
  ["nonNaN", Schema.Number.pipe(Schema.nonNaN())],
  ["positive", Schema.Number.pipe(Schema.positive())],
  ["nonNegative", Schema.Number.pipe(Schema.nonNegative())],
  ["negative", Schema.Number.pipe(Schema.negative())],
  ["nonPositive", Schema.Number.pipe(Schema.nonPositive())],
  ["greaterThan(2.5)", Schema.Number.pipe(Schema.greaterThan(2.5))],
  ["greaterThanOrEqualTo(-3)", Schema.Number.pipe(Schema.greaterThanOrEqualTo(-3))],
  ["lessThan(1e-300)", Schema.Number.pipe(Schema.lessThan(1e-300))],
  ["lessThanOrEqualTo(10)", Schema.Number.pipe(Schema.lessThanOrEqualTo(10))],
  ["between(-1, 1)", Schema.Number.pipe(Schema.between(-1, 1))],
  ["int + between(0, 2^53)", Schema.Number.pipe(Schema.int(), Schema.between(0, 2 ** 53))],
  ["minLength(2)", Schema.String.pipe(Schema.minLength(2))],
  ["maxLength(3)", Schema.String.pipe(Schema.maxLength(3))],
  ["length(2)", Schema.String.pipe(Schema.length(2))],
  ["length({1..3})", Schema.String.pipe(Schema.length({ min: 1, max: 3 }))],
  ["nonEmptyString", Schema.String.pipe(Schema.nonEmptyString())],
  ["pattern /g", Schema.String.pipe(Schema.pattern(/a\d/g))],
];
const viaEffect: ReadonlyArray<[string, AnySchema]> = [
  ["multipleOf(0.5)", Schema.Number.pipe(Schema.multipleOf(0.5))],
  ["startsWith", Schema.String.pipe(Schema.startsWith("a"))],
  ["custom filter", Schema.Number.pipe(Schema.filter((n) => n !== 7))],
  [
    "filter claiming greaterThan(0) but checking > 5",
    Schema.Number.pipe(
      Schema.filter((n) => n > 5, {
        schemaId: Schema.GreaterThanSchemaId,
        jsonSchema: { exclusiveMinimum: 0 },
      }),
    ),
  ],
  [
    "greaterThan(1) whose jsonSchema says 0",
    Schema.Number.pipe(Schema.greaterThan(1, { jsonSchema: { exclusiveMinimum: 0 } })),
  ],
];

const numberEdges = fc.constantFrom(
  -0,
  0,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  Number.MIN_VALUE,
  -Number.MIN_VALUE,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 1,
  2 ** 53,
  2.5,
  -3,
  10,
  1,
  -1,
  1e-300,
  7,
  5,
);
const anyInput = fc.oneof(
  numberEdges,
  fc.double(),
  fc.integer(),
  fc.string({ maxLength: 5 }),
  fc.constantFrom("", "a", "ab", "abc", "abcd", "a1", "xa1", "😀", "😀😀"),
  fc.anything(),
);

describe("built-in refinements as plain checks", () => {
  const outermost = (s: AnySchema) => s.ast as SchemaAST.Refinement;

  for (const [name, schema] of [...recognised, ...viaEffect]) {
    it(`${name}: compiled decode agrees with Schema`, () => {
      const slow = Schema.decodeUnknownEither(schema, { errors: "first" });
      const fast = compileDecoder(schema.ast);
      fc.assert(
        fc.property(anyInput, (u) => expectSameOutcome(slow, fast, u)),
        { numRuns: 400 },
      );
    });
  }

  it("recognises effect's built-ins", () => {
    for (const [name, schema] of recognised) expect(builtinCheck(outermost(schema)), name).toBeDefined();
  });

  it("leaves other refinements, and built-in ids whose annotations lie, to effect", () => {
    for (const [name, schema] of viaEffect) expect(builtinCheck(outermost(schema)), name).toBeUndefined();
  });

  it("runs a /g pattern like effect: no lastIndex carried between inputs", () => {
    const schema = Schema.String.pipe(Schema.pattern(/a\d/g));
    const fast = compileDecoder(schema.ast);
    expect(["a1", "a1", "xa2", "a2"].map(fast)).toEqual(["a1", "a1", "xa2", "a2"]);
  });

  it("remembers only accepted strings: repeats and rejections in any order agree with effect", () => {
    const schema = Schema.String.pipe(Schema.pattern(/^\d{4}-\d{2}-\d{2}$/));
    const slow = Schema.decodeUnknownEither(schema);
    const fast = compileDecoder(schema.ast);
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("2019-01-02", "2019-01-0x", "2019-01-03", "", "2019-01-02\n")),
        (xs) => {
          for (const x of xs) expect(fast(x)).toBe(Either.isRight(slow(x)) ? x : NOT_VALID);
        },
      ),
    );
  });
});

describe("compiled structs", () => {
  const tag = Symbol.for("thetaflow/test-tag");
  const shapes: ReadonlyArray<[string, AnySchema]> = [
    [
      "a default its own type rejects",
      Schema.Struct({
        a: Schema.Number,
        size: Schema.optionalWith(Schema.Number.pipe(Schema.positive()), { default: () => -1 }),
      }),
    ],
    [
      "optional, exact-optional and defaulted fields interleaved",
      Schema.Struct({
        a: Schema.optional(Schema.Number.pipe(Schema.int())),
        b: Schema.String,
        c: Schema.optionalWith(Schema.String, { exact: true }),
        d: Schema.optionalWith(Schema.Number, { default: () => 0 }),
        e: Schema.optionalWith(Schema.Number, { nullable: true }),
      }),
    ],
    [
      "an optional-to-required step that changes present values (not a plain default)",
      Schema.Struct({
        a: Schema.optionalToRequired(Schema.UndefinedOr(Schema.Number), Schema.Number, {
          decode: Option.match({ onNone: () => 1, onSome: (n) => (n ?? 0) * 2 }),
          encode: Option.some,
        }),
        d: Schema.optionalWith(Schema.Number.pipe(Schema.int()), { default: () => 7 }),
      }),
    ],
    ["a symbol-keyed field", Schema.Struct({ [tag]: Schema.Number, b: Schema.String })],
    [
      "awkward field names",
      Schema.Struct({ "a-b": Schema.Number, 'q"\n': Schema.String, constructor: Schema.Number }),
    ],
  ];
  const value = fc.oneof(
    fc.constantFrom(undefined, null, -0, 1, -1, 1.5, Number.NaN, "", "x"),
    fc.anything(),
  );
  const input = fc
    .dictionary(fc.constantFrom("a", "b", "c", "d", "e", "size", "a-b", 'q"\n', "constructor"), value)
    .chain((d) => fc.oneof(fc.constant<unknown>(d), fc.constant<unknown>({ ...d, [tag]: d.a }), value));

  for (const [name, schema] of shapes) {
    it(`${name}: agrees with Schema`, () => {
      const slow = Schema.decodeUnknownEither(schema, { onExcessProperty: "ignore", errors: "first" });
      const fast = compileDecoder(schema.ast);
      fc.assert(
        fc.property(input, (u) => {
          const s = slow(u);
          const f = fast(u);
          if (Either.isRight(s)) {
            expect(show(f)).toBe(show(s.right));
            expect((f as Record<symbol, unknown>)[tag]).toBe((s.right as Record<symbol, unknown>)[tag]);
          } else expect(f).toBe(NOT_VALID);
        }),
        { numRuns: 500 },
      );
    });
  }

  it("applies a step that changes present values, and keeps present defaulted values as given", () => {
    const [, schema] = shapes.find(([name]) => name.startsWith("an optional-to-required"))!;
    const fast = compileDecoder(schema.ast);
    expect(fast({ a: 2, d: 3 })).toEqual({ a: 4, d: 3 });
    expect(fast({})).toEqual({ a: 1, d: 7 });
    expect(fast({ a: undefined, d: undefined })).toEqual({ a: 0, d: 7 });
    expect(fast({ d: 1.5 })).toBe(NOT_VALID);
  });

  it("rejects an absent field whose default fails its own type, as Schema does", () => {
    const [, schema] = shapes[0]!;
    const fast = compileDecoder(schema.ast);
    expect(fast({ a: 1 })).toBe(NOT_VALID);
    expect(fast({ a: 1, size: 2 })).toEqual({ a: 1, size: 2 });
  });
});
