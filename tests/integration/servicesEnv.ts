import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
export const servicesScript = `${repoRoot}scripts/services.sh`;

/** scripts/services.env as a map; the single source of the default versions and ports. */
export const readServicesEnvFile = (): Record<string, string> => {
  const text = readFileSync(`${repoRoot}scripts/services.env`, "utf8");
  const entries = text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const eq = line.indexOf("=");
      return [line.slice(0, eq), line.slice(eq + 1)] as const;
    });
  return Object.fromEntries(entries);
};

/** The effective settings, as services.sh computes them: environment first, then the file. */
export const servicesSettings = (env: NodeJS.ProcessEnv = process.env) => {
  const file = readServicesEnvFile();
  const get = (key: string): string => {
    const v = env[key] ?? file[key];
    if (v === undefined || v === "") throw new Error(`${key} missing from scripts/services.env`);
    return v;
  };
  return {
    kafkaVersion: get("THETAFLOW_KAFKA_VERSION"),
    questdbVersion: get("THETAFLOW_QUESTDB_VERSION"),
    kafkaPort: Number(get("THETAFLOW_KAFKA_PORT")),
    kafkaControllerPort: Number(get("THETAFLOW_KAFKA_CONTROLLER_PORT")),
    questdbHttpPort: Number(get("THETAFLOW_QUESTDB_HTTP_PORT")),
    questdbPgPort: Number(get("THETAFLOW_QUESTDB_PG_PORT")),
    questdbIlpPort: Number(get("THETAFLOW_QUESTDB_ILP_PORT")),
    questdbHealthPort: Number(get("THETAFLOW_QUESTDB_HEALTH_PORT")),
  };
};
