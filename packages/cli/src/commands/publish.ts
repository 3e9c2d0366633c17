import { createKafkaClient, kafkaBrokers, publishReplay } from "@thetaflow/connectors";
import type { Command } from "commander";

export const register = (program: Command): void => {
  program
    .command("publish")
    .description("Play a replay file into Kafka, as fast as possible or at an event-time speed factor")
    .requiredOption("--replay <file>", "replay file (.ndjson/.csv, optionally .gz)")
    .option("--topic <topic>", "one topic for all events (default: one topic per kind, thetaflow.<kind>)")
    .option("--partitions <n>", "partitions for topics created here", "1")
    .option("--speed <factor>", "event-time speed factor, e.g. 1 (real time) or 3600 (an hour per second)")
    .option(
      "--batch-max <n>",
      "most events per Kafka record: consecutive events of one underlying (a chain snapshot) share a batch record; 1 = one record per event",
      "1000",
    )
    .option(
      "--brokers <list>",
      "Kafka bootstrap servers (default $THETAFLOW_KAFKA_BROKERS or 127.0.0.1:9092)",
    )
    .action(
      async (opts: {
        replay: string;
        topic?: string;
        partitions: string;
        speed?: string;
        batchMax: string;
        brokers?: string;
      }) => {
        const partitions = Number(opts.partitions);
        if (!Number.isInteger(partitions) || partitions < 1)
          throw new Error(`--partitions must be a positive integer, got '${opts.partitions}'`);
        const speed = opts.speed === undefined ? undefined : Number(opts.speed);
        if (speed !== undefined && !(speed > 0))
          throw new Error(`--speed must be a positive number, got '${opts.speed}'`);
        const batchMax = Number(opts.batchMax);
        if (!Number.isInteger(batchMax) || batchMax < 1)
          throw new Error(`--batch-max must be a positive integer, got '${opts.batchMax}'`);
        const kafka = createKafkaClient({
          brokers: kafkaBrokers(opts.brokers?.split(",")),
          clientId: "thetaflow-publish",
        });
        const r = await publishReplay({
          kafka,
          file: opts.replay,
          partitions,
          batchMax,
          ...(opts.topic !== undefined ? { topic: opts.topic } : {}),
          ...(speed !== undefined ? { speed } : {}),
        });
        console.log(
          `published ${r.published.toLocaleString("en-US")} events to ${r.topics.join(", ")} (${batchMax > 1 ? `batch records of up to ${batchMax} events` : "one record per event"})`,
        );
        if (r.deadLetters > 0) console.error(`${r.deadLetters} row(s) did not decode and were not published`);
      },
    );
};
