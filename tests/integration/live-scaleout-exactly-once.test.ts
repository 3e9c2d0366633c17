import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createKafkaClient, ensureTopics, publishReplay } from "@thetaflow/connectors";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { engineEnv, liveRunArgs, trackedEngines } from "./engineProcess.js";
import {
  eventually,
  exactlyOnceKafkaSink,
  extraSinks,
  historicalTopic,
  kafkaIndicatorsTopology,
  uniqueName,
} from "./helpers.js";
import {
  groupMembers,
  recordsIn,
  replayLines,
  scaleOutReplay,
  scaleOutSymbols as symbols,
} from "./scaleOut.js";
import { canonical, readTopic } from "./topicReader.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "thetaflow-scaleout-eos-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const startEngine = trackedEngines();

/** The per-underlying stage, its features also published to Kafka with an exactly-once sink. */
const topologyText = (replay: string, topic: string, outPrefix: string) =>
  kafkaIndicatorsTopology("scaleouteos", replay, topic, [extraSinks.dead, exactlyOnceKafkaSink(outPrefix)]);

/** An output record without `seq` (a per-process output counter), canonical, by underlying. */
const byKey = (records: readonly string[]): Map<string, string[]> => {
  const m = new Map<string, string[]>();
  for (const r of records) {
    const { seq: _seq, ...event } = JSON.parse(r) as { seq: number; underlying: string };
    m.set(event.underlying, [...(m.get(event.underlying) ?? []), canonical(JSON.stringify(event))]);
  }
  return m;
};

/**
 * A replay published in steps into a 4-partition topic, its replay-run outputs by underlying, and
 * engine processes sharing a group and a state directory, with an exactly-once Kafka sink.
 */
const scenario = async (label: string, fractions: readonly number[]) => {
  const base = join(dir, label);
  const topic = uniqueName("tf_sceos");
  const outPrefix = uniqueName("tf_sceos_out");
  const outTopic = `${outPrefix}.features`;
  const { replay, count, parts, reference } = await scaleOutReplay(base, fractions, (bars) =>
    kafkaIndicatorsTopology("scaleouteos", bars, topic),
  );
  const file = join(base, "scale.yaml");
  writeFileSync(file, topologyText(replay, topic, outPrefix));
  const refByKey = byKey(reference);
  expect([...refByKey.keys()].sort()).toEqual([...symbols].sort());

  const kafka = createKafkaClient({ brokers: inject("kafkaBrokers"), clientId: "scaleout-eos-test" });
  await ensureTopics(kafka, [historicalTopic(outTopic, 4)]);
  const group = uniqueName("g");
  const stateDir = join(base, "state");
  const features = (name: string) => join(base, name, "features.ndjson");
  /** Bars published so far per underlying: indicators emits one output per bar. */
  const publishedOf = new Map<string, number>();
  let published = 0;
  const engines: ReturnType<typeof startEngine>[] = [];
  /** A wait that fails with the engines' own output, which is what explains a stuck run. */
  const waitFor = (condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 90_000) =>
    eventually(condition, what, timeoutMs).catch(async (e: Error) => {
      for (const engine of engines) if (engine.child.exitCode === null) engine.child.kill("SIGKILL");
      const outputs = await Promise.all(engines.map((engine) => engine.exited));
      throw new Error(`${e.message}\n${outputs.map((o, i) => `engine ${i}:\n${o.output}`).join("\n")}`);
    });
  return {
    kafka,
    group,
    topic,
    outTopic,
    parts,
    refByKey,
    count,
    stateDir,
    features,
    waitFor,
    published: () => published,
    publish: async (part: string) => {
      published += (await publishReplay({ kafka, file: part, topic, partitions: 4 })).published;
      for (const line of replayLines(part)) {
        const { symbol } = JSON.parse(line) as { symbol: string };
        publishedOf.set(symbol, (publishedOf.get(symbol) ?? 0) + 1);
      }
    },
    start: (name: string) => {
      const engine = startEngine(
        // Ended by signals; never by idleness while the test pauses between steps.
        liveRunArgs(file, { stateDir, group, outDir: join(base, name), untilIdle: "600s" }),
        engineEnv(),
      );
      engines.push(engine);
      return engine;
    },
    // Progress only: NDJSON outputs repeat after a crash, Kafka's committed records do not.
    processedAll: (names: readonly string[]) =>
      waitFor(
        () => names.reduce((n, name) => n + recordsIn(features(name)).length, 0) >= published,
        "all bars processed",
      ),
    /** Every underlying's output for the last bar published so far is in one of these engines' NDJSON. */
    caughtUp: (names: readonly string[]) =>
      waitFor(
        () => {
          const got = names.map((name) => byKey(recordsIn(features(name))));
          return [...refByKey].every(([k, lines]) => {
            const n = publishedOf.get(k) ?? 0;
            return n === 0 || got.some((g) => g.get(k)?.includes(lines[n - 1]!) === true);
          });
        },
        `${names.join(", ")} reaching every key's last published bar`,
      ),
    /** read_committed: per underlying, the committed records are exactly the replay's, in order. */
    expectCommittedOnce: async () => {
      const committed = await readTopic(kafka, outTopic, false);
      const committedByKey = byKey(committed);
      for (const [key, lines] of refByKey) expect(committedByKey.get(key), key).toEqual(lines);
      expect(committed.length).toBe(count);
      const all = await readTopic(kafka, outTopic, true);
      expect(all.length).toBeGreaterThanOrEqual(committed.length);
      // The group's offsets end at the topic's end, each committed with a partition state generation.
      const admin = kafka.admin();
      await admin.connect();
      const [offsets, ends] = await Promise.all([
        admin.fetchOffsets({ groupId: group, topics: [topic] }),
        admin.fetchTopicOffsets(topic),
      ]);
      await admin.disconnect();
      for (const p of offsets[0]!.partitions) {
        const high = ends.find((e) => e.partition === p.partition)!.high;
        // A partition no underlying hashes to has nothing to commit.
        if (high === "0") continue;
        expect(p.offset, `partition ${p.partition}`).toBe(high);
        expect(p.metadata, `partition ${p.partition}`).toMatch(/^thetaflow-partition:\d+-[0-9a-f]+$/);
      }
      // State generations older than the committed ones are pruned: a few files per partition at most.
      expect(readdirSync(stateDir).filter((f) => f.endsWith(".bin")).length).toBeLessThanOrEqual(4 * 3);
      return { committed: committed.length, aborted: all.length - committed.length };
    },
  };
};

