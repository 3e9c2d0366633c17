import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createKafkaClient, ensureTopics, publishReplay } from "@thetaflow/connectors";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { engineEnv, killMidStream, liveRunArgs, trackedEngines } from "./engineProcess.js";
import { exactlyOnceKafkaSink, historicalTopic, kafkaIndicatorsTopology, uniqueName } from "./helpers.js";
import { writeDailyBars } from "./marketReplay.js";
import { canonical, readTopic } from "./topicReader.js";
import { runTopologyFile } from "./topologyRun.js";

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
    outPrefix === undefined ? [] : [exactlyOnceKafkaSink(outPrefix)],
  );

describe("exactly-once Kafka output", () => {
  it("SIGKILLed mid-stream three times: the output topic holds each record once (read_committed)", async () => {
    const replay = join(dir, "bars.ndjson.gz");
    const count = writeDailyBars(replay, ["SPY", "QQQ", "IWM"], 1500);
    const topic = uniqueName("tf_eos");
    const outPrefix = uniqueName("tf_eos_out");
    const outTopic = `${outPrefix}.features`;
    const kafka = createKafkaClient({ brokers: inject("kafkaBrokers"), clientId: "eos-test" });
    await publishReplay({ kafka, file: replay, topic, partitions: 3 });
    await ensureTopics(kafka, [historicalTopic(outTopic, 3)]);

    const refFile = join(dir, "reference.yaml");
    writeFileSync(refFile, topologyText(replay, topic));
    const reference = await runTopologyFile(refFile, { outDir: join(dir, "reference"), mode: "replay" });
    expect(reference.events.in).toBe(count);
    const expected = readFileSync(join(dir, "reference", "features.ndjson"), "utf8")
      .split("\n")
      .filter((l) => l !== "");

    const file = join(dir, "eos.yaml");
    writeFileSync(file, topologyText(replay, topic, outPrefix));
    const outDir = join(dir, "live");
    const group = uniqueName("g");
    const args = liveRunArgs(file, { outDir, group, untilIdle: "3s" });
    const env = engineEnv();
    const total = reference.outputs.find((o) => o.file === "features.ndjson")!.bytes;
    await killMidStream(() => startEngine(args, env), join(outDir, "features.ndjson"), total);
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
