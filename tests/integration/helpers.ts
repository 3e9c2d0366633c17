import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { type QuestDbHttp, tableKeys, tables } from "@thetaflow/connectors";
import type { Event } from "@thetaflow/schemas";
import { servicesScript } from "./servicesEnv.js";

/** A name no other test run uses, so topics, groups and tables never collide across runs. */
/**
 * A topic for events stamped with historical event times. Records carry their event time as the
 * Kafka timestamp, so under the broker's default 7-day time retention the first retention check
 * (30 s after a fresh broker starts) deletes rolled segments of 2015 data mid-test; keep them, as
 * publishReplay does for its topics.
 */
export const historicalTopic = (topic: string, partitions: number) => ({
  topic,
  partitions,
  configs: { "retention.ms": "-1" },
});

export const uniqueName = (label: string): string =>
  `${label}_${randomUUID().replaceAll("-", "").slice(0, 10)}`;

/** Runs a services.sh subcommand (e.g. stop-questdb) and resolves when it exits 0. */
export const services = (command: string): Promise<void> =>
  new Promise((resolve, reject) => {
    const child = spawn(servicesScript, [command], { stdio: ["ignore", "inherit", "inherit"] });
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`services.sh ${command} exited ${code}`)),
    );
  });

/** Resolves when `condition` holds; polls because the thing awaited lives in another process. */
export const eventually = async (
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 60_000,
) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

const t0 = 1_552_660_200_000_000; // 2019-03-15 14:30:00 UTC in µs

export const optionQuote = (i: number, underlying = "SPY"): Event => ({
  kind: "OptionQuote",
  eventTime: t0 + i * 1_000_000,
  seq: i,
  contract: `${underlying.padEnd(6)}190315P00${String(200 + (i % 100)).padStart(3, "0")}000`,
  underlying,
  expiry: "2019-03-15",
  strike: 200 + (i % 100),
  right: "put",
  style: "american",
  settlement: "physical",
  multiplier: 100,
  bid: 1 + (i % 7) / 100,
  ask: 1.05 + (i % 7) / 100,
  bidSize: 10,
  askSize: 12,
  volume: i,
  openInterest: 1000 + i,
});

export const underlyingTick = (i: number, symbol = "SPY"): Event => ({
  kind: "UnderlyingTick",
  eventTime: t0 + i * 1_000_000,
  seq: i,
  symbol,
  price: 270 + i / 100,
});

/** Every table with this prefix, rows in a stable order: for comparing two runs' QuestDB contents. */
export const questdbContents = async (
  http: QuestDbHttp,
  prefix: string,
): Promise<Record<string, unknown[]>> => {
  const out: Record<string, unknown[]> = {};
  for (const key of tableKeys) {
    const name = `${prefix}${tables[key].name}`;
    if ((await http.query(`select table_name from tables() where table_name = '${name}'`)).length === 0)
      continue;
    await http.waitForApplied(name, 120_000);
    const rows = await http.query(`select * from '${name}' order by ts`);
    if (rows.length > 0) out[key] = rows;
  }
  return out;
};

/** Sinks the live tests add to `kafkaIndicatorsTopology`, as YAML list items. */
export const extraSinks = {
  bars: "  - id: bars\n    type: ndjson\n    inputs: [market]\n",
  dead: "  - id: dead\n    type: ndjson\n    inputs: [deadLetters]\n",
  questdb: "  - id: questdb\n    type: questdb\n    inputs: [indicators, market]\n",
} as const;

/** A Kafka sink of the indicators' outputs, exactly-once (transactional), as a YAML list item. */
export const exactlyOnceKafkaSink = (topicPrefix: string): string =>
  `  - id: kafka\n    type: kafka\n    inputs: [indicators]\n    params: { topicPrefix: ${topicPrefix}, exactlyOnce: true, batchSize: 100 }\n`;

/**
 * The topology the live tests run: daily bars from `topic` (or, in replay mode, from `replay`)
 * through the per-underlying `indicators` operator into `features.ndjson`, plus `sinks`.
 */
export const kafkaIndicatorsTopology = (
  name: string,
  replay: string,
  topic: string,
  sinks: readonly string[] = [],
): string => `name: ${name}
sources:
  - id: market
    replay: { files: [${replay}] }
    kafka: { topics: [${topic}], maxLatenessUs: 0 }
nodes:
  - id: indicators
    op: indicators
    inputs: [market]
sinks:
  - id: features
    type: ndjson
    inputs: [indicators]
${sinks.join("")}`;

/** `kafkaIndicatorsTopology` with the bars, dead-letter and QuestDB sinks, written to `path`: the parity tests' topology. */
export const writeParityTopology = (path: string, name: string, replay: string, topic: string): string => {
  writeFileSync(
    path,
    kafkaIndicatorsTopology(name, replay, topic, [extraSinks.bars, extraSinks.dead, extraSinks.questdb]),
  );
  return path;
};
