import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createKafkaClient,
  ensureTopics,
  KafkaLiveInput,
  type LiveInputCheckpoint,
  publishReplay,
  QuestDbHttp,
  type RunReport,
  tableKeys,
  tables,
  toKafkaMessage,
} from "@thetaflow/connectors";
import type { Event } from "@thetaflow/schemas";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { writeChainSnapshots } from "./chainReplay.js";
import { engineEnv, killMidStream, liveRunArgs, trackedEngines } from "./engineProcess.js";
import { historicalTopic, optionQuote, questdbContents, uniqueName, writeParityTopology } from "./helpers.js";
import { runWithTablePrefix } from "./topologyRun.js";

// The live tests of live-parity.test.ts on topics of batch records: chain snapshots (a bar and its
// quotes, one underlying, one instant) published with several events per Kafka record.

let dir: string;
let http: QuestDbHttp;
const startEngine = trackedEngines();

/** Records per partition of a topic (its high watermarks). */
const recordCount = async (kafka: ReturnType<typeof createKafkaClient>, topic: string) => {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((n, o) => n + Number(o.high), 0);
  } finally {
    await admin.disconnect();
  }
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "thetaflow-batched-"));
  http = new QuestDbHttp({ url: inject("questdbUrl") });
  process.env.THETAFLOW_QUESTDB_URL = inject("questdbUrl");
});
/** Table prefixes this file wrote, dropped at the end: QuestDB maps every table's files. */
const prefixes: string[] = [];
const tablePrefix = (label: string) => {
  const prefix = `${uniqueName(label)}_`;
  prefixes.push(prefix);
  return prefix;
};
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  for (const prefix of prefixes)
    for (const key of tableKeys) await http.exec(`drop table if exists '${prefix}${tables[key].name}'`);
});

const topologyFile = (name: string, replay: string, topic: string) =>
  writeParityTopology(join(dir, `${name}.yaml`), name, replay, topic);

