import {
  type DeadLetter,
  decodeEvent,
  type Event,
  encodeEvent,
  isEventKind,
  SCHEMA_VERSION,
} from "@thetaflow/schemas";
import type { IHeaders, Message } from "kafkajs";

export const SCHEMA_VERSION_HEADER = "schema-version";
export const KIND_HEADER = "kind";

/** Where a Kafka record came from; also the `origin` of a dead letter (`topic/partition/offset`). */
export interface KafkaRecordOrigin {
  readonly topic: string;
  readonly partition: number;
  /** Kafka offsets are int64; kafkajs hands them over as decimal strings. */
  readonly offset: string;
}

export const formatOrigin = (o: KafkaRecordOrigin): string => `${o.topic}/${o.partition}/${o.offset}`;

/**
 * The partition key: the underlying symbol, so every event of one underlying lands on one
 * partition and one engine process (its actor state lives there). Events without a symbol get a
 * fixed key per stream so they stay in order too.
 */
export const partitionKeyOf = (event: Event): string => {
  if ("underlying" in event) return event.underlying;
  if ("symbol" in event) return event.symbol;
  if (event.kind === "DeadLetter") return event.nodeId;
  return "portfolio";
};

export interface ToKafkaMessageOptions {
  /**
   * Encode through the event's schema (default true), which also re-checks it. `false` serialises
   * the event as it is — about 10x cheaper, and byte-identical for events that came out of
   * `decodeEvent`/operators (codec.test.ts checks this for every kind) — for hot producers whose
   * events were validated upstream.
   */
  readonly validate?: boolean;
}

/** The Kafka record for an event: JSON of its encoded form, schema version and kind in headers. */
export const toKafkaMessage = (event: Event, options: ToKafkaMessageOptions = {}): Message => ({
  key: partitionKeyOf(event),
  value: JSON.stringify(options.validate === false ? event : encodeEvent(event)),
  // Record time = event time, so broker-side retention and time-based seeks follow market time.
  timestamp: String(Math.floor(event.eventTime / 1000)),
  headers: { [SCHEMA_VERSION_HEADER]: SCHEMA_VERSION, [KIND_HEADER]: event.kind },
});

/** The subset of a kafkajs record the decoder needs (so tests can build one by hand). */
export interface KafkaRecord {
  readonly value: Buffer | null;
  readonly timestamp: string;
  readonly offset: string;
  readonly headers?: IHeaders | undefined;
}

const headerText = (headers: IHeaders | undefined, name: string): string | undefined => {
  const v = headers?.[name];
  const first = Array.isArray(v) ? v[0] : v;
  return first === undefined ? undefined : typeof first === "string" ? first : first.toString("utf8");
};

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** The payload verbatim for a dead letter; bytes that are not UTF-8 are kept as base64. */
const rawText = (value: Buffer): string => {
  try {
    return utf8.decode(value);
  } catch {
    return `base64:${value.toString("base64")}`;
  }
};

const isEventTime = (t: unknown): t is number => typeof t === "number" && Number.isSafeInteger(t) && t >= 0;

export type DecodedRecord =
  | { readonly ok: true; readonly event: Event }
  | { readonly ok: false; readonly event: DeadLetter };

/** A dead letter for a refused record, stamped with the payload's event time when it has one. */
const refused = (
  record: KafkaRecord,
  origin: KafkaRecordOrigin,
  nodeId: string,
  payload: unknown,
  reason: string,
  raw: string,
): DecodedRecord => {
  const payloadTime = (payload as { eventTime?: unknown } | null | undefined)?.eventTime;
  const recordMs = Number(record.timestamp);
  const eventTime = isEventTime(payloadTime)
    ? payloadTime
    : Number.isSafeInteger(recordMs) && recordMs >= 0
      ? recordMs * 1000
      : 0;
  const seq = Number(origin.offset);
  return {
    ok: false,
    event: {
      kind: "DeadLetter",
      eventTime,
      seq: Number.isSafeInteger(seq) && seq >= 0 ? seq : 0,
      nodeId,
      reason,
      raw,
      origin: formatOrigin(origin),
    },
  };
};

/**
 * Decodes one Kafka record into an event, or into a DeadLetter naming why and where — never throws.
 * `nodeId` is the stable id of the source node that refuses the record.
 *
 * Hot path (every consumed record): the value is decoded to text once (kept for a dead letter),
 * parsed once, and handed to `decodeEvent`, whose per-kind compiled decoder does the validation;
 * nothing is allocated here for a valid record besides the result.
 */
export const decodeKafkaRecord = (
  record: KafkaRecord,
  origin: KafkaRecordOrigin,
  nodeId: string,
): DecodedRecord => {
  const value = record.value;
  if (value === null || value.length === 0) {
    return refused(record, origin, nodeId, undefined, "empty record value (tombstone)", "");
  }
  const raw = rawText(value);
  const headers = record.headers;
  const version = headers === undefined ? undefined : headerText(headers, SCHEMA_VERSION_HEADER);
  if (version !== undefined && version !== SCHEMA_VERSION) {
    const reason = `schema-version ${JSON.stringify(version)} is not supported (expected ${SCHEMA_VERSION})`;
    return refused(record, origin, nodeId, undefined, reason, raw);
  }
  let payload: unknown;
  try {
    payload = JSON.parse(raw);
  } catch (e) {
    return refused(record, origin, nodeId, undefined, `invalid JSON: ${(e as Error).message}`, raw);
  }
  const headerKind = headers === undefined ? undefined : headerText(headers, KIND_HEADER);
  const payloadKind = (payload as { kind?: unknown } | null)?.kind;
  if (headerKind !== undefined && payloadKind !== undefined && headerKind !== payloadKind) {
    const reason = `kind header ${JSON.stringify(headerKind)} does not match payload kind ${JSON.stringify(payloadKind)}`;
    return refused(record, origin, nodeId, payload, reason, raw);
  }
  // A payload without its own kind is accepted when the header names a known one.
  const kind = payloadKind === undefined && isEventKind(headerKind) ? headerKind : undefined;
  const decoded = decodeEvent(payload, kind);
  return decoded.ok
    ? { ok: true, event: decoded.value }
    : refused(record, origin, nodeId, payload, decoded.reason, raw);
};
