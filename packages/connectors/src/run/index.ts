export * from "./builtinSinks.js";
export * from "./outputs.js";
export * from "./runTopology.js";
