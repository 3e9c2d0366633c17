export * from "./admin.js";
export * from "./client.js";
export * from "./codec.js";
export * from "./consumer.js";
export * from "./logger.js";
export * from "./producer.js";
export * from "./topics.js";
