import { createHash } from "node:crypto";
import { resolve } from "node:path";
import type { EventSink, SinkDefinition } from "@thetaflow/core";
import type { Event } from "@thetaflow/schemas";
import { Schema } from "effect";
import { createKafkaClient } from "../kafka/client.js";
import {
  EventProducer,
  PartitionedTransactionalProducer,
  TransactionalEventProducer,
  type TransactionOffsets,
} from "../kafka/producer.js";
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
  /**
   * Most events per Kafka record: consecutive same-key events of one send share a batch record
   * (docs/kafka-records.md). Default 1: one record per event, readable by readers that predate
   * batch records. A batch never spans two sends, so with `exactlyOnce` it stays inside one
   * transaction.
   */
  batchMax: Schema.optionalWith(Schema.Number.pipe(Schema.int(), Schema.positive()), {
    default: () => 1,
  }),
});

/** The transactional id of a single-process exactly-once sink: stable per sink and output directory. */
export const processTransactionalId = (
  params: { readonly transactionalId?: string | undefined },
  sinkId: string,
  outDir: string,
): string =>
  params.transactionalId ??
  `thetaflow-${sinkId}-${createHash("sha256").update(resolve(outDir)).digest("hex").slice(0, 16)}`;

/** A sink whose output becomes visible only when the run commits it with its checkpoint. */
export interface TransactionalSink extends EventSink {
  /** Commits everything written since the last commit, atomically with these input offsets. */
  commitTransaction(offsets?: TransactionOffsets): Promise<void>;
  /**
   * Scale-out: switches the sink (before its first write) to one transaction per input partition;
   * the run then claims, commits and releases partitions through the returned producer, and
   * `commitTransaction` is no longer used. `transactionalIdBase` applies unless the sink's own
   * `transactionalId` param is set; it must be the same in every process of the group.
   */
  perPartition(options: {
    readonly transactionalIdBase: string;
    readonly partitionOfKey: (key: string) => number;
  }): PartitionedTransactionalProducer;
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
    const topicOptions = {
      ...(params.topicPrefix !== undefined ? { topicPrefix: params.topicPrefix } : {}),
      ...(params.batchMax > 1 ? { batching: { maxEvents: params.batchMax } } : {}),
    };
    // A transactional producer connects at its first use: by then the run has chosen between one
    // transaction for the process and one per input partition (scale-out).
    let single: Promise<TransactionalEventProducer> | undefined;
    let partitioned: PartitionedTransactionalProducer | undefined;
    const transactional = () =>
      (single ??= TransactionalEventProducer.connect(kafka, {
        ...topicOptions,
        transactionalId: processTransactionalId(params, ctx.sinkId, ctx.outDir),
      }));
    const plain = params.exactlyOnce ? undefined : await EventProducer.connect(kafka, topicOptions);
    const producer = {
      send: async (events: readonly Event[]) => {
        if (plain !== undefined) await plain.send(events);
        else if (partitioned !== undefined) await partitioned.send(events);
        else await (await transactional()).send(events);
      },
      disconnect: async () => {
        await plain?.disconnect();
        await partitioned?.disconnect();
        await (await single)?.disconnect();
      },
    };
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
          if (plain !== undefined) await flush();
        } finally {
          await producer.disconnect();
        }
      },
      files: () => [],
    };
    if (plain !== undefined) return sink;
    const commitTransaction = async (offsets?: TransactionOffsets) => {
      await flush();
      await (await transactional()).commit(offsets);
    };
    const perPartition: TransactionalSink["perPartition"] = (options) => {
      if (single !== undefined) throw new Error(`sink '${ctx.sinkId}' already writes one transaction`);
      partitioned ??= new PartitionedTransactionalProducer(kafka, {
        ...topicOptions,
        transactionalIdBase: params.transactionalId ?? options.transactionalIdBase,
        partitionOfKey: options.partitionOfKey,
      });
      return partitioned;
    };
    return { ...sink, commitTransaction, perPartition } satisfies TransactionalSink;
  },
};
