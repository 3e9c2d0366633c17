import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { readServicesEnvFile, repoRoot } from "./integration/servicesEnv.js";

// docker-compose.yml must run the same versions, ports and settings as scripts/services.sh; both
// take their defaults from scripts/services.env and the same THETAFLOW_* overrides.

type Service = {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: unknown;
  build?: unknown;
  volumes?: string[];
};
type Compose = { services: Record<string, Service> };

const defaults = readServicesEnvFile();
const read = (path: string) => readFileSync(`${repoRoot}${path}`, "utf8");

/** What compose does with `${VAR:-default}` when VAR is unset. */
const withDefaults = (text: string) =>
  text.replace(/\$\{(\w+):-([^}]*)\}/g, (_, name: string, fallback: string) => {
    // Every interpolated THETAFLOW_* default must equal the script's default.
    if (name.startsWith("THETAFLOW_")) expect(fallback, `${name} default`).toBe(defaults[name]);
    return fallback;
  });

const expectSameAsScript = (compose: Compose, env: Record<string, string>) => {
  const { kafka, questdb, engine, prometheus, grafana } = compose.services;
  expect(Object.keys(compose.services).sort()).toEqual([
    "engine",
    "grafana",
    "kafka",
    "prometheus",
    "questdb",
  ]);
  expect(kafka?.image).toBe(`apache/kafka:${env.THETAFLOW_KAFKA_VERSION}`);
  expect(questdb?.image).toBe(`questdb/questdb:${env.THETAFLOW_QUESTDB_VERSION}`);
  // Ports may come back with a /tcp suffix from `docker-compose config`.
  const ports = (s: Service | undefined) => (s?.ports ?? []).map((p) => p.replace(/\/tcp$/, ""));
  expect(ports(kafka)).toEqual([`127.0.0.1:${env.THETAFLOW_KAFKA_PORT}:9092`]);
  expect(ports(questdb)).toEqual([
    `127.0.0.1:${env.THETAFLOW_QUESTDB_HTTP_PORT}:9000`,
    `127.0.0.1:${env.THETAFLOW_QUESTDB_PG_PORT}:8812`,
    `127.0.0.1:${env.THETAFLOW_QUESTDB_ILP_PORT}:9009`,
    `127.0.0.1:${env.THETAFLOW_QUESTDB_HEALTH_PORT}:9003`,
  ]);
  expect(ports(engine)).toEqual(["127.0.0.1:9464:9464"]);
  expect(ports(prometheus)).toEqual(["127.0.0.1:9090:9090"]);
  expect(ports(grafana)).toEqual(["127.0.0.1:3000:3000"]);

  // KRaft combined mode, single node, replication 1: the settings services.sh writes.
  expect(kafka?.environment).toMatchObject({
    CLUSTER_ID: env.THETAFLOW_KAFKA_CLUSTER_ID,
    KAFKA_PROCESS_ROLES: "broker,controller",
    KAFKA_NODE_ID: "1",
    KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${env.THETAFLOW_KAFKA_PORT},INTERNAL://kafka:29092`,
    KAFKA_CONTROLLER_LISTENER_NAMES: "CONTROLLER",
    KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: "1",
    KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: "1",
    KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: "1",
    KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: "0",
    KAFKA_HEAP_OPTS: `-Xms128m -Xmx${env.THETAFLOW_KAFKA_HEAP}`,
  });
  expect(questdb?.environment).toMatchObject({
    QDB_TELEMETRY_ENABLED: "false",
    QDB_HTTP_MIN_ENABLED: "true",
    JVM_PREPEND: `-Xms128m -Xmx${env.THETAFLOW_QUESTDB_HEAP}`,
  });
  expect(engine?.command).toEqual([
    "node",
    "packages/cli/bin/thetaflow.js",
    "run",
    "topologies/live.yaml",
    "--live",
  ]);
  expect(engine?.build).toBeDefined();
  expect(engine?.environment).toMatchObject({
    THETAFLOW_KAFKA_BROKERS: "kafka:29092",
    THETAFLOW_QUESTDB_URL: "http://questdb:9000",
    THETAFLOW_METRICS_PORT: "9464",
    THETAFLOW_METRICS_HOST: "0.0.0.0",
  });
};

describe("docker-compose.yml", () => {
  it("runs the script's versions, ports and settings (YAML read directly)", () => {
    const compose = parse(withDefaults(read("docker-compose.yml"))) as Compose;
    expectSameAsScript(compose, defaults);
  });

  it("has Prometheus scrape the engine's /metrics on 9464 and Grafana provision both datasources", () => {
    const prometheus = parse(read("deploy/prometheus.yml")) as {
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    const targets = prometheus.scrape_configs.flatMap((c) => c.static_configs.flatMap((s) => s.targets));
    expect(targets).toContain("engine:9464");
    const datasources = parse(read("deploy/grafana/provisioning/datasources/datasources.yml")) as {
      datasources: { name: string; type: string; url: string }[];
    };
    expect(datasources.datasources.map((d) => [d.name, d.type, d.url])).toEqual([
      ["Prometheus", "prometheus", "http://prometheus:9090"],
      ["QuestDB", "grafana-postgresql-datasource", `questdb:8812`],
    ]);
  });

  const compose = spawnSync("docker-compose", ["version"], { stdio: "ignore" });
  const hasCompose = compose.error === undefined && compose.status === 0;
  const config = (overrides: Record<string, string>) => {
    // Only the given THETAFLOW_* variables, so a developer's own settings do not leak in.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("THETAFLOW_")));
    const r = spawnSync("docker-compose", ["-f", `${repoRoot}docker-compose.yml`, "config"], {
      encoding: "utf8",
      env: { ...env, ...overrides },
    });
    expect(r.status, r.stderr).toBe(0);
    return parse(r.stdout) as Compose;
  };

  it.skipIf(!hasCompose)("is accepted by `docker-compose config` with the script's defaults", () => {
    expectSameAsScript(config({}), defaults);
  });

  it.skipIf(!hasCompose)("follows the same THETAFLOW_* overrides as services.sh", () => {
    const overrides = {
      THETAFLOW_KAFKA_PORT: "19092",
      THETAFLOW_QUESTDB_HTTP_PORT: "19000",
      THETAFLOW_KAFKA_HEAP: "1g",
    };
    expectSameAsScript(config(overrides), { ...defaults, ...overrides });
  });
});
