// Cost of exactly-once Kafka output when scaled out (--state-dir): one transaction per input
// partition (each checkpoint commits every owned partition's transaction with its offsets) vs one
// transaction per process (the single-process exactlyOnce sink) vs the plain sink. Same events,
// rounds interleaved in one process; wall rate and CPU time per event (process.cpuUsage).
// Needs Kafka running.
//   node packages/connectors/bench/kafka-eos-scaleout.mjs [events=40000] [checkpointEvery=1000,10000] [rounds=3] [partitions=4]
import { cpuUsage } from "node:process";
import {
  createKafkaClient,
  ensureTopics,
  kafkaSink,
  keyPartitioner,
  topicForEvent,
} from "@thetaflow/connectors";

const total = Number(process.argv[2] ?? 40_000);
const intervals = (process.argv[3] ?? "1000,10000").split(",").map(Number);
const rounds = Number(process.argv[4] ?? 3);
const partitions = Number(process.argv[5] ?? 4);
const brokers = (process.env.THETAFLOW_KAFKA_BROKERS ?? "127.0.0.1:9092").split(",");
const prefix = `bencheosso${Date.now()}`;
const topic = topicForEvent("UnderlyingTick", prefix);
const kafka = createKafkaClient({ brokers, clientId: "bench-eos-scaleout" });
await ensureTopics(kafka, [{ topic, partitions }]);

const underlyings = ["SPY", "QQQ", "IWM", "AAPL", "MSFT", "NVDA", "AMZN", "TSLA", "DIA", "XLF", "TLT", "GLD"];
const partitionOfKey = keyPartitioner(partitions);
const tick = (i) => ({
  kind: "UnderlyingTick",
  eventTime: 1_552_660_200_000_000 + i * 1000,
  seq: i,
  symbol: underlyings[i % underlyings.length],
  price: 100 + (i % 500) / 100,
});
const used = [...new Set(underlyings.map(partitionOfKey))].sort();

const run = async (variant, every) => {
  const sink = await kafkaSink.open(
    { topicPrefix: prefix, batchSize: 1000, exactlyOnce: variant !== "plain", brokers },
    { sinkId: "bench", outDir: `/tmp/bench-eos-scaleout-${variant}`, baseDir: "/tmp" },
  );
  const group = `${prefix}-${variant}`;
  const perPartition =
    variant === "per-partition"
      ? sink.perPartition({ transactionalIdBase: `${prefix}-bench`, partitionOfKey })
      : undefined;
  // What gaining the partitions costs (InitProducerId per partition) is paid once, outside the timing.
  for (const n of used) await perPartition?.claim(n);
  const cpu0 = cpuUsage();
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    sink.write(tick(i));
    if ((i + 1) % every === 0 || i === total - 1) {
      // What a live checkpoint does with the sink.
      if (variant === "plain") await sink.flush();
      else if (variant === "single")
        await sink.commitTransaction({
          groupId: group,
          offsets: used.map((partition) => ({ topic, partition, offset: String(i + 1) })),
          metadata: `thetaflow-checkpoint:${i}`,
        });
      else {
        await sink.flush();
        await Promise.all(
          used.map((n) =>
            perPartition.commit(n, {
              groupId: group,
              offsets: [{ topic, partition: n, offset: String(i + 1) }],
              metadata: `thetaflow-partition:${i}-bench`,
            }),
          ),
        );
      }
    }
  }
  const ms = performance.now() - started;
  const cpu = cpuUsage(cpu0);
  await sink.close();
  return { rate: (total / ms) * 1000, cpuUsPerEvent: (cpu.user + cpu.system) / total };
};

const fmt = (x) => Math.round(x).toLocaleString("en-US");
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(
  `${total} events over ${used.length} of ${partitions} partitions (${underlyings.length} underlyings)`,
);
for (const every of intervals) {
  const results = { plain: [], single: [], "per-partition": [] };
  for (let r = 0; r < rounds; r++)
    for (const variant of Object.keys(results)) results[variant].push(await run(variant, every));
  const base = median(results.plain.map((x) => x.rate));
  for (const [variant, xs] of Object.entries(results))
    console.log(
      `checkpoint every ${every}: ${variant.padEnd(13)} ${xs.map((x) => fmt(x.rate)).join(" / ")} ev/s, CPU ${median(xs.map((x) => x.cpuUsPerEvent)).toFixed(2)} µs/event, rate ratio to plain ${(median(xs.map((x) => x.rate)) / base).toFixed(2)}`,
    );
}
