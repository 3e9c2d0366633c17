export * from "./csv.js";
export * from "./csvFields.js";
export * from "./lines.js";
export * from "./ndjson.js";
export * from "./replaySource.js";
