import type { Kafka } from "kafkajs";
import { describe, expect, it } from "vitest";
import { PartitionedTransactionalProducer } from "./producer.js";

const tick = (symbol: string) =>
  ({ kind: "UnderlyingTick", eventTime: 1, seq: 0, symbol, price: 300 }) as const;

describe("PartitionedTransactionalProducer", () => {
  const producer = new PartitionedTransactionalProducer({} as Kafka, {
    transactionalIdBase: "thetaflow-kafka-g1",
    partitionOfKey: (key) => (key === "SPY" ? 0 : 1),
  });

  it("names one transactional id per input partition, alike in every process of the group", () => {
    expect(producer.transactionalIdOf(0)).toBe("thetaflow-kafka-g1-p0");
    expect(producer.transactionalIdOf(13)).toBe("thetaflow-kafka-g1-p13");
  });

  it("refuses outputs of a partition it has not claimed, naming the key and partition", async () => {
    await expect(producer.send([tick("QQQ")])).rejects.toThrow(/keyed 'QQQ' belongs to input partition 1/);
  });

  it("refuses to commit a partition it has not claimed", async () => {
    await expect(producer.commit(0, { groupId: "g1", offsets: [] })).rejects.toThrow(
      /partition 0 was not claimed/,
    );
  });
});
