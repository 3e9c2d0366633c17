import type { Redactor } from "../secrets/redactor.js";

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface LiveLogger {
  log(level: LogLevel, message: string, fields?: Readonly<Record<string, unknown>>): void;
}

/**
 * Structured JSON lines on a stream (stderr by default, so stdout stays for command output). Every
 * line is redacted as a whole, fields included, after serialisation.
 */
export const jsonLogger = (
  redactor: Redactor,
  write: (line: string) => void = (line) => process.stderr.write(line),
  now: () => Date = () => new Date(),
): LiveLogger => ({
  log: (level, message, fields) => {
    const line = JSON.stringify({ ts: now().toISOString(), level, msg: message, ...fields });
    write(`${redactor.redact(line)}\n`);
  },
});

export const describeError = (err: unknown): string => (err instanceof Error ? err.message : String(err));
