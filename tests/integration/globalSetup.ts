import { spawnSync } from "node:child_process";
import type { TestProject } from "vitest/node";
import { servicesScript, servicesSettings } from "./servicesEnv.js";

declare module "vitest" {
  export interface ProvidedContext {
    kafkaBrokers: string[];
    questdbUrl: string;
  }
}

const run = (command: string): number => {
  const r = spawnSync(servicesScript, [command], { stdio: "inherit" });
  if (r.error !== undefined) throw r.error;
  return r.status ?? 1;
};

const quietStatus = (): number => spawnSync(servicesScript, ["status"], { stdio: "ignore" }).status ?? 1;

/**
 * Integration tests run against the real Kafka and QuestDB. They are started here through
 * scripts/services.sh unless already running; THETAFLOW_SERVICES=external means "someone else
 * runs them — only check they answer". Nothing is ever skipped for lack of services: a missing
 * Java or broker fails the run with the script's message.
 */
export default function setup(project: TestProject): (() => void) | undefined {
  const s = servicesSettings();
  project.provide("kafkaBrokers", [`127.0.0.1:${s.kafkaPort}`]);
  project.provide("questdbUrl", `http://127.0.0.1:${s.questdbHttpPort}`);
  if (process.env.THETAFLOW_SERVICES === "external") {
    if (quietStatus() !== 0) {
      run("status");
      throw new Error(
        "THETAFLOW_SERVICES=external, but Kafka/QuestDB are not answering: run `npm run services:up`.",
      );
    }
    return undefined;
  }
  if (quietStatus() === 0) return undefined;
  if (run("up") !== 0) throw new Error("scripts/services.sh up failed (see its message above)");
  return () => {
    run("down");
  };
}
