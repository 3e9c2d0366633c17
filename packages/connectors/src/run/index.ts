export * from "./builtinSinks.js";
export * from "./diffRuns.js";
export * from "./outputs.js";
export * from "./runTopology.js";
export * from "./serviceSinks.js";
