import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["@thetaflow/source"] },
  ssr: { resolve: { conditions: ["@thetaflow/source"] } },
  test: {
    include: [
      "schemas/src/**/*.test.ts",
      "packages/*/src/**/*.test.ts",
      "pipelines/src/**/*.test.ts",
      "tests/**/*.test.ts",
    ],
    exclude: ["tests/integration/**", "**/node_modules/**"],
    testTimeout: 60_000,
    setupFiles: ["tests/support/fastCheckSeed.ts"],
    pool: "forks",
  },
});
