import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createKafkaClient, publishReplay, QuestDbHttp, type RunReport } from "@thetaflow/connectors";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { engineEnv, killMidStream, liveRunArgs, startEngine } from "./engineProcess.js";
import { questdbContents, uniqueName, writeParityTopology } from "./helpers.js";
import { writeDailyBars } from "./marketReplay.js";
import { runWithTablePrefix } from "./topologyRun.js";

let dir: string;
let http: QuestDbHttp;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "thetaflow-parity-"));
  http = new QuestDbHttp({ url: inject("questdbUrl") });
  process.env.THETAFLOW_QUESTDB_URL = inject("questdbUrl");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the same topology live from Kafka and from a replay", () => {
  it("gives byte-identical outputs and the same QuestDB rows from a 3-partition topic", async () => {
    const replay = join(dir, "bars.ndjson.gz");
    const count = writeDailyBars(replay, ["SPY", "QQQ", "IWM", "DIA", "AAPL"], 300);
    const topic = uniqueName("tf_parity");
    const file = writeParityTopology(join(dir, "parity.yaml"), "parity", replay, topic);

    const kafka = createKafkaClient({ brokers: inject("kafkaBrokers"), clientId: "parity-test" });
    const published = await publishReplay({ kafka, file: replay, topic, partitions: 3 });
    expect(published.published).toBe(count);

    const replayPrefix = `${uniqueName("r")}_`;
    const livePrefix = `${uniqueName("l")}_`;
    const a = await runWithTablePrefix("replay", file, join(dir, "replay"), replayPrefix);
    const b = await runWithTablePrefix("live", file, join(dir, "live"), livePrefix, {
      groupId: uniqueName("g"),
      untilIdleMs: 2_000,
    });
    expect(a.events.in).toBe(count);
    expect(b.events).toEqual(a.events);
    expect(b.outputs).toEqual(a.outputs);
    expect(b.outputsSha256).toBe(a.outputsSha256);

    const [ra, rb] = [await questdbContents(http, replayPrefix), await questdbContents(http, livePrefix)];
    expect(Object.keys(ra).sort()).toEqual(
      ["underlyingTicks", ...Object.keys(ra).filter((k) => k !== "underlyingTicks")].sort(),
    );
    expect(ra.underlyingTicks).toHaveLength(count);
    expect(rb).toEqual(ra);
  });
});

/** Starts a live engine process that checkpoints every 50 events. */
const startLiveEngine = (file: string, outDir: string, group: string, prefix: string) =>
  startEngine(liveRunArgs(file, { outDir, group, untilIdle: "3s" }), engineEnv(prefix));

describe("crash and resume", () => {
  it("SIGKILLed mid-stream three times, ends with exactly the rows of an uninterrupted run", async () => {
    const replay = join(dir, "crash.ndjson.gz");
    const count = writeDailyBars(replay, ["SPY", "QQQ", "IWM"], 1500);
    const topic = uniqueName("tf_crash");
    const file = writeParityTopology(join(dir, "crash.yaml"), "parity", replay, topic);
    const kafka = createKafkaClient({ brokers: inject("kafkaBrokers"), clientId: "crash-test" });
    await publishReplay({ kafka, file: replay, topic, partitions: 3 });

    const refPrefix = `${uniqueName("ref")}_`;
    const reference = await runWithTablePrefix("replay", file, join(dir, "reference"), refPrefix);
    expect(reference.events.in).toBe(count);

    const outDir = join(dir, "crashed");
    const group = uniqueName("g");
    const prefix = `${uniqueName("c")}_`;
    const total = reference.outputs.find((o) => o.file === "features.ndjson")!.bytes;
    // Killed once the output has grown past each point (the engine checkpoints every 50 events).
    const kills = await killMidStream(
      () => startLiveEngine(file, outDir, group, prefix),
      join(outDir, "features.ndjson"),
      total,
    );
    const final = startLiveEngine(file, outDir, group, prefix);
    const exit = await final.exited;
    expect(exit.code, exit.output).toBe(0);
    expect(kills).toBe(3);

    const report = JSON.parse(readFileSync(join(outDir, "run.json"), "utf8")) as RunReport;
    expect(report.mode).toBe("live");
    expect(report.events).toEqual(reference.events);
    expect(report.outputsSha256).toBe(reference.outputsSha256);
    expect(await questdbContents(http, prefix)).toEqual(await questdbContents(http, refPrefix));
  });
});
