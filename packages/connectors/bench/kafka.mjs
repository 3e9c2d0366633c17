// kafkajs produce/consume rates through EventProducer/EventConsumer (JSON + schema decode), with
// a raw kafkajs baseline in the same run. Needs Kafka running (`npm run services:up`).
//   node packages/connectors/bench/kafka.mjs [events=200000] [chunk=5000]
import {
  createKafkaClient,
  EventConsumer,
  EventProducer,
  ensureTopics,
  topicForEvent,
} from "@thetaflow/connectors";

const total = Number(process.argv[2] ?? 200_000);
const chunk = Number(process.argv[3] ?? 5_000);
const brokers = [
  process.env.THETAFLOW_KAFKA_BROKERS ?? `127.0.0.1:${process.env.THETAFLOW_KAFKA_PORT ?? 9092}`,
];
const kafka = createKafkaClient({ brokers, clientId: "bench" });
const prefix = `bench${Date.now()}`;
const topic = topicForEvent("OptionQuote", prefix);
await ensureTopics(kafka, [{ topic, partitions: 8 }]);

const underlyings = ["SPY", "QQQ", "IWM", "AAPL", "MSFT", "NVDA", "AMZN", "TSLA"];
const quote = (i) => {
  const u = underlyings[i % 8];
  const strike = 100 + ((i >> 3) % 125);
  return {
    kind: "OptionQuote",
    eventTime: 1_552_660_200_000_000 + i * 1000,
    seq: i,
    contract: `${u.padEnd(6)}190315P00${strike}000`,
    underlying: u,
    expiry: "2019-03-15",
    strike,
    right: "put",
    style: "american",
    settlement: "physical",
    multiplier: 100,
    bid: 1 + (i % 50) / 100,
    ask: 1.05 + (i % 50) / 100,
    bidSize: 10,
    askSize: 12,
    volume: i % 1000,
    openInterest: 1000,
  };
};
const rate = (n, ms) => `${Math.round((n / ms) * 1000).toLocaleString("en-US")} events/s`;

// Half the events through the validating encoder, half through the fast path (validate: false).
const half = Math.floor(total / 2);
for (const validate of [true, false]) {
  const producer = await EventProducer.connect(kafka, { topicPrefix: prefix, validate });
  const from = validate ? 0 : half;
  const to = validate ? half : total;
  const started = performance.now();
  for (let i = from; i < to; i += chunk) {
    await producer.send(Array.from({ length: Math.min(chunk, to - i) }, (_, k) => quote(i + k)));
  }
  console.log(
    `EventProducer.send (validate: ${validate}, idempotent, acks=all, ${chunk}/call): ${rate(to - from, performance.now() - started)}`,
  );
  await producer.disconnect();
}

const consumer = await EventConsumer.connect(kafka, {
  groupId: `${prefix}-g`,
  topics: [topic],
  nodeId: "bench",
});
let seen = 0;
let bad = 0;
let done;
const finished = new Promise((r) => {
  done = r;
});
let started = performance.now();
await consumer.run(async (batch) => {
  for (const r of batch.records) if (!r.decoded) bad++;
  seen += batch.records.length;
  await consumer.commitBatch(batch);
  if (seen >= total) done();
});
await finished;
console.log(
  `EventConsumer (decode + commit per batch), incl. group join: ${rate(total, performance.now() - started)} (${bad} dead letters)`,
);
await consumer.disconnect();

// Baseline: raw kafkajs, pre-serialised JSON strings, no schema decode.
const raw = kafka.consumer({ groupId: `${prefix}-raw` });
await raw.connect();
await raw.subscribe({ topic, fromBeginning: true });
let rawSeen = 0;
let rawDone;
const rawFinished = new Promise((r) => {
  rawDone = r;
});
started = performance.now();
await raw.run({
  eachBatch: async ({ batch }) => {
    rawSeen += batch.messages.length;
    if (rawSeen >= total) rawDone();
  },
});
await rawFinished;
console.log(
  `raw kafkajs consumer (no decode), incl. group join: ${rate(total, performance.now() - started)}`,
);
await raw.disconnect();
const admin = kafka.admin();
await admin.connect();
await admin.deleteTopics({ topics: [topic] });
await admin.disconnect();
