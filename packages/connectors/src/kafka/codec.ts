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
/** On a batch record: how many events its value (a JSON array) holds. Absent on single-event records. */
export const BATCH_HEADER = "batch";

/** Where a Kafka record came from; also the `origin` of a dead letter (`topic/partition/offset`). */
export interface KafkaRecordOrigin {
  readonly topic: string;
  readonly partition: number;
  /** Kafka offsets are int64; kafkajs hands them over as decimal strings. */
  readonly offset: string;
}

/** `topic/partition/offset`, and `#index` for an element of a batch record. */
export const formatOrigin = (o: KafkaRecordOrigin, index?: number): string =>
  index === undefined
    ? `${o.topic}/${o.partition}/${o.offset}`
    : `${o.topic}/${o.partition}/${o.offset}#${index}`;

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

// Record time = event time, so broker-side retention and time-based seeks follow market time.
const singleMessage = (event: Event, text: string): Message => ({
  key: partitionKeyOf(event),
  value: text,
  timestamp: String(Math.floor(event.eventTime / 1000)),
  headers: { [SCHEMA_VERSION_HEADER]: SCHEMA_VERSION, [KIND_HEADER]: event.kind },
});

/** The Kafka record for an event: JSON of its encoded form, schema version and kind in headers. */
export const toKafkaMessage = (event: Event, options: ToKafkaMessageOptions = {}): Message =>
  singleMessage(event, JSON.stringify(options.validate === false ? event : encodeEvent(event)));

/** Bounds of one batch record; the defaults keep a chain snapshot (~850 quotes, ~330 KB) in one record. */
export interface RecordBatching {
  /** Most events in one record (default 1,000). */
  readonly maxEvents?: number;
  /**
   * Most characters of JSON in one record's value (default 512 KiB): well under the broker's
   * default 1 MB message limit and the consumer's 1 MB per-partition fetch.
   */
  readonly maxBytes?: number;
}

export const DEFAULT_BATCH_MAX_EVENTS = 1_000;
export const DEFAULT_BATCH_MAX_BYTES = 512 * 1024;

export interface ToKafkaMessagesOptions extends ToKafkaMessageOptions {
  /** Merge runs of same-key events into batch records; without it, one record per event. */
  readonly batching?: RecordBatching;
}

const batchMessage = (events: readonly Event[], texts: readonly string[]): Message => {
  const first = events[0]!;
  if (events.length === 1) return singleMessage(first, texts[0]!);
  const kind = first.kind;
  let uniform = true;
  for (const e of events) if (e.kind !== kind) uniform = false;
  return {
    key: partitionKeyOf(first),
    value: `[${texts.join(",")}]`,
    timestamp: String(Math.floor(first.eventTime / 1000)),
    headers: {
      [SCHEMA_VERSION_HEADER]: SCHEMA_VERSION,
      [BATCH_HEADER]: String(events.length),
      ...(uniform ? { [KIND_HEADER]: kind } : {}),
    },
  };
};

/**
 * The records for events bound for one topic, in their order. With `batching`, each run of
 * consecutive events sharing a partition key (a chain snapshot: one underlying, one instant)
 * becomes one batch record, split at the bounds; a run of one stays a single-event record. Only
 * consecutive events are merged, so each partition still receives its events in the given order —
 * the live input's watermark relies on event time never going back within a partition.
 */
export const toKafkaMessages = (
  events: readonly Event[],
  options: ToKafkaMessagesOptions = {},
): Message[] => {
  const validate = options.validate !== false;
  const batching = options.batching;
  if (batching === undefined) return events.map((e) => toKafkaMessage(e, options));
  const maxEvents = batching.maxEvents ?? DEFAULT_BATCH_MAX_EVENTS;
  const maxBytes = batching.maxBytes ?? DEFAULT_BATCH_MAX_BYTES;
  const out: Message[] = [];
  let run: Event[] = [];
  let texts: string[] = [];
  let runKey = "";
  let runBytes = 0;
  for (const event of events) {
    const text = JSON.stringify(validate ? encodeEvent(event) : event);
    const key = partitionKeyOf(event);
    if (
      run.length > 0 &&
      (key !== runKey || run.length >= maxEvents || runBytes + text.length + 1 > maxBytes)
    ) {
      out.push(batchMessage(run, texts));
      run = [];
      texts = [];
    }
    if (run.length === 0) {
      runKey = key;
      runBytes = 1;
    }
    run.push(event);
    texts.push(text);
    runBytes += text.length + 1;
  }
  if (run.length > 0) out.push(batchMessage(run, texts));
  return out;
};

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
  index?: number,
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
      origin: formatOrigin(origin, index),
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
  return decodePayload(record, origin, nodeId, payload, headerKind, raw, undefined);
};

