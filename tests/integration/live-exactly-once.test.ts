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
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { trackedEngines } from "./engineProcess.js";
import { eventually, kafkaIndicatorsTopology, uniqueName } from "./helpers.js";
import { writeDailyBars } from "./marketReplay.js";
import { canonical, readTopic } from "./topicReader.js";

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
