import { AssignerProtocol, type PartitionAssigner, Partitioners, type PartitionMetadata } from "kafkajs";

/**
 * Assigns partition number n of every subscribed topic to the same member: member n mod M, members
 * sorted by id. Kafka's own assigners spread topic-partitions independently, so one underlying's
 * ticks (topic A, partition 2) and chains (topic B, partition 2) could land in two processes and
 * split its actor; with co-partitioned topics (same partition count, same key hash) this one keeps
 * every event of a key — and so its actors — in one process, like Kafka Streams' co-partitioning.
 */
export const CoPartitionedAssigner: PartitionAssigner = ({ cluster }) => ({
  name: "ThetaflowCoPartitioned",
  version: 0,
  async assign({ members, topics }) {
    const sorted = members.map((m) => m.memberId).sort();
    const byMember = new Map<string, Record<string, number[]>>(sorted.map((m) => [m, {}]));
    for (const topic of topics)
      for (const { partitionId } of cluster.findTopicPartitionMetadata(topic)) {
        const owner = byMember.get(sorted[partitionId % sorted.length]!)!;
        owner[topic] = [...(owner[topic] ?? []), partitionId];
      }
    return [...byMember].map(([memberId, assignment]) => ({
      memberId,
      memberAssignment: AssignerProtocol.MemberAssignment.encode({
        version: 0,
        assignment,
        userData: Buffer.alloc(0),
      }),
    }));
  },
  protocol({ topics }) {
    return {
      name: "ThetaflowCoPartitioned",
      metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }),
    };
  },
});

/**
 * The partition number a key is produced to (Kafka's murmur2 partitioner, as EventProducer uses):
 * the partition whose owner holds that key's actors.
 */
export const keyPartitioner = (partitions: number): ((key: string) => number) => {
  const partitioner = Partitioners.DefaultPartitioner();
  const metadata: PartitionMetadata[] = Array.from({ length: partitions }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    partitionErrorCode: 0,
    replicas: [0],
    isr: [0],
  }));
  const cache = new Map<string, number>();
  return (key) => {
    let p = cache.get(key);
    if (p === undefined) {
      p = partitioner({ topic: "", partitionMetadata: metadata, message: { key, value: null } });
      cache.set(key, p);
    }
    return p;
  };
};
