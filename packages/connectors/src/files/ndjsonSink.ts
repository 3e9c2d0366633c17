import { createWriteStream, existsSync, mkdirSync, truncateSync, type WriteStream } from "node:fs";
import { dirname, resolve } from "node:path";
import type { EventSink, SinkDefinition } from "@thetaflow/core";
import { type Event, encodeEvent } from "@thetaflow/schemas";
import { Schema } from "effect";

const FLUSH_BYTES = 1 << 20;

/** Appends events as NDJSON lines; bytes depend only on the events, so equal runs give equal files. */
export class NdjsonFileSink implements EventSink {
  readonly #stream: WriteStream;
  #buffer: string[] = [];
  #bytes = 0;
  #drained: Promise<void> | undefined;
  /** Bytes handed to the file so far (UTF-8). */
  #written = 0;

  /** `resumeBytes`: continue a file from a checkpoint, dropping whatever was written after it. */
  constructor(
    readonly path: string,
    resumeBytes?: number,
  ) {
    mkdirSync(dirname(path), { recursive: true });
    if (resumeBytes !== undefined && existsSync(path)) {
      truncateSync(path, resumeBytes);
      this.#written = resumeBytes;
      this.#stream = createWriteStream(path, { flags: "a" });
    } else {
      this.#stream = createWriteStream(path);
    }
  }

  write(event: Event): void {
    const line = `${JSON.stringify(encodeEvent(event))}\n`;
    this.#buffer.push(line);
    this.#bytes += line.length;
    if (this.#bytes >= FLUSH_BYTES) this.#writeBuffer();
  }

  backpressure(): Promise<void> | undefined {
    return this.#drained;
  }

  async flush(): Promise<void> {
    this.#writeBuffer();
    if (this.#drained !== undefined) await this.#drained;
    // A write's callback runs once everything before it reached the file descriptor.
    await new Promise<void>((ok, fail) => this.#stream.write("", (err) => (err ? fail(err) : ok())));
  }

  checkpoint(): number {
    return this.#written;
  }

  async close(): Promise<void> {
    await this.flush();
    await new Promise<void>((ok, fail) => this.#stream.end((err?: Error | null) => (err ? fail(err) : ok())));
  }

  files(): readonly string[] {
    return [this.path];
  }

  #writeBuffer(): void {
    if (this.#buffer.length === 0) return;
    const chunk = this.#buffer.join("");
    this.#written += Buffer.byteLength(chunk);
    const ok = this.#stream.write(chunk);
    this.#buffer = [];
    this.#bytes = 0;
    if (!ok && this.#drained === undefined) {
      this.#drained = new Promise((done) =>
        this.#stream.once("drain", () => {
          this.#drained = undefined;
          done();
        }),
      );
    }
  }
}

export const NdjsonSinkParams = Schema.Struct({
  /** File name inside the run's output directory; defaults to `<sink id>.ndjson`. */
  file: Schema.optional(Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9._-]+$/))),
});

export const ndjsonSink: SinkDefinition<typeof NdjsonSinkParams.Type> = {
  name: "ndjson",
  description: "Writes events as NDJSON to <outDir>/<file> (default <sink id>.ndjson).",
  params: NdjsonSinkParams,
  open: async (params, ctx) =>
    new NdjsonFileSink(
      resolve(ctx.outDir, params.file ?? `${ctx.sinkId}.ndjson`),
      typeof ctx.resume === "number" ? ctx.resume : undefined,
    ),
};
