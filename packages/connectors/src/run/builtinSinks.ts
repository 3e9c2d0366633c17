import { Registry, type SinkDefinition } from "@thetaflow/core";
import { ndjsonSink } from "../files/ndjsonSink.js";

/** Sink types a topology may name. */
export const builtinSinks = (): Registry<SinkDefinition> =>
  new Registry<SinkDefinition>("sink type").register(ndjsonSink);
