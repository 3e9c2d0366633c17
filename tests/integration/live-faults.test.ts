import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import {
  builtinSinks,
  createKafkaClient,
  type KafkaLiveInput,
  publishReplay,
  QuestDbHttp,
  runTopology,
} from "@thetaflow/connectors";
import { compileTopology, type Graph } from "@thetaflow/core";
import { builtinOperators } from "@thetaflow/operators";
import { Effect, Either } from "effect";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  eventually,
  extraSinks,
  kafkaIndicatorsTopology,
  questdbContents,
  services,
  uniqueName,
} from "./helpers.js";
import { writeDailyBars } from "./marketReplay.js";

const SYMBOLS = ["SPY", "QQQ", "IWM", "DIA"];
let dir: string;
let http: QuestDbHttp;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "thetaflow-faults-"));
  http = new QuestDbHttp({ url: inject("questdbUrl") });
  process.env.THETAFLOW_QUESTDB_URL = inject("questdbUrl");
});
afterAll(async () => {
  // Whatever happened, leave both services running for the next test file.
  await services("start-kafka").catch(() => {});
  await services("start-questdb").catch(() => {});
  rmSync(dir, { recursive: true, force: true });
});

describe("faults during a live run", () => {
  it("survives a Kafka restart and a 30 s QuestDB outage with nothing lost or doubled", async () => {
    const full = join(dir, "full.ndjson.gz");
    const days = 900;
    const count = writeDailyBars(full, SYMBOLS, days);
    // Three chunks cut at day boundaries, published one after another around the faults.
    const lines = gunzipSync(readFileSync(full)).toString("utf8").trim().split("\n");
    const cut = (d: number) => d * SYMBOLS.length;
    const chunks = [lines.slice(0, cut(300)), lines.slice(cut(300), cut(600)), lines.slice(cut(600))].map(
      (c, i) => {
        const path = join(dir, `chunk${i}.ndjson.gz`);
        writeFileSync(path, gzipSync(`${c.join("\n")}\n`));
        return { path, size: c.length };
      },
    );
    const topic = uniqueName("tf_faults");
    const file = join(dir, "faults.yaml");
    writeFileSync(
      file,
      kafkaIndicatorsTopology("faults", full, topic, [extraSinks.dead, extraSinks.questdb]),
    );
    const registries = { operators: builtinOperators(), sinks: builtinSinks() };
    const topology = Either.getOrThrow(compileTopology(file, readFileSync(file, "utf8"), registries));

    const refPrefix = `${uniqueName("fref")}_`;
    process.env.THETAFLOW_QUESTDB_TABLE_PREFIX = refPrefix;
    const reference = await Effect.runPromise(
      runTopology(topology, { registries, outDir: join(dir, "reference") }),
    );

    const kafka = () =>
      createKafkaClient({ brokers: inject("kafkaBrokers"), clientId: "faults-test", retries: 20 });
    await publishReplay({ kafka: kafka(), file: chunks[0]!.path, topic, partitions: 3 });

    const livePrefix = `${uniqueName("flive")}_`;
    process.env.THETAFLOW_QUESTDB_TABLE_PREFIX = livePrefix;
    let graph: Graph | undefined;
    let input: KafkaLiveInput | undefined;
    const run = Effect.runPromise(
      runTopology(topology, {
        registries,
        outDir: join(dir, "live"),
        mode: "live",
        live: { brokers: inject("kafkaBrokers"), groupId: uniqueName("g"), onInput: (i) => (input = i) },
        onGraph: (g) => (graph = g),
      }),
    );
    const consumed = (n: number) =>
      eventually(() => (graph?.counters.eventsIn ?? 0) >= n, `${n} events consumed`, 120_000);

    await consumed(chunks[0]!.size);
    await services("stop-kafka");
    await services("start-kafka");
    await publishReplay({ kafka: kafka(), file: chunks[1]!.path, topic, partitions: 3 });
    await consumed(chunks[0]!.size + chunks[1]!.size);

    await services("stop-questdb");
    await publishReplay({ kafka: kafka(), file: chunks[2]!.path, topic, partitions: 3 });
    await new Promise((r) => setTimeout(r, 30_000));
    await services("start-questdb");
    await consumed(count);
    input!.stop();
    const report = await run;
    delete process.env.THETAFLOW_QUESTDB_TABLE_PREFIX;

    expect(report.events).toEqual(reference.events);
    expect(report.outputsSha256).toBe(reference.outputsSha256);
    expect(await questdbContents(http, livePrefix)).toEqual(await questdbContents(http, refPrefix));
  }, 600_000);
});
