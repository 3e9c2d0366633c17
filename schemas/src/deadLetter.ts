import { Schema } from "effect";
import { eventFields } from "./common.js";

/** An input the engine refused or an event an operator threw on; `raw` holds it verbatim. */
export const DeadLetter = Schema.Struct({
  kind: Schema.Literal("DeadLetter"),
  ...eventFields,
  /** Stable id of the node or source that refused it. */
  nodeId: Schema.String,
  reason: Schema.String,
  raw: Schema.String,
  /** Where the raw input came from, e.g. `replays/spy.csv:1042`. */
  origin: Schema.optional(Schema.String),
}).annotations({ identifier: "DeadLetter" });
export type DeadLetter = typeof DeadLetter.Type;
