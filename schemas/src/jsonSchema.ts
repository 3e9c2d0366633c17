import { JSONSchema, type Schema } from "effect";
import { type EventKind, eventSchemas } from "./event.js";

/** JSON Schema (draft-07) of one event, for other languages and editors. */
export const eventJsonSchema = (kind: EventKind): object =>
  JSONSchema.make(eventSchemas[kind] as Schema.Schema<unknown, unknown, never>);
