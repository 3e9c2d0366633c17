import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createKafkaClient, publishReplay } from "@thetaflow/connectors";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { engineEnv, liveRunArgs, trackedEngines } from "./engineProcess.js";
import { eventually, extraSinks, kafkaIndicatorsTopology, uniqueName } from "./helpers.js";
import { groupMembers, recordsIn, scaleOutReplay, scaleOutSymbols as symbols } from "./scaleOut.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "thetaflow-scaleout-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const startEngine = trackedEngines();

// The per-underlying stage of a scaled-out deployment: every actor is keyed by underlying.
const topologyText = (replay: string, topic: string) =>
  kafkaIndicatorsTopology("scaleout", replay, topic, [extraSinks.dead]);

interface Output {
  readonly key: string;
  readonly line: string;
}

/** An output record without `seq` (a per-process output counter), with its underlying. */
const outputOf = (record: string): Output => {
  const { seq: _seq, ...event } = JSON.parse(record) as { seq: number; underlying: string };
  return { key: event.underlying, line: JSON.stringify(event) };
};

/** A run's output records so far. */
const outputsOf = (file: string): Output[] => recordsIn(file).map(outputOf);

const byKey = (outputs: readonly Output[]): Map<string, string[]> => {
  const m = new Map<string, string[]>();
  for (const o of outputs) m.set(o.key, [...(m.get(o.key) ?? []), o.line]);
  return m;
};

/** Complete lines written so far (the engine appends whole records at each checkpoint). */
const linesIn = (file: string): number => recordsIn(file).length;

/** A replay published in steps into a 4-partition topic, its replay-run outputs, and engine processes on a shared state dir. */
const scenario = async (label: string, fractions: readonly number[]) => {
  const base = join(dir, label);
  const topic = uniqueName("tf_scale");
  const { replay, count, parts, reference } = await scaleOutReplay(base, fractions, (bars) =>
    topologyText(bars, topic),
  );
  const file = join(base, "scale.yaml");
  writeFileSync(file, topologyText(replay, topic));
  const refByKey = byKey(reference.map(outputOf));
  expect([...refByKey.keys()].sort()).toEqual([...symbols].sort());

  const kafka = createKafkaClient({ brokers: inject("kafkaBrokers"), clientId: "scaleout-test" });
  const group = uniqueName("g");
  let published = 0;
  const features = (name: string) => join(base, name, "features.ndjson");
  return {
    count,
    parts,
    kafka,
    group,
    refByKey,
    features,
    published: () => published,
    publish: async (part: string) => {
      published += (await publishReplay({ kafka, file: part, topic, partitions: 4 })).published;
    },
    start: (name: string) =>
      startEngine(
        // Ended by signals; never by idleness while the test pauses between steps.
        liveRunArgs(file, {
          stateDir: join(base, "state"),
          group,
          outDir: join(base, name),
          untilIdle: "600s",
        }),
        engineEnv(),
      ),
    // indicators emits one output per bar: every published bar is processed once the files hold it.
    processedAll: (names: readonly string[]) =>
      eventually(
        () => names.reduce((n, name) => n + linesIn(features(name)), 0) >= published,
        "all bars processed",
        90_000,
      ),
  };
};

