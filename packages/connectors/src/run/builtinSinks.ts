import { Registry, type SinkDefinition } from "@thetaflow/core";
import { ndjsonSink } from "../files/ndjsonSink.js";
import { kafkaSink, questdbSink } from "./serviceSinks.js";

/** Sink types a topology may name. */
export const builtinSinks = (): Registry<SinkDefinition> =>
  new Registry<SinkDefinition>("sink type").register(ndjsonSink).register(questdbSink).register(kafkaSink);
