import type { EventKind } from "@thetaflow/schemas";

export const DEFAULT_TOPIC_PREFIX = "thetaflow";

/**
 * The topic suffix each event kind travels on. Kinds that always flow together share a topic
 * (a regime change rides with the regime it produced) so their relative order is kept per key.
 */
export const eventTopicKinds = {
  UnderlyingTick: "underlying-ticks",
  IndexTick: "index-ticks",
  OptionQuote: "option-quotes",
  ChainSnapshot: "option-chains",
  EarningsEvent: "earnings",
  Greeks: "greeks",
  VolFeatures: "vol-features",
  Regime: "regimes",
  RegimeTransition: "regimes",
  FeatureVector: "features",
  ModelScore: "model-scores",
  Signal: "signals",
  OrderIntent: "order-intents",
  RiskDecision: "risk-decisions",
  Order: "orders",
  Fill: "fills",
  Position: "positions",
  PortfolioSnapshot: "portfolio",
  DeadLetter: "dead-letters",
} as const satisfies Record<EventKind, string>;

export type TopicKind = (typeof eventTopicKinds)[EventKind];

// Kafka's own rule for topic names (Topic.java): legal characters and at most 249 of them.
const legalTopic = /^[a-zA-Z0-9._-]{1,249}$/;

/** Thrown for a topic prefix Kafka would refuse; a configuration mistake, caught at startup. */
export class InvalidTopicNameError extends Error {
  override readonly name = "InvalidTopicNameError";
}

/** `<prefix>.<topicKind>`, e.g. `thetaflow.option-quotes`. */
export const topicName = (topicKind: string, prefix: string = DEFAULT_TOPIC_PREFIX): string => {
  const name = `${prefix}.${topicKind}`;
  if (!legalTopic.test(name) || name === "." || name === "..") {
    throw new InvalidTopicNameError(
      `invalid Kafka topic name ${JSON.stringify(name)}: use only letters, digits, '.', '_' and '-' (at most 249)`,
    );
  }
  return name;
};

export const topicForEvent = (kind: EventKind, prefix: string = DEFAULT_TOPIC_PREFIX): string =>
  topicName(eventTopicKinds[kind], prefix);

/** Every distinct event topic under a prefix, in a fixed order. */
export const allEventTopics = (prefix: string = DEFAULT_TOPIC_PREFIX): string[] =>
  [...new Set(Object.values(eventTopicKinds))].map((kind) => topicName(kind, prefix));
