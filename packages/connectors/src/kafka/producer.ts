import type { Event } from "@thetaflow/schemas";
import {
  CompressionTypes,
  type Kafka,
  type Message,
  Partitioners,
  type Producer,
  type RecordMetadata,
} from "kafkajs";
import { type ToKafkaMessageOptions, toKafkaMessage } from "./codec.js";
import { DEFAULT_TOPIC_PREFIX, topicForEvent } from "./topics.js";

export interface EventProducerOptions {
  /** Topic prefix (`<prefix>.<kind>`); default `thetaflow`. */
  readonly topicPrefix?: string;
  /**
   * Idempotent producer (default true): the broker drops a batch re-sent after a lost ack, so a
   * retry inside the producer never duplicates a record.
   */
  readonly idempotent?: boolean;
  readonly compression?: "none" | "gzip";
  /** Overrides the topic of an event, e.g. to route a replay into scratch topics. */
  readonly topicOf?: (event: Event) => string;
  /** Re-encode every event through its schema (default true); see ToKafkaMessageOptions. */
  readonly validate?: boolean;
}

/**
 * Publishes events as JSON records keyed by underlying. `send` resolves once every record is
 * acknowledged by all in-sync replicas (acks=-1), which is the moment a caller may commit input
 * offsets.
 */
export class EventProducer {
  private constructor(
    private readonly producer: Producer,
    private readonly topicOf: (event: Event) => string,
    private readonly compression: CompressionTypes,
    private readonly messageOptions: ToKafkaMessageOptions,
  ) {}

  static async connect(kafka: Kafka, options: EventProducerOptions = {}): Promise<EventProducer> {
    const idempotent = options.idempotent ?? true;
    const producer = kafka.producer({
      // The Java-compatible murmur2 partitioner: the same key lands on the same partition as with
      // Kafka's own clients, so other tools can produce into our topics consistently.
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent,
      ...(idempotent ? { maxInFlightRequests: 1 } : {}),
      allowAutoTopicCreation: false,
    });
    await producer.connect();
    const prefix = options.topicPrefix ?? DEFAULT_TOPIC_PREFIX;
    const topicOf = options.topicOf ?? ((e: Event) => topicForEvent(e.kind, prefix));
    const compression = options.compression === "gzip" ? CompressionTypes.GZIP : CompressionTypes.None;
    return new EventProducer(producer, topicOf, compression, { validate: options.validate ?? true });
  }

  /** Sends events in their given order (order is kept per topic and key). */
  async send(events: readonly Event[]): Promise<RecordMetadata[]> {
    if (events.length === 0) return [];
    const byTopic = new Map<string, Message[]>();
    for (const event of events) {
      const topic = this.topicOf(event);
      let messages = byTopic.get(topic);
      if (messages === undefined) {
        messages = [];
        byTopic.set(topic, messages);
      }
      messages.push(toKafkaMessage(event, this.messageOptions));
    }
    return this.producer.sendBatch({
      acks: -1,
      compression: this.compression,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
  }
}
