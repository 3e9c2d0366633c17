export * from "./ndjsonSink.js";
