import type { Kafka } from "kafkajs";

export interface TopicSpec {
  readonly topic: string;
  readonly partitions: number;
  /** Default 1 (the single-node dev broker); production sets 3. */
  readonly replicationFactor?: number;
  /** Topic-level configs, e.g. `{ "cleanup.policy": "compact" }` for checkpoint topics. */
  readonly configs?: Readonly<Record<string, string>>;
}

export interface EnsureTopicsResult {
  readonly created: string[];
  /** Topics that existed with fewer partitions and were grown to the requested count. */
  readonly expanded: string[];
  readonly unchanged: string[];
  /** Topics that already have more partitions than requested (Kafka cannot shrink them). */
  readonly larger: { topic: string; partitions: number }[];
}

/**
 * Makes sure every topic exists with at least the requested partitions. Idempotent: safe to call
 * from every engine process at startup; a topic created concurrently by another process counts as
 * existing.
 */
export const ensureTopics = async (
  kafka: Kafka,
  specs: readonly TopicSpec[],
): Promise<EnsureTopicsResult> => {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((s) => !existing.has(s.topic));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((s) => ({
          topic: s.topic,
          numPartitions: s.partitions,
          replicationFactor: s.replicationFactor ?? 1,
          configEntries: Object.entries(s.configs ?? {}).map(([name, value]) => ({ name, value })),
        })),
      });
    }
    const present = specs.filter((s) => existing.has(s.topic));
    const expanded: string[] = [];
    const unchanged: string[] = [];
    const larger: { topic: string; partitions: number }[] = [];
    if (present.length > 0) {
      const { topics } = await admin.fetchTopicMetadata({ topics: present.map((s) => s.topic) });
      const counts = new Map(topics.map((t) => [t.name, t.partitions.length]));
      const grow = present.filter((s) => (counts.get(s.topic) ?? 0) < s.partitions);
      if (grow.length > 0) {
        await admin.createPartitions({
          topicPartitions: grow.map((s) => ({ topic: s.topic, count: s.partitions })),
        });
        expanded.push(...grow.map((s) => s.topic));
      }
      for (const s of present) {
        const count = counts.get(s.topic) ?? 0;
        if (count > s.partitions) larger.push({ topic: s.topic, partitions: count });
        else if (count === s.partitions) unchanged.push(s.topic);
      }
    }
    return { created: missing.map((s) => s.topic), expanded, unchanged, larger };
  } finally {
    await admin.disconnect();
  }
};