/**
 * One payload (a record's, or one element of a batch record) through the schema decode. The kind
 * header, when present, must agree with the payload's own kind, or stands in for a missing one.
 */
const decodePayload = (
  record: KafkaRecord,
  origin: KafkaRecordOrigin,
  nodeId: string,
  payload: unknown,
  headerKind: string | undefined,
  raw: string,
  index: number | undefined,
): DecodedRecord => {
  const payloadKind = (payload as { kind?: unknown } | null)?.kind;
  if (headerKind !== undefined && payloadKind !== undefined && headerKind !== payloadKind) {
    const reason = `kind header ${JSON.stringify(headerKind)} does not match payload kind ${JSON.stringify(payloadKind)}`;
    return refused(record, origin, nodeId, payload, reason, raw, index);
  }
  // A payload without its own kind is accepted when the header names a known one.
  const kind = payloadKind === undefined && isEventKind(headerKind) ? headerKind : undefined;
  const decoded = decodeEvent(payload, kind);
  return decoded.ok
    ? { ok: true, event: decoded.value }
    : refused(record, origin, nodeId, payload, decoded.reason, raw, index);
};

/**
 * Decodes a record of either form — a single event, or a batch record (header `batch: <count>`,
 * value a JSON array of encoded events) — handing each resulting event to `onEvent` in order, with
 * its index inside a batch record (undefined for a single-event record). Never throws.
 *
 * Every element of a batch goes through the same schema decode as a single record; an element that
 * does not decode becomes a DeadLetter with origin `topic/partition/offset#index` and the rest of the
 * batch goes on. A value that is not a JSON array of the announced length is refused whole: one
 * DeadLetter for the record.
 */
export const decodeKafkaRecordEvents = (
  record: KafkaRecord,
  origin: KafkaRecordOrigin,
  nodeId: string,
  onEvent: (decoded: DecodedRecord, index: number | undefined) => void,
): void => {
  const headers = record.headers;
  const count = headers === undefined ? undefined : headerText(headers, BATCH_HEADER);
  if (count === undefined) {
    onEvent(decodeKafkaRecord(record, origin, nodeId), undefined);
    return;
  }
  const value = record.value;
  if (value === null || value.length === 0) {
    onEvent(refused(record, origin, nodeId, undefined, "empty batch record value", ""), undefined);
    return;
  }
  const raw = rawText(value);
  const version = headerText(headers!, SCHEMA_VERSION_HEADER);
  if (version !== undefined && version !== SCHEMA_VERSION) {
    const reason = `schema-version ${JSON.stringify(version)} is not supported (expected ${SCHEMA_VERSION})`;
    onEvent(refused(record, origin, nodeId, undefined, reason, raw), undefined);
    return;
  }
  const expected = /^[1-9][0-9]{0,8}$/.test(count) ? Number(count) : 0;
  if (expected === 0) {
    const reason = `batch header ${JSON.stringify(count)} is not a positive count`;
    onEvent(refused(record, origin, nodeId, undefined, reason, raw), undefined);
    return;
  }
  let payload: unknown;
  try {
    payload = JSON.parse(raw);
  } catch (e) {
    onEvent(
      refused(record, origin, nodeId, undefined, `invalid JSON batch: ${(e as Error).message}`, raw),
      undefined,
    );
    return;
  }
  if (!Array.isArray(payload) || payload.length !== expected) {
    const got = Array.isArray(payload) ? `an array of ${payload.length}` : "not a JSON array";
    const reason = `batch header announces ${expected} events, the value is ${got}`;
    onEvent(refused(record, origin, nodeId, undefined, reason, raw), undefined);
    return;
  }
  const headerKind = headerText(headers!, KIND_HEADER);
  for (let i = 0; i < payload.length; i++) {
    const element: unknown = payload[i];
    const decoded = decodePayload(record, origin, nodeId, element, headerKind, "", i);
    // The element's own text only for a dead letter: valid elements never pay for it.
    onEvent(decoded.ok ? decoded : withRaw(decoded, element), i);
  }
};

const withRaw = (refusal: DecodedRecord, element: unknown): DecodedRecord => ({
  ok: false,
  event: { ...(refusal.event as DeadLetter), raw: JSON.stringify(element) ?? "" },
});
