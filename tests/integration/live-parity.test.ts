import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  builtinSinks,
  createKafkaClient,
  publishReplay,
  QuestDbHttp,
  type RunReport,
  runTopology,
} from "@thetaflow/connectors";
import { compileTopology } from "@thetaflow/core";
import { builtinOperators } from "@thetaflow/operators";
import { Effect, Either } from "effect";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startEngine } from "./engineProcess.js";
import { extraSinks, kafkaIndicatorsTopology, questdbContents, uniqueName } from "./helpers.js";
import { writeDailyBars } from "./marketReplay.js";

const registries = () => ({ operators: builtinOperators(), sinks: builtinSinks() });
let dir: string;
let http: QuestDbHttp;

const runIn = async (mode: "replay" | "live", file: string, outDir: string, prefix: string, live = {}) => {
  process.env.THETAFLOW_QUESTDB_TABLE_PREFIX = prefix;
  try {
    const r = registries();
    const topology = Either.getOrThrow(compileTopology(file, readFileSync(file, "utf8"), r));
    return await Effect.runPromise(
      runTopology(topology, {
        registries: r,
        outDir,
        mode,
        live: { brokers: inject("kafkaBrokers"), ...live },
      }),
    );
  } finally {
    delete process.env.THETAFLOW_QUESTDB_TABLE_PREFIX;
  }
};

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
    const file = join(dir, "parity.yaml");
    writeFileSync(
      file,
      kafkaIndicatorsTopology("parity", replay, topic, [
        extraSinks.bars,
        extraSinks.dead,
        extraSinks.questdb,
      ]),
    );

    const kafka = createKafkaClient({ brokers: inject("kafkaBrokers"), clientId: "parity-test" });
    const published = await publishReplay({ kafka, file: replay, topic, partitions: 3 });
    expect(published.published).toBe(count);

    const replayPrefix = `${uniqueName("r")}_`;
    const livePrefix = `${uniqueName("l")}_`;
    const a = await runIn("replay", file, join(dir, "replay"), replayPrefix);
    const b = await runIn("live", file, join(dir, "live"), livePrefix, {
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
  startEngine(
    [
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
      // A killed member is only replaced after its session times out: keep that short here.
      "--session-timeout",
      "6s",
    ],
    {
      THETAFLOW_KAFKA_BROKERS: inject("kafkaBrokers").join(","),
      THETAFLOW_QUESTDB_URL: inject("questdbUrl"),
      THETAFLOW_QUESTDB_TABLE_PREFIX: prefix,
    },
  );

const sizeOf = (path: string) => (existsSync(path) ? statSync(path).size : 0);

describe("crash and resume", () => {
  it("SIGKILLed mid-stream three times, ends with exactly the rows of an uninterrupted run", async () => {
    const replay = join(dir, "crash.ndjson.gz");
    const count = writeDailyBars(replay, ["SPY", "QQQ", "IWM"], 1500);
    const topic = uniqueName("tf_crash");
    const file = join(dir, "crash.yaml");
    writeFileSync(
      file,
      kafkaIndicatorsTopology("parity", replay, topic, [
        extraSinks.bars,
        extraSinks.dead,
        extraSinks.questdb,
      ]),
    );
    const kafka = createKafkaClient({ brokers: inject("kafkaBrokers"), clientId: "crash-test" });
    await publishReplay({ kafka, file: replay, topic, partitions: 3 });

    const refPrefix = `${uniqueName("ref")}_`;
    const reference = await runIn("replay", file, join(dir, "reference"), refPrefix);
    expect(reference.events.in).toBe(count);

    const outDir = join(dir, "crashed");
    const group = uniqueName("g");
    const prefix = `${uniqueName("c")}_`;
    const features = join(outDir, "features.ndjson");
    const total = reference.outputs.find((o) => o.file === "features.ndjson")!.bytes;
    let kills = 0;
    for (const fraction of [0.2, 0.45, 0.7]) {
      const engine = startLiveEngine(file, outDir, group, prefix);
      // Kill once the output has grown past this point (the engine checkpoints every 50 events).
      const target = total * fraction;
      while (sizeOf(features) < target) {
        const done = await Promise.race([
          engine.exited,
          new Promise((r) => setTimeout(() => r(undefined), 20)),
        ]);
        if (done !== undefined)
          throw new Error(
            `engine exited before being killed at ${target}/${total} bytes (has ${sizeOf(features)}): ${JSON.stringify(done)}`,
          );
      }
      engine.child.kill("SIGKILL");
      expect((await engine.exited).signal).toBe("SIGKILL");
      kills++;
    }
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