describe("scale-out with exactly-once Kafka output", () => {
  it("one member joins, one is SIGKILLed mid-stream and restarted: per underlying, the committed records are the replay's, once", async () => {
    const s = await scenario("join-kill", [0.2, 0.4, 0.6, 0.8]);
    // A alone takes the first part.
    await s.publish(s.parts[0]!);
    const a = s.start("a");
    await s.processedAll(["a"]);

    // B joins mid-stream: half the partitions move from A, with their keys' state and transactions.
    const b = s.start("b");
    await s.publish(s.parts[1]!);
    await s.waitFor(async () => (await groupMembers(s.kafka, s.group)) === 2, "B in the group");
    await s.processedAll(["a", "b"]);

    // A dies mid-stream, without a word: B takes its partitions once A's session times out, from
    // the generation of state A's last committed transaction names, and fences A's open ones.
    const aBefore = recordsIn(s.features("a")).length;
    await s.publish(s.parts[2]!);
    await s.waitFor(() => recordsIn(s.features("a")).length > aBefore, "A working on the third part");
    a.child.kill("SIGKILL");
    expect((await a.exited).signal).toBe("SIGKILL");
    await s.publish(s.parts[3]!);
    await s.caughtUp(["b"]);

    // A restarts on its own output directory (its counters and NDJSON positions come from its own
    // checkpoint) and takes half the partitions back from B at their committed generations.
    const a2 = s.start("a");
    await s.waitFor(async () => (await groupMembers(s.kafka, s.group)) === 2, "A back in the group");
    await s.publish(s.parts[4]!);
    await s.caughtUp(["a", "b"]);
    for (const engine of [a2, b]) engine.child.kill("SIGTERM");
    for (const engine of [a2, b]) {
      const exit = await engine.exited;
      expect(exit.code, exit.output).toBe(0);
    }
    expect(s.published()).toBe(s.count);
    // The restarted A did compute keys to their end (it got partitions back, not just B).
    const aFinal = byKey(recordsIn(s.features("a")));
    expect([...s.refByKey].some(([k, lines]) => aFinal.get(k)?.includes(lines.at(-1)!))).toBe(true);

    const { committed, aborted } = await s.expectCommittedOnce();
    console.info(
      `scale-out exactly-once, join + SIGKILL + restart: ${committed} committed, ${aborted} aborted`,
    );
  }, 300_000);

  it("a frozen member (zombie) is fenced: it cannot commit after its partitions moved, and fails", async () => {
    const s = await scenario("zombie", [0.3, 0.5, 0.7]);
    await s.publish(s.parts[0]!);
    const a = s.start("a");
    await s.processedAll(["a"]);
    const b = s.start("b");
    await s.waitFor(async () => (await groupMembers(s.kafka, s.group)) === 2, "both in the group");
    // A goes on with its half after the hand-over: it holds state of partitions that carry data,
    // and is not in the middle of a hand-over when it freezes.
    const aBefore = recordsIn(s.features("a")).length;
    await s.publish(s.parts[1]!);
    await s.processedAll(["a", "b"]);
    await s.waitFor(() => recordsIn(s.features("a")).length > aBefore, "A working on its half");

    // A freezes: its session times out and B takes every partition, claiming their transactional
    // ids — which fences A's producers — while A still holds its stale state.
    a.child.kill("SIGSTOP");
    await s.waitFor(async () => (await groupMembers(s.kafka, s.group)) === 1, "B alone in the group");
    await s.publish(s.parts[2]!);
    await s.caughtUp(["b"]);

    // A wakes up as a zombie. Whatever it does next with the partitions it held (commit at its
    // next checkpoint, hand them over, send their outputs) is refused by the broker, and it stops.
    a.child.kill("SIGCONT");
    await s.publish(s.parts[3]!);
    await s.waitFor(() => a.child.exitCode !== null, "the zombie stopping");
    const aExit = await a.exited;
    expect(aExit.code, aExit.output).toBe(1);
    expect(aExit.output).toMatch(/fenc|epoch/i);
    console.info(`zombie's exit: ${aExit.output.trim().split("\n").at(-1)}`);
    await s.caughtUp(["b"]);
    b.child.kill("SIGTERM");
    const bExit = await b.exited;
    expect(bExit.code, bExit.output).toBe(0);

    const { committed, aborted } = await s.expectCommittedOnce();
    console.info(`scale-out exactly-once, zombie: ${committed} committed, ${aborted} aborted`);
  }, 300_000);
});
