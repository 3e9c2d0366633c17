import { appendFileSync } from "node:fs";
import { createKafkaClient, EventProducer, ensureTopics, kafkaBrokers } from "@thetaflow/connectors";
import {
  checkFeedInstruments,
  DEFAULT_CHAIN_SELECTION,
  DEFAULT_IB_CONFIG,
  IbMarketFeed,
  ibConfigFromEnv,
} from "@thetaflow/ib";
import { type Event, encodeEvent } from "@thetaflow/schemas";
import type { Command } from "commander";

const list = (value: string | undefined): string[] =>
  value === undefined
    ? []
    : value
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");

const positiveNumber = (flag: string, value: string): number => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} must be a positive number, got '${value}'`);
  return n;
};

const nonNegativeInt = (flag: string, value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`${flag} must be a non-negative integer, got '${value}'`);
  return n;
};

/** The feed's client id: not the `ib` sink's default, so a run and a feed can share one TWS. */
const FEED_CLIENT_ID = DEFAULT_IB_CONFIG.clientId + 1;

export const register = (program: Command): void => {
  program
    .command("ib-feed")
    .description(
      "Stream Interactive Brokers market data (TWS / IB Gateway) into a Kafka topic a live topology reads, and/or a replay file; IB's IV and Greeks ride along as `vendor`",
    )
    .option("--underlying <tickers>", "stock/ETF tickers, comma-separated (UnderlyingTick events)")
    .option(
      "--option <occ>",
      "OCC option symbols, comma-separated, e.g. SPY260220P00570000 (OptionQuote events)",
    )
    .option(
      "--chain <tickers>",
      "discover these underlyings' listed options from IB and stream those near the money (with the underlying)",
    )
    .option(
      "--max-dte <days>",
      `--chain: expirations up to this many days out (default ${DEFAULT_CHAIN_SELECTION.maxDte})`,
    )
    .option(
      "--moneyness <fraction>",
      `--chain: strikes within this fraction of spot (default ${DEFAULT_CHAIN_SELECTION.moneyness})`,
    )
    .option(
      "--max-contracts <n>",
      `--chain: at most this many contracts per underlying, nearest the money first; IB allows ~100 market-data lines by default (default ${DEFAULT_CHAIN_SELECTION.maxContracts})`,
    )
    .option(
      "--topic <topic>",
      "publish every event to this Kafka topic (topologies/live.yaml reads thetaflow.market)",
    )
    .option("--partitions <n>", "partitions for a topic created here", "1")
    .option(
      "--brokers <list>",
      "Kafka bootstrap servers (default $THETAFLOW_KAFKA_BROKERS or 127.0.0.1:9092)",
    )
    .option("--record <file>", "also append the events to this replay file (.ndjson)")
    .option("--max-events <n>", "stop after this many events (default: until Ctrl-C)")
    .option("--host <host>", "TWS host (default $IB_HOST or 127.0.0.1)")
    .option(
      "--port <port>",
      "TWS port (default $IB_PORT or 7497 paper; a live port needs IB_TRADING_MODE=live)",
    )
    .option("--client-id <id>", `API client id (default $IB_CLIENT_ID or ${FEED_CLIENT_ID})`)
    .action(
      async (opts: {
        underlying?: string;
        option?: string;
        chain?: string;
        maxDte?: string;
        moneyness?: string;
        maxContracts?: string;
        topic?: string;
        partitions: string;
        brokers?: string;
        record?: string;
        maxEvents?: string;
        host?: string;
        port?: string;
        clientId?: string;
      }) => {
        const underlyings = list(opts.underlying);
        const options = list(opts.option);
        const chainSymbols = list(opts.chain);
        checkFeedInstruments(underlyings, options, chainSymbols);
        const selection = {
          maxDte:
            opts.maxDte === undefined
              ? DEFAULT_CHAIN_SELECTION.maxDte
              : nonNegativeInt("--max-dte", opts.maxDte),
          moneyness:
            opts.moneyness === undefined
              ? DEFAULT_CHAIN_SELECTION.moneyness
              : positiveNumber("--moneyness", opts.moneyness),
          maxContracts:
            opts.maxContracts === undefined
              ? DEFAULT_CHAIN_SELECTION.maxContracts
              : nonNegativeInt("--max-contracts", opts.maxContracts),
        };
        if (opts.topic === undefined && opts.record === undefined)
          throw new Error("say where the events go: --topic <kafka topic> and/or --record <file.ndjson>");
        if (opts.record !== undefined && !/\.ndjson$/i.test(opts.record))
          throw new Error(`--record appends NDJSON: give a .ndjson file, got '${opts.record}'`);
        const partitions = nonNegativeInt("--partitions", opts.partitions);
        const maxEvents =
          opts.maxEvents === undefined ? undefined : nonNegativeInt("--max-events", opts.maxEvents);
        const config = ibConfigFromEnv(process.env, {
          ...(opts.host !== undefined ? { host: opts.host } : {}),
          ...(opts.port !== undefined ? { port: nonNegativeInt("--port", opts.port) } : {}),
          clientId:
            opts.clientId !== undefined
              ? nonNegativeInt("--client-id", opts.clientId)
              : process.env.IB_CLIENT_ID
                ? nonNegativeInt("IB_CLIENT_ID", process.env.IB_CLIENT_ID)
                : FEED_CLIENT_ID,
        });

        let producer: EventProducer | undefined;
        if (opts.topic !== undefined) {
          const topic = opts.topic;
          const kafka = createKafkaClient({
            brokers: kafkaBrokers(opts.brokers?.split(",")),
            clientId: "thetaflow-ib-feed",
          });
          await ensureTopics(kafka, [{ topic, partitions: Math.max(1, partitions) }]);
          producer = await EventProducer.connect(kafka, { topicOf: () => topic });
        }
        const publish = async (events: readonly Event[]) => {
          if (opts.record !== undefined)
            appendFileSync(opts.record, events.map((e) => `${JSON.stringify(encodeEvent(e))}\n`).join(""));
          await producer?.send(events);
        };
        try {
          const feed = await IbMarketFeed.start({
            config,
            underlyings,
            options,
            chains: chainSymbols.map((symbol) => ({ symbol, selection })),
            onChain: (symbol, contracts) =>
              console.error(
                `chain      ${symbol}: ${contracts.length} contracts${contracts.length > 0 ? ` (${contracts[0]!.trim()} … ${contracts.at(-1)!.trim()})` : " (none listed in the window: widen --max-dte/--moneyness)"}`,
              ),
            publish,
            ...(maxEvents !== undefined ? { maxEvents } : {}),
            observer: {
              log: (level, message, fields) =>
                level !== "info" && console.error(JSON.stringify({ level, msg: message, ...fields })),
            },
          });
          const stop = () => void feed.stop().catch(() => {});
          process.once("SIGINT", stop).once("SIGTERM", stop);
          console.error(
            `ib-feed    ${config.host}:${config.port} -> ${[opts.topic && `kafka ${opts.topic}`, opts.record].filter(Boolean).join(", ")} (Ctrl-C stops)`,
          );
          await feed.done;
          const { published } = await feed.stop();
          console.log(`published ${published.toLocaleString("en-US")} events`);
        } finally {
          await producer?.disconnect();
        }
      },
    );
};
