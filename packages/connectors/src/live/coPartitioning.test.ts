import { AssignerProtocol, type Cluster, type Logger } from "kafkajs";
import { describe, expect, it } from "vitest";
import { CoPartitionedAssigner, keyPartitioner } from "./coPartitioning.js";

const partitions: Record<string, number> = { ticks: 4, chains: 4, news: 2 };
const cluster = {
  findTopicPartitionMetadata: (topic: string) =>
    Array.from({ length: partitions[topic] ?? 0 }, (_, partitionId) => ({
      partitionId,
      leader: 0,
      partitionErrorCode: 0,
      replicas: [0],
      isr: [0],
    })),
} as unknown as Cluster;

describe("CoPartitionedAssigner", () => {
  it("gives partition n of every topic to one member, each partition exactly once", async () => {
    const assigner = CoPartitionedAssigner({ cluster, groupId: "g", logger: {} as Logger });
    const members = ["m-b", "m-a", "m-c"].map((memberId) => ({ memberId, memberMetadata: Buffer.alloc(0) }));
    const result = await assigner.assign({ members, topics: ["ticks", "chains", "news"] });
    const owner = new Map<string, string>();
    for (const { memberId, memberAssignment } of result) {
      const { assignment } = AssignerProtocol.MemberAssignment.decode(memberAssignment)!;
      for (const [topic, ps] of Object.entries(assignment))
        for (const p of ps) {
          expect(owner.has(`${topic}/${p}`)).toBe(false);
          owner.set(`${topic}/${p}`, memberId);
        }
    }
    expect(owner.size).toBe(10);
    for (let n = 0; n < 4; n++) {
      expect(owner.get(`ticks/${n}`)).toBe(owner.get(`chains/${n}`));
      // Members sorted by id, partition n to member n mod 3.
      expect(owner.get(`ticks/${n}`)).toBe(["m-a", "m-b", "m-c"][n % 3]);
    }
    expect(owner.get("news/1")).toBe(owner.get("ticks/1"));
  });
});

describe("keyPartitioner", () => {
  it("maps a key to one partition in range, the same every time", () => {
    const of = keyPartitioner(4);
    const keys = ["SPY", "QQQ", "IWM", "DIA", "AAPL", "MSFT", "XLF", "TLT"];
    const first = keys.map(of);
    for (const p of first) expect(p >= 0 && p < 4).toBe(true);
    expect(keys.map(keyPartitioner(4))).toEqual(first);
    // Eight keys over four partitions use more than one of them (the murmur2 spread).
    expect(new Set(first).size).toBeGreaterThan(1);
  });
});
