import { Kafka } from "kafkajs";
import {
  type KafkaLogVerbosity,
  kafkaLogCreator,
  kafkaLogLevels,
  type StructuredLogger,
  silentLogger,
} from "./logger.js";

export interface KafkaClientOptions {
  /** Bootstrap servers, e.g. `["127.0.0.1:9092"]`. */
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** kafkajs's own verbosity; default `error` (it is chatty and logs retries it recovers from). */
  readonly logLevel?: KafkaLogVerbosity;
  readonly logger?: StructuredLogger;
  readonly connectionTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  /** Retries of one request before kafkajs gives up on it (exponential backoff inside kafkajs). */
  readonly retries?: number;
}

/** A kafkajs client whose logs go through the connectors' structured logger. */
export const createKafkaClient = (options: KafkaClientOptions): Kafka =>
  new Kafka({
    brokers: [...options.brokers],
    clientId: options.clientId,
    logLevel: kafkaLogLevels[options.logLevel ?? "error"],
    logCreator: kafkaLogCreator(options.logger ?? silentLogger),
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    retry: { retries: options.retries ?? 8, initialRetryTime: 100, maxRetryTime: 5_000 },
  });
