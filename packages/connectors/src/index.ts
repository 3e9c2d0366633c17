// Shared barrel: ADD lines, never rewrite (files/, replay/, run/ belong to the runtime; kafka/, questdb/ to the services work).
export * from "./files/index.js";
export * from "./kafka/index.js";
export * from "./live/index.js";
export * from "./questdb/index.js";
export * from "./replay/index.js";
export * from "./run/index.js";
