import { Arbitrary, Either, ParseResult, Schema, SchemaAST } from "effect";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { eventKinds, eventSchemas } from "./event.js";
import { compileDecoder, NOT_VALID } from "./fastCodec.js";

type AnySchema = Schema.Schema<any, any, never>;

// Mutations that turn a valid encoded event into the kinds of bad input replays contain.
const mutate = (value: Record<string, unknown>, key: string, how: number): Record<string, unknown> => {
  const v = { ...value };
  switch (how % 6) {
    case 0:
      delete v[key];
      break;
    case 1:
      v[key] = "abc";
      break;
    case 2:
      v[key] = Number.NaN;
      break;
    case 3:
      v[key] = -1;
      break;
    case 4:
      v[key] = null;
      break;
    default:
      v[key] = 1.5;
  }
  return v;
};

describe("compiled fast decoder", () => {
  for (const kind of eventKinds) {
    const schema = eventSchemas[kind] as AnySchema;
    const slow = Schema.decodeUnknownEither(schema, { onExcessProperty: "ignore", errors: "first" });
    const fast = compileDecoder(schema.ast);
    const fastEncode = compileDecoder(SchemaAST.typeAST(schema.ast));
    const encode = Schema.encodeSync(schema);

    it(`${kind}: agrees with Schema on valid and mutated inputs`, () => {
      fc.assert(
        fc.property(Arbitrary.make(schema), fc.nat(), fc.nat(), (event, k, how) => {
          const encoded = JSON.parse(JSON.stringify(encode(event))) as Record<string, unknown>;
          const keys = Object.keys(encoded);
          for (const input of [
            encoded,
            mutate(encoded, keys[k % keys.length]!, how),
            { ...encoded, extra: 1 },
          ]) {
            const s = slow(input);
            const f = fast(structuredClone(input));
            if (Either.isRight(s)) expect(JSON.stringify(f)).toBe(JSON.stringify(s.right));
            else expect(f, ParseResult.TreeFormatter.formatErrorSync(s.left)).toBe(NOT_VALID);
          }
          expect(JSON.stringify(fastEncode(event))).toBe(JSON.stringify(encode(event)));
        }),
        { numRuns: 60 },
      );
    });
  }
});
