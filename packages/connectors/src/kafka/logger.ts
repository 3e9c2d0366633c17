import { logLevel as KafkaLogLevel, type logCreator } from "kafkajs";

export type LogLevel = "debug" | "info" | "warn" | "error";

/** Where connectors report what they do; one JSON object per record, fields flat. */
export interface StructuredLogger {
  log(level: LogLevel, message: string, fields?: Readonly<Record<string, unknown>>): void;
}

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface JsonLinesLoggerOptions {
  /** Records below this level are dropped. Default `info`. */
  readonly minLevel?: LogLevel;
  /** Stable name of the component, e.g. `kafka` or `questdb-writer`. */
  readonly component: string;
  /** Sink for finished lines; default stderr so stdout stays free for command output. */
  readonly write?: (line: string) => void;
  /** Wall clock for the record's `time` field; injectable so tests stay deterministic. */
  readonly now?: () => Date;
}

/** A logger that prints one JSON line per record: `{"time","level","component","msg",...fields}`. */
export const jsonLinesLogger = (options: JsonLinesLoggerOptions): StructuredLogger => {
  const min = rank[options.minLevel ?? "info"];
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const now = options.now ?? (() => new Date());
  return {
    log(level, message, fields) {
      if (rank[level] < min) return;
      write(
        JSON.stringify({
          time: now().toISOString(),
          level,
          component: options.component,
          msg: message,
          ...fields,
        }),
      );
    },
  };
};

export const silentLogger: StructuredLogger = { log() {} };

export type KafkaLogVerbosity = "nothing" | "error" | "warn" | "info" | "debug";

export const kafkaLogLevels: Record<KafkaLogVerbosity, KafkaLogLevel> = {
  nothing: KafkaLogLevel.NOTHING,
  error: KafkaLogLevel.ERROR,
  warn: KafkaLogLevel.WARN,
  info: KafkaLogLevel.INFO,
  debug: KafkaLogLevel.DEBUG,
};

const fromKafkaLevel = (level: KafkaLogLevel): LogLevel =>
  level <= KafkaLogLevel.ERROR
    ? "error"
    : level === KafkaLogLevel.WARN
      ? "warn"
      : level === KafkaLogLevel.INFO
        ? "info"
        : "debug";

/** Routes kafkajs's own log entries (which it would print with console) into a StructuredLogger. */
export const kafkaLogCreator =
  (logger: StructuredLogger): logCreator =>
  () =>
  ({ namespace, level, log }) => {
    const {
      message,
      timestamp: _kafkaTimestamp,
      logger: _kafkaLogger,
      ...extra
    } = log as {
      message: string;
      timestamp: string;
      logger?: unknown;
    } & Record<string, unknown>;
    logger.log(fromKafkaLevel(level), message, { namespace, ...extra });
  };
