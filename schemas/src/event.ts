import { Either, ParseResult, Schema, SchemaAST } from "effect";
import { FeatureVector, Greeks, ModelScore, Regime, RegimeTransition, VolFeatures } from "./analytics.js";
import { DeadLetter } from "./deadLetter.js";
import { compileDecoder, type FastDecoder, NOT_VALID, Unsupported } from "./fastCodec.js";
import { ChainSnapshot, EarningsEvent, IndexTick, OptionQuote, UnderlyingTick } from "./market.js";
import { Fill, Order, OrderIntent, PortfolioSnapshot, Position, RiskDecision, Signal } from "./trading.js";

/** Every event schema by its `kind`. The single contract for Kafka, replay, QuestDB and WebSocket. */
export const eventSchemas = {
  UnderlyingTick,
  IndexTick,
  OptionQuote,
  ChainSnapshot,
  EarningsEvent,
  Greeks,
  VolFeatures,
  Regime,
  RegimeTransition,
  FeatureVector,
  ModelScore,
  Signal,
  OrderIntent,
  RiskDecision,
  Order,
  Fill,
  Position,
  PortfolioSnapshot,
  DeadLetter,
} as const;

export type EventKind = keyof typeof eventSchemas;
export const eventKinds = Object.keys(eventSchemas) as EventKind[];

export const Event = Schema.Union(...Object.values(eventSchemas));
export type Event = typeof Event.Type;
export type EventOf<K extends EventKind> = Extract<Event, { kind: K }>;

/** Bumped when a schema changes incompatibly; travels in Kafka headers and replay manifests. */
export const SCHEMA_VERSION = "1";

export const isEventKind = (k: unknown): k is EventKind =>
  typeof k === "string" && Object.hasOwn(eventSchemas, k);

export type DecodeResult<A> =
  | { readonly ok: true; readonly value: A }
  | { readonly ok: false; readonly reason: string };

type AnySchema = Schema.Schema<any, any, never>;
const decoders = new Map<EventKind, (u: unknown) => Either.Either<any, ParseResult.ParseError>>();
const decoderFor = (kind: EventKind) => {
  let d = decoders.get(kind);
  if (d === undefined) {
    d = Schema.decodeUnknownEither(eventSchemas[kind] as AnySchema, {
      onExcessProperty: "ignore",
      errors: "first",
    });
    decoders.set(kind, d);
  }
  return d;
};

/** Per kind, a compiled fast path (same predicates as the schema, see fastCodec.ts), or null = Schema only. */
const compiledPaths = (astOf: (kind: EventKind) => SchemaAST.AST) => {
  const cache = new Map<EventKind, FastDecoder | null>();
  return (kind: EventKind): FastDecoder | null => {
    let d = cache.get(kind);
    if (d === undefined) {
      try {
        d = compileDecoder(astOf(kind));
      } catch (e) {
        if (!(e instanceof Unsupported)) throw e;
        d = null;
      }
      cache.set(kind, d);
    }
    return d;
  };
};
const fastDecoderFor = compiledPaths((kind) => eventSchemas[kind].ast);
// Our schemas' only transformations are field defaults, whose encode is the identity: the encoded
// form of a valid event is its type-side value with fields in schema order.
const fastEncoderFor = compiledPaths((kind) => SchemaAST.typeAST(eventSchemas[kind].ast));

const formatError = (e: ParseResult.ParseError): string =>
  ParseResult.ArrayFormatter.formatErrorSync(e)
    .map((i) => (i.path.length > 0 ? `${i.path.join(".")}: ${i.message}` : i.message))
    .join("; ");

/** Decodes an unknown value as the event named by `kind` (or by its own `kind` field). Never throws. */
export const decodeEvent = <K extends EventKind>(input: unknown, kind?: K): DecodeResult<EventOf<K>> => {
  const k = kind ?? (input as { kind?: unknown } | null)?.kind;
  if (!isEventKind(k)) return { ok: false, reason: `unknown event kind ${JSON.stringify(k)}` };
  const value =
    kind !== undefined && typeof input === "object" && input !== null ? { ...input, kind } : input;
  const fast = fastDecoderFor(k);
  if (fast !== null) {
    const v = fast(value);
    if (v !== NOT_VALID) return { ok: true, value: v as EventOf<K> };
  }
  const r = decoderFor(k)(value);
  return Either.isRight(r)
    ? { ok: true, value: r.right }
    : { ok: false, reason: `${k}: ${formatError(r.left)}` };
};

/** Encodes an event to its JSON-ready form (the inverse of decodeEvent). */
export const encodeEvent = (event: Event): unknown => {
  const fast = fastEncoderFor(event.kind);
  if (fast !== null) {
    const v = fast(event);
    if (v !== NOT_VALID) return v;
  }
  return Schema.encodeSync(eventSchemas[event.kind] as AnySchema)(event);
};
