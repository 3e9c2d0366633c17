import { createKafkaClient, kafkaBrokers, recordTopics } from "@thetaflow/connectors";
import type { Command } from "commander";
import { parseDuration } from "../duration.js";

export const register = (program: Command): void => {
  program
    .command("record")
    .description("Capture Kafka topic(s) to a replay file, in the order a live run processes them")
    .requiredOption("--topic <topics>", "topic, or comma-separated topics")
    .requiredOption("--out <replay>", "replay file to write (.ndjson, or .ndjson.gz)")
    .option(
      "--until-idle <duration>",
      "stop once caught up and quiet this long (e.g. 5s); otherwise until Ctrl-C",
    )
    .option(
      "--brokers <list>",
      "Kafka bootstrap servers (default $THETAFLOW_KAFKA_BROKERS or 127.0.0.1:9092)",
    )
    .option("--group <id>", "consumer group (default a fresh one, so recording starts at the beginning)")
    .action(
      async (opts: { topic: string; out: string; untilIdle?: string; brokers?: string; group?: string }) => {
        const abort = new AbortController();
        process.once("SIGINT", () => abort.abort()).once("SIGTERM", () => abort.abort());
        const kafka = createKafkaClient({
          brokers: kafkaBrokers(opts.brokers?.split(",")),
          clientId: "thetaflow-record",
        });
        const r = await recordTopics({
          kafka,
          topics: opts.topic.split(","),
          out: opts.out,
          groupId: opts.group ?? `thetaflow-record-${process.pid}-${Date.now()}`,
          signal: abort.signal,
          ...(opts.untilIdle !== undefined ? { untilIdleMs: parseDuration(opts.untilIdle) } : {}),
        });
        console.log(`recorded ${r.recorded.toLocaleString("en-US")} events to ${opts.out}`);
      },
    );
};