describe("scale-out: two engine processes share a group", () => {
  it("hand actor state over on rebalance: the union of their outputs is the replay run's", async () => {
    const s = await scenario("join-leave", [0.25, 0.45, 0.7]);
    // A alone takes the first part.
    await s.publish(s.parts[0]!);
    const a = s.start("a");
    await s.processedAll(["a"]);

    // B joins while the second part streams in: half the partitions, and their keys' state, move.
    const b = s.start("b");
    await s.publish(s.parts[1]!);
    await eventually(async () => (await groupMembers(s.kafka, s.group)) === 2, "B in the group");
    await s.publish(s.parts[2]!);
    await s.processedAll(["a", "b"]);
    const bOutputsBeforeLeave = outputsOf(s.features("b")).length;

    // A leaves (SIGTERM: it checkpoints and releases its partitions); B takes them all and goes on.
    a.child.kill("SIGTERM");
    const aExit = await a.exited;
    expect(aExit.code, aExit.output).toBe(0);
    await s.publish(s.parts[3]!);
    await s.processedAll(["a", "b"]);
    b.child.kill("SIGTERM");
    const bExit = await b.exited;
    expect(bExit.code, bExit.output).toBe(0);
    expect(s.published()).toBe(s.count);

    const [aByKey, bByKey] = [byKey(outputsOf(s.features("a"))), byKey(outputsOf(s.features("b")))];
    expect(bOutputsBeforeLeave).toBeGreaterThan(0);
    // A computed every key at first; at the end B owns every partition and continued each from A's state.
    expect([...aByKey.keys()].sort()).toEqual([...symbols].sort());
    expect([...bByKey.keys()].sort()).toEqual([...symbols].sort());
    // None lost, none doubled: per underlying, A's outputs then B's are exactly the replay's.
    for (const [key, lines] of s.refByKey)
      expect([...(aByKey.get(key) ?? []), ...(bByKey.get(key) ?? [])], key).toEqual(lines);
    expect(outputsOf(join(dir, "join-leave", "a", "dead.ndjson"))).toEqual([]);
    expect(outputsOf(join(dir, "join-leave", "b", "dead.ndjson"))).toEqual([]);
  }, 240_000);

  it("a SIGKILLed member's partitions resume on the survivor from its last partition state", async () => {
    const s = await scenario("kill", [0.3, 0.6]);
    await s.publish(s.parts[0]!);
    const a = s.start("a");
    const b = s.start("b");
    await eventually(async () => (await groupMembers(s.kafka, s.group)) === 2, "both in the group");
    await s.processedAll(["a", "b"]);
    // A dies mid-stream, without a word: B gets its partitions once A's session times out.
    const aBefore = linesIn(s.features("a"));
    await s.publish(s.parts[1]!);
    await eventually(() => linesIn(s.features("a")) > aBefore, "A working on the second part");
    a.child.kill("SIGKILL");
    expect((await a.exited).signal).toBe("SIGKILL");
    await s.publish(s.parts[2]!);
    const last = new Map([...s.refByKey].map(([k, lines]) => [k, lines[lines.length - 1]!]));
    await eventually(
      () => {
        const got = byKey(outputsOf(s.features("b")));
        return [...last].every(([k, line]) => got.get(k)?.at(-1) === line);
      },
      "B reaching every key's last bar",
      90_000,
    );
    b.child.kill("SIGTERM");
    const bExit = await b.exited;
    expect(bExit.code, bExit.output).toBe(0);

    // None lost: per underlying, every replay output appears, each one equal to the replay's, in
    // order within each process. Keys may have moved B -> A -> B (whichever joined first took every
    // partition at first); outputs appearing twice are A's after its last partition state — the
    // at-least-once window of a crash.
    const [aByKey, bByKey] = [byKey(outputsOf(s.features("a"))), byKey(outputsOf(s.features("b")))];
    let overlap = 0;
    for (const [key, lines] of s.refByKey) {
      const indexOf = new Map(lines.map((line, i) => [line, i]));
      const seen = new Array<number>(lines.length).fill(0);
      for (const fromOne of [aByKey.get(key) ?? [], bByKey.get(key) ?? []]) {
        const indices = fromOne.map((line) => indexOf.get(line) ?? -1);
        expect(indices.includes(-1), `${key}: an output the replay does not have`).toBe(false);
        expect(indices, `${key}: in order`).toEqual([...indices].sort((x, y) => x - y));
        for (const i of indices) seen[i]!++;
      }
      expect(seen.indexOf(0), `${key}: first output missing`).toBe(-1);
      overlap += seen.reduce((n, c) => n + c - 1, 0);
    }
    // Only outputs A wrote after part 1 began can be redone: everything before was in a partition
    // state (files are appended at checkpoints, right before the partition states are saved). How
    // many exactly depends on how large a run the watermark released when A died, so the bound is
    // that, not the checkpoint interval.
    const aAfterPartOne = outputsOf(s.features("a")).length - aBefore;
    expect(overlap).toBeLessThanOrEqual(aAfterPartOne);
  }, 240_000);
});
