import { createHash } from "node:crypto";
import { resolve } from "node:path";
import type { EventSink, SinkDefinition } from "@thetaflow/core";
import type { Event } from "@thetaflow/schemas";
import { Schema } from "effect";
import { createKafkaClient } from "../kafka/client.js";
import { EventProducer, TransactionalEventProducer, type TransactionOffsets } from "../kafka/producer.js";
import { QuestDbWriter } from "../questdb/writer.js";

/** Service addresses: topology params first, then environment, then the local defaults of scripts/services.sh. */
export const questDbUrl = (explicit?: string): string =>
  explicit ?? process.env.THETAFLOW_QUESTDB_URL ?? "http://127.0.0.1:9000";
export const kafkaBrokers = (explicit?: readonly string[]): string[] =>
  explicit !== undefined
    ? [...explicit]
    : (process.env.THETAFLOW_KAFKA_BROKERS ?? "127.0.0.1:9092").split(",");

export const QuestDbSinkParams = Schema.Struct({
  url: Schema.optional(Schema.String),
  tablePrefix: Schema.optional(Schema.String.pipe(Schema.pattern(/^[a-z0-9_]*$/))),
  flushRows: Schema.optional(Schema.Number.pipe(Schema.int(), Schema.positive())),
});

/** Writes every event to its QuestDB table; dedup keys make a re-sent row a no-op (exactly-once rows). */
export const questdbSink: SinkDefinition<typeof QuestDbSinkParams.Type> = {
  name: "questdb",
  description: "Writes events to QuestDB tables over ILP/HTTP (tables created with DEDUP UPSERT KEYS).",
  params: QuestDbSinkParams,
  open: async (params) => {
    // The environment may set the prefix so one topology can write to separate tables per run.
    const tablePrefix = params.tablePrefix ?? process.env.THETAFLOW_QUESTDB_TABLE_PREFIX;
    const writer = await QuestDbWriter.open({
      url: questDbUrl(params.url),
      ...(tablePrefix !== undefined ? { tablePrefix } : {}),
      ...(params.flushRows !== undefined ? { flushRows: params.flushRows } : {}),
    });
    const sink: EventSink = {
      write: (event: Event) => void writer.write(event),
      backpressure: () => writer.backpressure(),
      flush: () => writer.flush(),
      // Bounded: a QuestDB that stays down at shutdown fails the close with the unsent row count
      // instead of hanging the process (a live run's checkpoint has not advanced past those rows).
      close: () => writer.close({ timeoutMs: 120_000 }),
      files: () => [],
    };
    return sink;
  },
};

export const KafkaSinkParams = Schema.Struct({
  brokers: Schema.optional(Schema.Array(Schema.String)),
  topicPrefix: Schema.optional(Schema.String),
  /** Send when this many events are buffered (and at every flush). */
  batchSize: Schema.optionalWith(Schema.Number.pipe(Schema.int(), Schema.positive()), {
    default: () => 1000,
  }),
  /**
   * Transactional producer: a live run commits the records sent since its last checkpoint together
   * with the input offsets, so a crash never duplicates a record (read_committed consumers).
   */
  exactlyOnce: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  /** Default: derived from the sink id and the run's output directory (stable across restarts). */
  transactionalId: Schema.optional(Schema.String),
});

/** A sink whose output becomes visible only when the run commits it with its checkpoint. */
export interface TransactionalSink extends EventSink {
  /** Commits everything written since the last commit, atomically with these input offsets. */
  commitTransaction(offsets?: TransactionOffsets): Promise<void>;
}

export const isTransactionalSink = (sink: EventSink): sink is TransactionalSink =>
  "commitTransaction" in sink && typeof sink.commitTransaction === "function";

/** Publishes events to `<prefix>.<kind>` topics keyed by underlying; flush resolves on broker acks. */
export const kafkaSink: SinkDefinition<typeof KafkaSinkParams.Type> = {
  name: "kafka",
  description: "Publishes events to Kafka (idempotent producer, acks=all), keyed by underlying.",
  params: KafkaSinkParams,
  open: async (params, ctx) => {
    const kafka = createKafkaClient({
      brokers: kafkaBrokers(params.brokers),
      clientId: `thetaflow-sink-${ctx.sinkId}`,
    });
    const topicOptions = params.topicPrefix !== undefined ? { topicPrefix: params.topicPrefix } : {};
    const transactional = params.exactlyOnce
      ? await TransactionalEventProducer.connect(kafka, {
          ...topicOptions,
          transactionalId:
            params.transactionalId ??
            `thetaflow-${ctx.sinkId}-${createHash("sha256").update(resolve(ctx.outDir)).digest("hex").slice(0, 16)}`,
        })
      : undefined;
    const producer = transactional ?? (await EventProducer.connect(kafka, topicOptions));
    let buffer: Event[] = [];
    let inFlight: Promise<unknown> = Promise.resolve();
    let failure: Error | undefined;
    const send = () => {
      if (buffer.length === 0) return;
      const batch = buffer;
      buffer = [];
      inFlight = inFlight
        .then(async () => {
          await producer.send(batch);
        })
        .catch((e: Error) => {
          failure = e;
        });
    };
    const flush = async () => {
      send();
      await inFlight;
      if (failure !== undefined) throw failure;
    };
    const sink: EventSink = {
      write: (event) => {
        buffer.push(event);
        if (buffer.length >= params.batchSize) send();
      },
      flush,
      // A transactional sink's uncommitted records are aborted here (the run did not checkpoint them).
      close: async () => {
        try {
          if (transactional === undefined) await flush();
        } finally {
          await producer.disconnect();
        }
      },
      files: () => [],
    };
    if (transactional === undefined) return sink;
    const commitTransaction = async (offsets?: TransactionOffsets) => {
      await flush();
      await transactional.commit(offsets);
    };
    return { ...sink, commitTransaction } satisfies TransactionalSink;
  },
};
