export * from "./http.js";
export * from "./rows.js";
export * from "./tables.js";
export * from "./writer.js";
