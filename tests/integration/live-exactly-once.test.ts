import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  builtinSinks,
  createKafkaClient,
  ensureTopics,
  publishReplay,
  runTopology,
} from "@thetaflow/connectors";
import { compileTopology } from "@thetaflow/core";
import { builtinOperators } from "@thetaflow/operators";
import { Effect, Either } from "effect";
import type { Kafka } from "kafkajs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { trackedEngines } from "./engineProcess.js";
import { eventually, kafkaIndicatorsTopology, uniqueName } from "./helpers.js";
import { writeDailyBars } from "./marketReplay.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "thetaflow-eos-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const startEngine = trackedEngines();

const topologyText = (replay: string, topic: string, outPrefix?: string) =>
  kafkaIndicatorsTopology(
    "eos",
    replay,
    topic,
    outPrefix === undefined
      ? []
      : [
          `  - id: kafka\n    type: kafka\n    inputs: [indicators]\n    params: { topicPrefix: ${outPrefix}, exactlyOnce: true, batchSize: 100 }\n`,
        ],
  );

/** Every record value of a topic, read to its end: committed ones only, or all (aborted included). */
const readTopic = async (kafka: Kafka, topic: string, readUncommitted: boolean): Promise<string[]> => {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const consumer = kafka.consumer({ groupId: uniqueName("reader"), readUncommitted });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const values: string[] = [];
  const reached = new Map<number, bigint>();
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      values.push(message.value?.toString("utf8") ?? "");
      reached.set(partition, BigInt(message.offset) + 1n);
    },
  });
  try {
    // Transaction markers occupy offsets too: a partition is done once the last data record before
    // its end was seen and nothing more arrives; poll until the count is stable at the end offsets.
    let last = -1;
    await eventually(async () => {
      const done = ends.every(
        (e) => (reached.get(e.partition) ?? 0n) >= BigInt(e.high) - 2n || e.high === "0",
      );
      const stable = values.length === last;
      last = values.length;
      await new Promise((r) => setTimeout(r, 500));
      return done && stable;
    }, `reading ${topic}`);
  } finally {
    await consumer.disconnect();
  }
  return values;
};

/** JSON with object keys sorted at every level: the NDJSON sink and Kafka may order fields differently. */
const canonical = (json: string): string => {
  const sort = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sort)
      : v !== null && typeof v === "object"
        ? Object.fromEntries(
            Object.entries(v)
              .sort(([a], [b]) => (a < b ? -1 : 1))
              .map(([k, x]) => [k, sort(x)]),
          )
        : v;
  return JSON.stringify(sort(JSON.parse(json)));
};

const sizeOf = (path: string) => (existsSync(path) ? statSync(path).size : 0);

describe("exactly-once Kafka output", () => {
  it("SIGKILLed mid-stream three times: the output topic holds each record once (read_committed)", async () => {
    const replay = join(dir, "bars.ndjson.gz");
    const count = writeDailyBars(replay, ["SPY", "QQQ", "IWM"], 1500);
    const topic = uniqueName("tf_eos");
    const outPrefix = uniqueName("tf_eos_out");
    const outTopic = `${outPrefix}.features`;
    const kafka = createKafkaClient({ brokers: inject("kafkaBrokers"), clientId: "eos-test" });
    await publishReplay({ kafka, file: replay, topic, partitions: 3 });
    await ensureTopics(kafka, [{ topic: outTopic, partitions: 3 }]);

    const refFile = join(dir, "reference.yaml");
    writeFileSync(refFile, topologyText(replay, topic));
    const r = { operators: builtinOperators(), sinks: builtinSinks() };
    const compiled = Either.getOrThrow(compileTopology(refFile, readFileSync(refFile, "utf8"), r));
    const reference = await Effect.runPromise(
      runTopology(compiled, { registries: r, outDir: join(dir, "reference"), mode: "replay" }),
    );
    expect(reference.events.in).toBe(count);
    const expected = readFileSync(join(dir, "reference", "features.ndjson"), "utf8")
      .split("\n")
      .filter((l) => l !== "");

    const file = join(dir, "eos.yaml");
    writeFileSync(file, topologyText(replay, topic, outPrefix));
    const outDir = join(dir, "live");
    const group = uniqueName("g");
    const args = [
      file,
      "--live",
      "--until-idle",
      "3s",
      "--out",
      outDir,
      "--group",
      group,
      "--checkpoint-every",
      "50",
      "--session-timeout",
      "6s",
    ];
    const env = { THETAFLOW_KAFKA_BROKERS: inject("kafkaBrokers").join(",") };
    const features = join(outDir, "features.ndjson");
    const total = reference.outputs.find((o) => o.file === "features.ndjson")!.bytes;
    for (const fraction of [0.2, 0.45, 0.7]) {
      const engine = startEngine(args, env);
      await eventually(async () => {
        const exited = await Promise.race([engine.exited, new Promise((r) => setTimeout(r, 20, undefined))]);
        if (exited !== undefined) throw new Error(`engine exited before the kill: ${JSON.stringify(exited)}`);
        return sizeOf(features) >= total * fraction;
      }, `output past ${fraction}`);
      engine.child.kill("SIGKILL");
      expect((await engine.exited).signal).toBe("SIGKILL");
    }
    const final = startEngine(args, env);
    const exit = await final.exited;
    expect(exit.code, exit.output).toBe(0);

    const committed = await readTopic(kafka, outTopic, false);
    // Each output record exactly once, in each underlying's order; records of aborted
    // transactions (sent after a checkpoint, before the kill) are never delivered.
    expect(committed.length).toBe(expected.length);
    expect(committed.map(canonical).sort()).toEqual(expected.map(canonical).sort());
    const all = await readTopic(kafka, outTopic, true);
    expect(all.length).toBeGreaterThanOrEqual(committed.length);
  }, 240_000);
});
