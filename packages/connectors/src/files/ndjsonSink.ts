import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { dirname, resolve } from "node:path";
import { type EventSink, type SinkDefinition } from "@thetaflow/core";
import { type Event, encodeEvent } from "@thetaflow/schemas";
import { Schema } from "effect";

const FLUSH_BYTES = 1 << 20;

/** Appends events as NDJSON lines; bytes depend only on the events, so equal runs give equal files. */
export class NdjsonFileSink implements EventSink {
  readonly #stream: WriteStream;
  #buffer: string[] = [];
  #bytes = 0;
  #drained: Promise<void> | undefined;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.#stream = createWriteStream(path);
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
    const ok = this.#stream.write(this.#buffer.join(""));
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
  open: async (params, ctx) => new NdjsonFileSink(resolve(ctx.outDir, params.file ?? `${ctx.sinkId}.ndjson`)),
};
