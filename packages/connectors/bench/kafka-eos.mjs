// Cost of exactly-once Kafka output: the `kafka` sink plain (idempotent producer, flush at each
// checkpoint) vs `exactlyOnce: true` (transactional producer; each checkpoint commits the
// transaction with consumer offsets), same events, interleaved rounds in one process.
// Needs Kafka running (`npm run services:up`).
//   node packages/connectors/bench/kafka-eos.mjs [events=40000] [checkpointEvery=1000,10000] [rounds=2]
import { createKafkaClient, ensureTopics, kafkaSink, topicForEvent } from "@thetaflow/connectors";

const total = Number(process.argv[2] ?? 40_000);
const intervals = (process.argv[3] ?? "1000,10000").split(",").map(Number);
const rounds = Number(process.argv[4] ?? 2);
const brokers = (process.env.THETAFLOW_KAFKA_BROKERS ?? "127.0.0.1:9092").split(",");
const prefix = `bencheos${Date.now()}`;
const topic = topicForEvent("UnderlyingTick", prefix);
const kafka = createKafkaClient({ brokers, clientId: "bench-eos" });
await ensureTopics(kafka, [{ topic, partitions: 4 }]);

const underlyings = ["SPY", "QQQ", "IWM", "AAPL", "MSFT", "NVDA", "AMZN", "TSLA"];
const tick = (i) => ({
  kind: "UnderlyingTick",
  eventTime: 1_552_660_200_000_000 + i * 1000,
  seq: i,
  symbol: underlyings[i % 8],
  price: 100 + (i % 500) / 100,
});

const run = async (exactlyOnce, every) => {
  const sink = await kafkaSink.open(
    { topicPrefix: prefix, batchSize: 1000, exactlyOnce, brokers },
    { sinkId: "bench", outDir: `/tmp/bench-eos-${exactlyOnce}`, baseDir: "/tmp" },
  );
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    sink.write(tick(i));
    if ((i + 1) % every === 0 || i === total - 1) {
      // What a live checkpoint does with the sink.
      if (exactlyOnce)
        await sink.commitTransaction({
          groupId: `${prefix}-group`,
          offsets: [{ topic, partition: 0, offset: String(i + 1) }],
          metadata: `thetaflow-checkpoint:${i}`,
        });
      else await sink.flush();
    }
  }
  const ms = performance.now() - started;
  await sink.close();
  return (total / ms) * 1000;
};

const fmt = (x) => Math.round(x).toLocaleString("en-US");
for (const every of intervals) {
  const plain = [];
  const eos = [];
  for (let r = 0; r < rounds; r++) {
    plain.push(await run(false, every));
    eos.push(await run(true, every));
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(
    `checkpoint every ${every} events: plain ${plain.map(fmt).join(" / ")} ev/s, exactlyOnce ${eos.map(fmt).join(" / ")} ev/s, ratio ${(median(eos) / median(plain)).toFixed(2)}`,
  );
}
