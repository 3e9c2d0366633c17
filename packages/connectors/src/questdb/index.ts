export type { IlpProtocolVersion } from "./encode.js";
export * from "./http.js";
export * from "./rows.js";
export * from "./tables.js";
export * from "./workerTransport.js";
export * from "./writer.js";
