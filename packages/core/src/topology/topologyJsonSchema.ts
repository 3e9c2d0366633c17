import { JSONSchema, type Schema } from "effect";
import type { Registries } from "../topology/compile.js";
import { TopologySpec } from "./topologySchema.js";

type Json = Record<string, unknown>;

const schemaOf = (s: Schema.Schema<any, any, never>): Json => {
  const { $schema: _drop, ...rest } = JSONSchema.make(s) as unknown as Json;
  return rest;
};

/**
 * JSON Schema for topology files, with each registered operator's and sink's parameters spelled out
 * (`if op == X then params follows X's schema`), so editors validate YAML as the compiler does.
 */
export const topologyJsonSchema = (registries: Registries): Json => {
  const base = JSONSchema.make(TopologySpec) as unknown as Json & { $defs?: Json };
  const defs = (base.$defs ?? {}) as Json;
  const variants = (items: { name: string; params: Schema.Schema<any, any, never> }[], key: "op" | "type") =>
    items.map((item) => ({
      if: { properties: { [key]: { const: item.name } }, required: [key] },
      // biome-ignore lint/suspicious/noThenProperty: `then` is JSON Schema's conditional keyword
      then: { properties: { params: schemaOf(item.params) } },
    }));
  const opNames = registries.operators.names();
  const sinkNames = registries.sinks.names();
  return {
    ...base,
    title: "Thetaflow topology",
    properties: {
      ...((base.properties as Json | undefined) ?? {}),
      nodes: {
        type: "array",
        items: {
          type: "object",
          required: ["id", "op", "inputs"],
          properties: {
            id: { type: "string" },
            op: { enum: opNames, description: "registered operator name" },
            inputs: { type: "array", items: { type: "string" }, minItems: 1 },
            params: { type: "object" },
            description: { type: "string" },
          },
          additionalProperties: false,
          allOf: variants(registries.operators.all(), "op"),
        },
      },
      sinks: {
        type: "array",
        items: {
          type: "object",
          required: ["id", "type", "inputs"],
          properties: {
            id: { type: "string" },
            type: { enum: sinkNames },
            inputs: { type: "array", items: { type: "string" }, minItems: 1 },
            kinds: { type: "array", items: { type: "string" } },
            params: { type: "object" },
          },
          additionalProperties: false,
          allOf: variants(registries.sinks.all(), "type"),
        },
      },
    },
    $defs: defs,
  };
};
