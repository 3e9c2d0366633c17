import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { createGzip } from "node:zlib";
import { encodeEvent } from "@thetaflow/schemas";
import type { Kafka } from "kafkajs";
import { KafkaLiveInput } from "./kafkaLiveInput.js";

export interface RecordOptions {
  readonly kafka: Kafka;
  readonly topics: readonly string[];
  readonly out: string;
  /** Stop once caught up and quiet this long (ms); without it, record until `signal` aborts. */
  readonly untilIdleMs?: number;
  readonly groupId: string;
  readonly maxLatenessUs?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (recorded: number) => void;
}

/**
 * Captures topics into a replay file (NDJSON, gzipped when the name ends in .gz), in the order a
 * live run would have processed them, so anything seen live can be replayed. Undecodable records
 * are written as DeadLetter lines, so the file accounts for everything that was on the topic.
 */
export const recordTopics = async (options: RecordOptions): Promise<{ readonly recorded: number }> => {
  const input = await KafkaLiveInput.start({
    kafka: options.kafka,
    groupId: options.groupId,
    bindings: [{ sourceId: "record", rank: 0, topics: options.topics }],
    maxLatenessUs: options.maxLatenessUs ?? 0,
    ...(options.untilIdleMs !== undefined ? { untilIdleMs: options.untilIdleMs } : {}),
  });
  options.signal?.addEventListener("abort", () => input.stop(), { once: true });
  const file = createWriteStream(options.out);
  const sink = options.out.endsWith(".gz") ? createGzip() : undefined;
  sink?.pipe(file);
  const target = sink ?? file;
  let recorded = 0;
  try {
    for await (const run of input.runs()) {
      let chunk = "";
      for (const e of run.events) chunk += `${JSON.stringify(encodeEvent(e))}\n`;
      recorded += run.events.length;
      if (!target.write(chunk)) await once(target, "drain");
      options.onProgress?.(recorded);
    }
  } finally {
    await input.close();
    target.end();
    await once(file, "close");
  }
  return { recorded };
};