describe("batch records live", () => {
  it("give the replay's outputs byte for byte from a 3-partition topic mixing batch and single records", async () => {
    const replay = join(dir, "chains.ndjson.gz");
    // Snapshots of 21 events in records of at most 10: 10 + 10 + 1, so single-event records too.
    const count = writeChainSnapshots(replay, ["SPY", "QQQ", "IWM", "DIA", "AAPL"], 80, 20);
    const topic = uniqueName("tf_batched_parity");
    const file = topologyFile("batched", replay, topic);
    const kafka = createKafkaClient({ brokers: inject("kafkaBrokers"), clientId: "batched-parity-test" });
    const published = await publishReplay({ kafka, file: replay, topic, partitions: 3, batchMax: 10 });
    expect(published.published).toBe(count);
    // Whole snapshots give 10 + 10 + 1; a send boundary inside a snapshot may split one more.
    const records = await recordCount(kafka, topic);
    expect(records).toBeGreaterThanOrEqual((count / 21) * 3);
    expect(records).toBeLessThan(count / 5);

    const replayPrefix = tablePrefix("br");
    const livePrefix = tablePrefix("bl");
    const a = await runWithTablePrefix("replay", file, join(dir, "replay"), replayPrefix);
    const b = await runWithTablePrefix("live", file, join(dir, "live"), livePrefix, {
      groupId: uniqueName("g"),
      untilIdleMs: 2_000,
    });
    expect(a.events.in).toBe(count);
    expect(a.events.deadLetters).toBe(0);
    expect(b.events).toEqual(a.events);
    expect(b.outputs).toEqual(a.outputs);
    expect(b.outputsSha256).toBe(a.outputsSha256);
    const [ra, rb] = [await questdbContents(http, replayPrefix), await questdbContents(http, livePrefix)];
    expect(ra.quotes).toHaveLength((count * 20) / 21);
    expect(rb).toEqual(ra);
  });

  it("SIGKILLed mid-stream three times, ends with exactly the rows of an uninterrupted run", async () => {
    const replay = join(dir, "crash.ndjson.gz");
    // Few days, many quotes: QuestDB partitions by day and maps every partition's column files, and the
    // whole integration suite shares one server (vm.max_map_count is 65,530 here).
    const count = writeChainSnapshots(replay, ["SPY", "QQQ", "IWM"], 100, 119);
    const topic = uniqueName("tf_batched_crash");
    const file = topologyFile("batchedcrash", replay, topic);
    const kafka = createKafkaClient({ brokers: inject("kafkaBrokers"), clientId: "batched-crash-test" });
    await publishReplay({ kafka, file: replay, topic, partitions: 3 });
    expect(await recordCount(kafka, topic)).toBeLessThan(count / 5);

    const refPrefix = tablePrefix("bref");
    const reference = await runWithTablePrefix("replay", file, join(dir, "reference"), refPrefix);
    expect(reference.events.in).toBe(count);

    const outDir = join(dir, "crashed");
    const group = uniqueName("g");
    const prefix = tablePrefix("bc");
    const env = engineEnv(prefix);
    // Checkpoints come after runs of up to 1,024 released events, which end inside 40-event records.
    const args = liveRunArgs(file, { outDir, group, untilIdle: "3s" });
    const total = reference.outputs.find((o) => o.file === "features.ndjson")!.bytes;
    await killMidStream(() => startEngine(args, env), join(outDir, "features.ndjson"), total);
    const exit = await startEngine(args, env).exited;
    expect(exit.code, exit.output).toBe(0);

    const report = JSON.parse(readFileSync(join(outDir, "run.json"), "utf8")) as RunReport;
    expect(report.mode).toBe("live");
    expect(report.events).toEqual(reference.events);
    expect(report.outputsSha256).toBe(reference.outputsSha256);
    expect(await questdbContents(http, prefix)).toEqual(await questdbContents(http, refPrefix));
  });

  it("resume exactly from a checkpoint taken inside a batch record", async () => {
    // One underlying, three 700-event snapshots in three records: released together once the
    // partition is caught up, in runs of 1,024, so a checkpoint after the first run falls at
    // element 324 of the second record.
    const replay = join(dir, "one.ndjson.gz");
    const count = writeChainSnapshots(replay, ["SPY"], 3, 699);
    const topic = uniqueName("tf_batched_cp");
    const kafka = createKafkaClient({ brokers: inject("kafkaBrokers"), clientId: "batched-cp-test" });
    await publishReplay({ kafka, file: replay, topic, partitions: 1 });
    expect(await recordCount(kafka, topic)).toBe(3);
    const start = (resumeFrom?: LiveInputCheckpoint) =>
      KafkaLiveInput.start({
        kafka,
        groupId: uniqueName("g"),
        bindings: [{ sourceId: "market", rank: 0, topics: [topic] }],
        maxLatenessUs: 0,
        untilIdleMs: 1_500,
        // The three records as one slice (one fetch), as the comment above assumes: smaller slices
        // may be released record by record, and the checkpoint would fall between records.
        sliceEvents: 10_000,
        ...(resumeFrom !== undefined ? { resumeFrom } : {}),
      });

    const first = await start();
    const before: Event[] = [];
    let checkpoint: LiveInputCheckpoint | undefined;
    for await (const run of first.runs()) {
      before.push(...run.events);
      checkpoint = first.checkpoint();
      break;
    }
    await first.close();
    expect(before).toHaveLength(1_024);
    // Every record up to the second was taken; the second's last 376 elements are still queued.
    expect(checkpoint!.positions).toEqual({ [`${topic}/0`]: expect.any(String) });
    const queued = checkpoint!.queued.flatMap((r) => r.events);
    const held = checkpoint!.held.map((h) => h.event);
    expect(queued.length + held.length + before.length).toBe(count);
    expect(queued[0]!.seq).toBe(1_024);

    const second = await start(checkpoint);
    const after: Event[] = [];
    for await (const run of second.runs()) after.push(...run.events);
    await second.close();
    const seqs = [...before, ...after].map((e) => e.seq);
    expect(seqs).toEqual(Array.from({ length: count }, (_, i) => i));
  });

  it("turn a bad element into a DeadLetter at offset#index and deliver the rest of the record", async () => {
    const topic = uniqueName("tf_batched_bad");
    const kafka = createKafkaClient({ brokers: inject("kafkaBrokers"), clientId: "batched-bad-test" });
    await ensureTopics(kafka, [historicalTopic(topic, 1)]);
    const good = (i: number) => toKafkaMessage(optionQuote(i)).value as string;
    const crossed = JSON.stringify({ ...JSON.parse(good(2)), bid: 9 });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: [
        {
          key: "SPY",
          value: `[${good(1)},${crossed},${good(3)}]`,
          headers: { "schema-version": "1", batch: "3" },
        },
        // Between quotes 2 and 3 in event time: the dead letter takes the record's timestamp.
        { key: "SPY", value: "[not json", timestamp: "1552660202500", headers: { batch: "2" } },
        toKafkaMessage(optionQuote(4)),
      ],
    });
    await producer.disconnect();
    const input = await KafkaLiveInput.start({
      kafka,
      groupId: uniqueName("g"),
      bindings: [{ sourceId: "market", rank: 0, topics: [topic] }],
      maxLatenessUs: 0,
      untilIdleMs: 1_000,
    });
    const events: Event[] = [];
    for await (const run of input.runs()) events.push(...run.events);
    await input.close();
    expect(events.map((e) => (e.kind === "DeadLetter" ? e.origin : e.seq))).toEqual([
      1,
      `${topic}/0/0#1`,
      `${topic}/0/1`,
      3,
      4,
    ]);
  });
});
