export * from "./kafka/index.js";
export * from "./questdb/index.js";
