import { defineConfig } from "vitest/config";

// Integration tests talk to the real Kafka and QuestDB (scripts/services.sh); they share them, so
// files run one at a time in one worker.
export default defineConfig({
  resolve: { conditions: ["@thetaflow/source"] },
  ssr: { resolve: { conditions: ["@thetaflow/source"] } },
  test: {
    include: ["tests/integration/**/*.test.ts"],
    exclude: ["**/node_modules/**"],
    globalSetup: ["tests/integration/globalSetup.ts"],
    pool: "forks",
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 120_000,
    hookTimeout: 240_000,
  },
});
