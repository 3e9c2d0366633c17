#!/usr/bin/env bash
# Runs a real single-node Kafka (KRaft) and a real QuestDB on loopback, from jars fetched with Maven
# from Maven Central — no Docker. See `scripts/services.sh help`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Defaults come from services.env; a variable already in the environment wins.
while IFS='=' read -r key value; do
  [[ -z "$key" || "$key" == \#* ]] && continue
  if [[ -z "${!key:-}" ]]; then export "$key=$value"; fi
done <"$ROOT/scripts/services.env"

CACHE="${THETAFLOW_SERVICES_CACHE:-$ROOT/.cache/services}"
RUN="${THETAFLOW_SERVICES_DIR:-$ROOT/.services}"
KAFKA_LIBS="$CACHE/kafka-$THETAFLOW_KAFKA_VERSION/libs"
QUESTDB_JAR_DIR="$CACHE/questdb-$THETAFLOW_QUESTDB_VERSION"
KAFKA_RUN="$RUN/kafka"
QDB_RUN="$RUN/questdb"
KAFKA_START_TIMEOUT="${THETAFLOW_KAFKA_START_TIMEOUT:-120}"
QDB_START_TIMEOUT="${THETAFLOW_QUESTDB_START_TIMEOUT:-120}"
STOP_TIMEOUT="${THETAFLOW_SERVICES_STOP_TIMEOUT:-30}"

log() { printf '[services] %s\n' "$*" >&2; }
die() {
  printf '[services] error: %s\n' "$*" >&2
  exit 1
}
now_ms() { date +%s%3N; }

require_java() {
  if ! command -v java >/dev/null 2>&1; then
    die "java not found. Kafka $THETAFLOW_KAFKA_VERSION and QuestDB $THETAFLOW_QUESTDB_VERSION need a Java 17+ runtime: install one, e.g. 'apt-get install -y openjdk-17-jre-headless' (Debian/Ubuntu) or Temurin 17/21 from https://adoptium.net, then re-run."
  fi
  local version major
  version="$(java -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')"
  major="${version%%.*}"
  [[ "$major" == "1" ]] && major="$(echo "$version" | cut -d. -f2)"
  if ! [[ "$major" =~ ^[0-9]+$ ]] || ((major < 17)); then
    die "java $version found, but Kafka and QuestDB need Java 17 or newer: install e.g. 'apt-get install -y openjdk-17-jre-headless' and put it first on PATH."
  fi
}

require_maven() {
  command -v mvn >/dev/null 2>&1 ||
    die "the service jars are not cached in $CACHE yet and 'mvn' is missing to fetch them: install Maven, e.g. 'apt-get install -y maven', or set THETAFLOW_SERVICES_CACHE to a directory that already holds them."
}

# --- fetching -----------------------------------------------------------------------------------

jars_cached() {
  compgen -G "$KAFKA_LIBS/kafka_2.13-$THETAFLOW_KAFKA_VERSION.jar" >/dev/null &&
    compgen -G "$KAFKA_LIBS/slf4j-reload4j-*.jar" >/dev/null &&
    [[ -f "$QUESTDB_JAR_DIR/questdb-$THETAFLOW_QUESTDB_VERSION.jar" ]]
}

# One generated pom, two copy-dependencies executions: Kafka's runtime closure (plus a logging
# backend, which the 3.x pom lacks) and the self-contained QuestDB jar, kept in separate folders
# so QuestDB never lands on Kafka's classpath.
write_fetch_pom() {
  local plugin="$THETAFLOW_MAVEN_DEPENDENCY_PLUGIN_VERSION"
  cat >"$1" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.thetaflow</groupId>
  <artifactId>services-fetch</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$THETAFLOW_KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>$THETAFLOW_SLF4J_VERSION</version></dependency>
    <dependency><groupId>ch.qos.reload4j</groupId><artifactId>reload4j</artifactId><version>$THETAFLOW_RELOAD4J_VERSION</version></dependency>
    <dependency><groupId>org.questdb</groupId><artifactId>questdb</artifactId><version>$THETAFLOW_QUESTDB_VERSION</version></dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-dependency-plugin</artifactId>
        <version>$plugin</version>
        <executions>
          <execution>
            <id>kafka</id><phase>validate</phase><goals><goal>copy-dependencies</goal></goals>
            <configuration>
              <outputDirectory>$KAFKA_LIBS.partial</outputDirectory>
              <includeScope>runtime</includeScope>
              <excludeArtifactIds>questdb</excludeArtifactIds>
            </configuration>
          </execution>
          <execution>
            <id>questdb</id><phase>validate</phase><goals><goal>copy-dependencies</goal></goals>
            <configuration>
              <outputDirectory>$QUESTDB_JAR_DIR.partial</outputDirectory>
              <includeArtifactIds>questdb</includeArtifactIds>
            </configuration>
          </execution>
        </executions>
      </plugin>
    </plugins>
  </build>
</project>
POM
}

fetch() {
  if jars_cached; then return 0; fi
  require_maven
  local t0 pom
  t0="$(now_ms)"
  mkdir -p "$CACHE"
  pom="$CACHE/fetch-pom.xml"
  write_fetch_pom "$pom"
  rm -rf "$KAFKA_LIBS.partial" "$QUESTDB_JAR_DIR.partial"
  log "fetching Kafka $THETAFLOW_KAFKA_VERSION and QuestDB $THETAFLOW_QUESTDB_VERSION from Maven Central into $CACHE"
  # A private local repository keeps the fetch self-contained and removable with the cache dir.
  if ! mvn -B -q -f "$pom" -Dmaven.repo.local="$CACHE/m2" validate >"$CACHE/fetch.log" 2>&1; then
    tail -n 30 "$CACHE/fetch.log" >&2
    die "Maven could not fetch the service jars (full log: $CACHE/fetch.log). Check network access to Maven Central or a mirror in ~/.m2/settings.xml."
  fi
  # Rename into place only when complete, so an interrupted fetch is never mistaken for a cache.
  mkdir -p "$(dirname "$KAFKA_LIBS")"
  rm -rf "$KAFKA_LIBS" "$QUESTDB_JAR_DIR"
  mv "$KAFKA_LIBS.partial" "$KAFKA_LIBS"
  mv "$QUESTDB_JAR_DIR.partial" "$QUESTDB_JAR_DIR"
  log "fetched in $(($(now_ms) - t0)) ms"
}

# --- process helpers ----------------------------------------------------------------------------

pid_of() { [[ -f "$1/server.pid" ]] && cat "$1/server.pid" || true; }

alive() {
  local pid
  pid="$(pid_of "$1")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

require_free_ports() {
  local name="$1"
  shift
  local port
  for port in "$@"; do
    if port_open "$port"; then
      die "port $port (for $name) is already in use by another process. Stop it, or choose other ports, e.g. THETAFLOW_KAFKA_PORT/THETAFLOW_QUESTDB_HTTP_PORT (see scripts/services.env)."
    fi
  done
}

# setsid detaches the server from the caller's process group, so a test runner that kills its own
# children does not take the broker down with it; `down` is the one way to stop it.
launch() {
  local dir="$1"
  shift
  setsid nohup "$@" >"$dir/server.out" 2>&1 </dev/null &
  echo $! >"$dir/server.pid"
}

stop_dir() {
  local dir="$1" name="$2" pid waited=0
  pid="$(pid_of "$dir")"
  if [[ -z "$pid" ]] || ! kill -0 "$pid" 2>/dev/null; then
    rm -f "$dir/server.pid"
    log "$name is not running"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null && ((waited < STOP_TIMEOUT * 10)); do
    sleep 0.1
    waited=$((waited + 1))
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name (pid $pid) ignored SIGTERM for ${STOP_TIMEOUT}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
  rm -f "$dir/server.pid"
  log "$name stopped (pid $pid)"
}

wait_until() {
  local name="$1" dir="$2" timeout_s="$3" check="$4" t0
  t0="$(now_ms)"
  while ! "$check" 2>/dev/null; do
    if ! alive "$dir"; then
      tail -n 40 "$dir/server.out" >&2 || true
      die "$name exited during startup (log: $dir/server.out)"
    fi
    if (($(now_ms) - t0 > timeout_s * 1000)); then
      tail -n 40 "$dir/server.out" >&2 || true
      die "$name did not become ready within ${timeout_s}s (log: $dir/server.out)"
    fi
    sleep 0.2
  done
}

# --- Kafka --------------------------------------------------------------------------------------

write_kafka_config() {
  mkdir -p "$KAFKA_RUN/data"
  cat >"$KAFKA_RUN/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$THETAFLOW_KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$THETAFLOW_KAFKA_PORT,CONTROLLER://127.0.0.1:$THETAFLOW_KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$THETAFLOW_KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$KAFKA_RUN/data
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
group.initial.rebalance.delay.ms=0
PROPS
  cat >"$KAFKA_RUN/log4j.properties" <<PROPS
log4j.rootLogger=WARN, file
log4j.logger.kafka.server.KafkaRaftServer=INFO
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=$KAFKA_RUN/server.log
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
PROPS
}

kafka_java_args() {
  KAFKA_JAVA=(java -Xms128m "-Xmx$THETAFLOW_KAFKA_HEAP" -XX:+UseG1GC -Djava.awt.headless=true
    "-Dlog4j.configuration=file:$KAFKA_RUN/log4j.properties" -cp "$KAFKA_LIBS/*")
}

# A real Metadata round trip with the same client library the engine uses, not just an open port.
kafka_answers() {
  port_open "$THETAFLOW_KAFKA_PORT" || return 1
  node --input-type=module -e "
    import { createRequire } from 'node:module';
    const require = createRequire('$ROOT/packages/connectors/package.json');
    const { Kafka, logLevel } = require('kafkajs');
    const admin = new Kafka({ clientId: 'services-probe', brokers: ['127.0.0.1:$THETAFLOW_KAFKA_PORT'],
      logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 1000 }).admin();
    try {
      await admin.connect();
      const c = await admin.describeCluster();
      process.exit(c.brokers.length > 0 && c.controller !== null && c.controller >= 0 ? 0 : 1);
    } catch { process.exit(1); }
  " >/dev/null 2>&1
}

# Launch and readiness wait are split so `up` can boot both JVMs at once (startup is mostly CPU).
KAFKA_T0=""
launch_kafka() {
  local fresh="$1"
  KAFKA_T0=""
  if alive "$KAFKA_RUN"; then
    log "Kafka already running (pid $(pid_of "$KAFKA_RUN")) on 127.0.0.1:$THETAFLOW_KAFKA_PORT"
    return 0
  fi
  require_free_ports Kafka "$THETAFLOW_KAFKA_PORT" "$THETAFLOW_KAFKA_CONTROLLER_PORT"
  KAFKA_T0="$(now_ms)"
  if [[ "$fresh" == fresh ]]; then
    rm -rf "$KAFKA_RUN"
    write_kafka_config
    kafka_java_args
    "${KAFKA_JAVA[@]}" kafka.tools.StorageTool format -t "$THETAFLOW_KAFKA_CLUSTER_ID" \
      -c "$KAFKA_RUN/server.properties" >"$KAFKA_RUN/format.out" 2>&1 ||
      die "formatting Kafka storage failed: $(cat "$KAFKA_RUN/format.out")"
  elif [[ ! -f "$KAFKA_RUN/server.properties" ]]; then
    die "no Kafka data dir at $KAFKA_RUN to restart; run 'scripts/services.sh up' first"
  fi
  kafka_java_args
  launch "$KAFKA_RUN" "${KAFKA_JAVA[@]}" kafka.Kafka "$KAFKA_RUN/server.properties"
}

await_kafka() {
  [[ -z "$KAFKA_T0" ]] && return 0
  wait_until Kafka "$KAFKA_RUN" "$KAFKA_START_TIMEOUT" kafka_answers
  log "Kafka $THETAFLOW_KAFKA_VERSION ready on 127.0.0.1:$THETAFLOW_KAFKA_PORT (pid $(pid_of "$KAFKA_RUN"), $(($(now_ms) - KAFKA_T0)) ms)"
}

# --- QuestDB ------------------------------------------------------------------------------------

write_questdb_config() {
  mkdir -p "$QDB_RUN/root/conf"
  cat >"$QDB_RUN/root/conf/server.conf" <<CONF
http.bind.to=127.0.0.1:$THETAFLOW_QUESTDB_HTTP_PORT
http.min.enabled=true
http.min.net.bind.to=127.0.0.1:$THETAFLOW_QUESTDB_HEALTH_PORT
pg.net.bind.to=127.0.0.1:$THETAFLOW_QUESTDB_PG_PORT
line.tcp.net.bind.to=127.0.0.1:$THETAFLOW_QUESTDB_ILP_PORT
line.udp.enabled=false
telemetry.enabled=false
metrics.enabled=true
shared.worker.count=2
http.worker.count=2
pg.worker.count=1
line.tcp.writer.worker.count=1
line.tcp.io.worker.count=1
wal.apply.worker.count=1
CONF
  # Only warnings and errors: at INFO QuestDB logs every HTTP connection and query.
  cat >"$QDB_RUN/root/conf/log.conf" <<CONF
writers=stdout
w.stdout.class=io.questdb.log.LogConsoleWriter
w.stdout.level=ERROR,CRITICAL,ADVISORY
CONF
}

questdb_answers() {
  curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$THETAFLOW_QUESTDB_HTTP_PORT/exec?query=select%201"
}

QDB_T0=""
questdb_ports() {
  echo "$THETAFLOW_QUESTDB_HTTP_PORT $THETAFLOW_QUESTDB_PG_PORT $THETAFLOW_QUESTDB_ILP_PORT $THETAFLOW_QUESTDB_HEALTH_PORT"
}

launch_questdb() {
  local fresh="$1"
  QDB_T0=""
  if alive "$QDB_RUN"; then
    log "QuestDB already running (pid $(pid_of "$QDB_RUN")) on 127.0.0.1:$THETAFLOW_QUESTDB_HTTP_PORT"
    return 0
  fi
  # shellcheck disable=SC2046 # four port numbers, split on purpose
  require_free_ports QuestDB $(questdb_ports)
  QDB_T0="$(now_ms)"
  if [[ "$fresh" == fresh ]]; then
    rm -rf "$QDB_RUN"
    write_questdb_config
  elif [[ ! -f "$QDB_RUN/root/conf/server.conf" ]]; then
    die "no QuestDB data dir at $QDB_RUN to restart; run 'scripts/services.sh up' first"
  fi
  launch "$QDB_RUN" java -Xms128m "-Xmx$THETAFLOW_QUESTDB_HEAP" -Djava.awt.headless=true \
    --add-exports java.base/jdk.internal.math=io.questdb \
    -p "$QUESTDB_JAR_DIR/questdb-$THETAFLOW_QUESTDB_VERSION.jar" \
    -m io.questdb/io.questdb.ServerMain -d "$QDB_RUN/root"
}

await_questdb() {
  [[ -z "$QDB_T0" ]] && return 0
  wait_until QuestDB "$QDB_RUN" "$QDB_START_TIMEOUT" questdb_answers
  log "QuestDB $THETAFLOW_QUESTDB_VERSION ready on http://127.0.0.1:$THETAFLOW_QUESTDB_HTTP_PORT (pid $(pid_of "$QDB_RUN"), $(($(now_ms) - QDB_T0)) ms)"
}

# --- commands -----------------------------------------------------------------------------------

status() {
  local rc=0
  if alive "$KAFKA_RUN" && kafka_answers; then
    echo "kafka: running pid=$(pid_of "$KAFKA_RUN") bootstrap=127.0.0.1:$THETAFLOW_KAFKA_PORT"
  elif alive "$KAFKA_RUN"; then
    echo "kafka: starting pid=$(pid_of "$KAFKA_RUN") (not answering yet)"
    rc=1
  else
    echo "kafka: stopped"
    rc=1
  fi
  if alive "$QDB_RUN" && questdb_answers; then
    echo "questdb: running pid=$(pid_of "$QDB_RUN") http=http://127.0.0.1:$THETAFLOW_QUESTDB_HTTP_PORT"
  elif alive "$QDB_RUN"; then
    echo "questdb: starting pid=$(pid_of "$QDB_RUN") (not answering yet)"
    rc=1
  else
    echo "questdb: stopped"
    rc=1
  fi
  return "$rc"
}

usage() {
  cat <<USAGE
Usage: scripts/services.sh <command>

  up             fetch jars if needed, start Kafka and QuestDB with fresh data dirs, wait until ready
                 (a service that is already running is left as it is)
  down           stop both (SIGTERM, then SIGKILL after ${STOP_TIMEOUT}s)
  status         print state; exit 0 only when both answer
  fetch          only download the jars into the cache
  stop-kafka     stop Kafka, keep its data       start-kafka    restart Kafka on its existing data
  stop-questdb   stop QuestDB, keep its data     start-questdb  restart QuestDB on its existing data

Environment: THETAFLOW_SERVICES_CACHE (jar cache, default .cache/services),
THETAFLOW_SERVICES_DIR (data/logs/pids, default .services), ports and versions as in
scripts/services.env (e.g. THETAFLOW_KAFKA_PORT=19092).
USAGE
}

main() {
  local cmd="${1:-}"
  case "$cmd" in
  up)
    require_java
    local t0
    t0="$(now_ms)"
    fetch
    mkdir -p "$RUN"
    # Check every port first, so a conflict never leaves one service started and the other not.
    alive "$KAFKA_RUN" || require_free_ports Kafka "$THETAFLOW_KAFKA_PORT" "$THETAFLOW_KAFKA_CONTROLLER_PORT"
    # shellcheck disable=SC2046
    alive "$QDB_RUN" || require_free_ports QuestDB $(questdb_ports)
    launch_kafka fresh
    launch_questdb fresh
    await_kafka
    await_questdb
    log "services up in $(($(now_ms) - t0)) ms"
    ;;
  down)
    stop_dir "$KAFKA_RUN" Kafka
    stop_dir "$QDB_RUN" QuestDB
    ;;
  status) status ;;
  fetch)
    require_java
    fetch
    ;;
  stop-kafka) stop_dir "$KAFKA_RUN" Kafka ;;
  stop-questdb) stop_dir "$QDB_RUN" QuestDB ;;
  start-kafka)
    require_java
    launch_kafka keep
    await_kafka
    ;;
  start-questdb)
    require_java
    launch_questdb keep
    await_questdb
    ;;
  help | -h | --help) usage ;;
  *)
    usage >&2
    exit 1
    ;;
  esac
}

main "$@"
