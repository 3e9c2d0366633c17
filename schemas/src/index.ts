export * from "./analytics.js";
export * from "./common.js";
export * from "./deadLetter.js";
export * from "./event.js";
export * from "./jsonSchema.js";
export * from "./market.js";
export * from "./occ.js";
export * from "./trading.js";
