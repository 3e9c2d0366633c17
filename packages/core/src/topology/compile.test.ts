import { Either, Schema } from "effect";
import { describe, expect, it } from "vitest";
import { runningSum } from "../__fixtures__/runningSum.js";
import type { AnyOperator } from "../operator.js";
import { Registry } from "../registry.js";
import type { SinkDefinition } from "../sink.js";
import { compileTopology, type TopologyError } from "./compile.js";

const registries = {
  operators: new Registry<AnyOperator>("operator").register(runningSum as unknown as AnyOperator),
  sinks: new Registry<SinkDefinition>("sink type").register({
    name: "ndjson",
    description: "test",
    params: Schema.Struct({ file: Schema.optional(Schema.String) }),
    open: async () => {
      throw new Error("not opened in compile tests");
    },
  }),
};

const valid = `name: demo
sources:
  - id: market
    replay:
      files: [a.ndjson]
nodes:
  - id: sum
    op: runningSum
    inputs: [market]
    params:
      scale: 2
sinks:
  - id: out
    type: ndjson
    inputs: [sum, deadLetters]
`;

const errorOf = (text: string): TopologyError => {
  const r = compileTopology("topologies/x.yaml", text, registries);
  if (Either.isRight(r)) throw new Error("expected a topology error");
  return r.left;
};

describe("compileTopology", () => {
  it("compiles a valid topology with decoded params and a stable hash", () => {
    const r = compileTopology("t.yaml", valid, registries);
    expect(Either.isRight(r)).toBe(true);
    const t = Either.getOrThrow(r);
    expect(t.nodes.map((n) => [n.spec.id, n.params])).toEqual([["sum", { scale: 2 }]]);
    const again = Either.getOrThrow(
      compileTopology("t.yaml", valid.replace("scale: 2", "scale: 2 # same"), registries),
    );
    expect(again.hash).toBe(t.hash);
    const other = Either.getOrThrow(
      compileTopology("t.yaml", valid.replace("scale: 2", "scale: 3"), registries),
    );
    expect(other.hash).not.toBe(t.hash);
  });

  it("names an unknown operator with its line and the known ones", () => {
    const e = errorOf(valid.replace("op: runningSum", "op: foo"));
    expect(e.message).toBe("topologies/x.yaml:8: unknown operator 'foo' (known: runningSum) (at nodes.0.op)");
  });

  it("names a wrongly typed parameter with its line", () => {
    const e = errorOf(valid.replace("scale: 2", "scale: two"));
    expect(e.issues[0]).toMatchObject({ line: 11, path: ["nodes", 0, "params", "scale"] });
    expect(e.message).toContain("topologies/x.yaml:11:");
  });

  it("rejects unknown fields, at topology and parameter level", () => {
    expect(errorOf(valid.replace("scale: 2", "scale: 2\n      speed: 9")).issues[0]).toMatchObject({
      line: 12,
      path: ["nodes", 0, "params", "speed"],
    });
    expect(errorOf(valid.replace("name: demo", "name: demo\nextra: 1")).issues[0]).toMatchObject({
      line: 2,
      path: ["extra"],
    });
  });

  it("names unknown inputs and duplicate ids", () => {
    const e = errorOf(valid.replace("inputs: [market]", "inputs: [markt]"));
    expect(e.message).toContain("topologies/x.yaml:9: unknown input 'markt' (known: market, sum)");
    expect(errorOf(valid.replace("id: out", "id: sum")).message).toContain("duplicate id 'sum'");
  });

  it("detects a cycle", () => {
    const cyclic = `name: c
sources:
  - id: market
    replay: { files: [a.ndjson] }
nodes:
  - id: a
    op: runningSum
    inputs: [market, b]
  - id: b
    op: runningSum
    inputs: [a]
sinks:
  - id: out
    type: ndjson
    inputs: [b]
`;
    expect(errorOf(cyclic).message).toMatch(/cycle: (a -> b -> a|b -> a -> b)/);
  });

  it("reports YAML syntax errors with a line", () => {
    const e = errorOf("name: x\nsources: [\n");
    expect(e.issues[0]!.line).not.toBeNull();
  });

  it("refuses a node whose inputs can never carry what it consumes", () => {
    const text = valid.replace(
      "sinks:",
      `  - id: again
    op: runningSum
    inputs: [sum]
sinks:`,
    );
    expect(Either.isRight(compileTopology("t.yaml", text, registries))).toBe(true);
  });
});
