import { eventKinds } from "@thetaflow/schemas";
import { Schema } from "effect";

/** Ids name a node everywhere (metrics, logs, checkpoints, dead letters): keep them stable. */
export const NodeId = Schema.String.pipe(
  Schema.pattern(/^[a-z][a-zA-Z0-9_-]{0,63}$/, {
    message: () => "node id must start with a lowercase letter and use only letters, digits, '_' or '-'",
  }),
);

const EventKindName = Schema.Literal(...eventKinds);

/** Reserved input id: the run's dead-letter stream (sources and nodes write to it). */
export const DEAD_LETTERS_ID = "deadLetters";

export const ReplayFile = Schema.Union(
  Schema.String,
  Schema.Struct({
    path: Schema.String,
    /** For single-kind CSV files without a `kind` column. */
    kind: Schema.optional(EventKindName),
  }),
);

export const ReplayBinding = Schema.Struct({
  /** Files are merged by (eventTime, rank in this list, seq). */
  files: Schema.Array(ReplayFile).pipe(Schema.minItems(1)),
  /** Events older than (max event time seen - lateness) are dead-lettered; within it they are reordered. */
  maxLatenessUs: Schema.optionalWith(Schema.Number.pipe(Schema.int(), Schema.nonNegative()), {
    default: () => 0,
  }),
});

export const KafkaBinding = Schema.Struct({
  topics: Schema.Array(Schema.String).pipe(Schema.minItems(1)),
  groupId: Schema.optional(Schema.String),
  maxLatenessUs: Schema.optionalWith(Schema.Number.pipe(Schema.int(), Schema.nonNegative()), {
    default: () => 1_000_000,
  }),
});

export const SourceSpec = Schema.Struct({
  id: NodeId,
  description: Schema.optional(Schema.String),
  replay: Schema.optional(ReplayBinding),
  kafka: Schema.optional(KafkaBinding),
});

export const NodeSpec = Schema.Struct({
  id: NodeId,
  op: Schema.String,
  inputs: Schema.Array(Schema.String).pipe(Schema.minItems(1)),
  params: Schema.optionalWith(Schema.Record({ key: Schema.String, value: Schema.Unknown }), {
    default: () => ({}),
  }),
  description: Schema.optional(Schema.String),
});

export const SinkSpec = Schema.Struct({
  id: NodeId,
  type: Schema.String,
  inputs: Schema.Array(Schema.String).pipe(Schema.minItems(1)),
  /** Only these event kinds reach the sink; all when omitted. */
  kinds: Schema.optional(Schema.Array(EventKindName)),
  params: Schema.optionalWith(Schema.Record({ key: Schema.String, value: Schema.Unknown }), {
    default: () => ({}),
  }),
});

export const TopologySpec = Schema.Struct({
  name: NodeId,
  description: Schema.optional(Schema.String),
  /** Seed for any randomness in operators; part of the topology hash. */
  seed: Schema.optionalWith(Schema.Number.pipe(Schema.int()), { default: () => 0 }),
  sources: Schema.Array(SourceSpec).pipe(Schema.minItems(1)),
  nodes: Schema.optionalWith(Schema.Array(NodeSpec), { default: () => [] }),
  sinks: Schema.Array(SinkSpec).pipe(Schema.minItems(1)),
}).annotations({ identifier: "Topology", title: "Thetaflow topology" });

export type TopologySpec = typeof TopologySpec.Type;
export type SourceSpec = typeof SourceSpec.Type;
export type NodeSpec = typeof NodeSpec.Type;
export type SinkSpec = typeof SinkSpec.Type;
export type ReplayBinding = typeof ReplayBinding.Type;
export type KafkaBinding = typeof KafkaBinding.Type;
