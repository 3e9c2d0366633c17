import { createHash } from "node:crypto";
import type { EventKind } from "@thetaflow/schemas";
import { Data, Either, ParseResult, Schema } from "effect";
import { LineCounter, parseDocument } from "yaml";
import type { AnyOperator } from "../operator.js";
import type { Registry } from "../registry.js";
import type { SinkDefinition } from "../sink.js";
import { canonicalJson } from "./canonicalJson.js";
import {
  DEAD_LETTERS_ID,
  type NodeSpec,
  type SinkSpec,
  type SourceSpec,
  TopologySpec,
} from "./topologySchema.js";
import { lineOf } from "./yamlLines.js";

export interface TopologyIssue {
  readonly path: ReadonlyArray<PropertyKey>;
  readonly line: number | null;
  readonly message: string;
}

/** Everything wrong with a topology file, each issue with its line. Nothing has started when this is raised. */
export class TopologyError extends Data.TaggedError("TopologyError")<{
  readonly file: string;
  readonly issues: ReadonlyArray<TopologyIssue>;
}> {
  override get message(): string {
    return this.issues
      .map(
        (i) =>
          `${this.file}:${i.line ?? "?"}: ${i.message}${i.path.length > 0 ? ` (at ${i.path.join(".")})` : ""}`,
      )
      .join("\n");
  }
}

export interface CompiledNode {
  readonly spec: NodeSpec;
  readonly op: AnyOperator;
  readonly params: unknown;
}

export interface CompiledSink {
  readonly spec: SinkSpec;
  readonly sink: SinkDefinition;
  readonly params: unknown;
}

export interface CompiledTopology {
  readonly file: string;
  readonly spec: TopologySpec;
  /** sha256 of the canonical JSON of the decoded topology: two runs with equal hashes ran the same graph. */
  readonly hash: string;
  readonly sources: ReadonlyArray<SourceSpec>;
  /** Nodes in a topological order (every node after its inputs), stable for a given file. */
  readonly nodes: ReadonlyArray<CompiledNode>;
  readonly sinks: ReadonlyArray<CompiledSink>;
}

export interface Registries {
  readonly operators: Registry<AnyOperator>;
  readonly sinks: Registry<SinkDefinition>;
}

const strict = { onExcessProperty: "error", errors: "all" } as const;

const parseIssues = (e: ParseResult.ParseError, prefix: ReadonlyArray<PropertyKey>) =>
  ParseResult.ArrayFormatter.formatErrorSync(e).map((i) => ({
    path: [...prefix, ...i.path],
    message: i.message,
  }));

/** Parses, validates and compiles a topology. Pure: no file is opened, no code from the file runs. */
export const compileTopology = (
  file: string,
  text: string,
  registries: Registries,
): Either.Either<CompiledTopology, TopologyError> => {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: true });
  const fail = (
    issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string; line?: number | null }>,
  ) =>
    Either.left(
      new TopologyError({
        file,
        issues: issues.map((i) => ({ ...i, line: i.line ?? lineOf(doc, counter, i.path) })),
      }),
    );

  if (doc.errors.length > 0) {
    return fail(
      doc.errors.map((e) => ({
        path: [],
        message: e.message.split("\n")[0]!,
        line: e.linePos?.[0]?.line ?? null,
      })),
    );
  }
  const decoded = Schema.decodeUnknownEither(TopologySpec, strict)(doc.toJS());
  if (Either.isLeft(decoded)) return fail(parseIssues(decoded.left, []));
  const spec = decoded.right;

  const issues: { path: ReadonlyArray<PropertyKey>; message: string }[] = [];
  const ids = new Map<string, string>();
  const claim = (id: string, what: string, path: PropertyKey[]) => {
    if (id === DEAD_LETTERS_ID)
      issues.push({ path, message: `'${DEAD_LETTERS_ID}' is reserved for the dead-letter stream` });
    else if (ids.has(id))
      issues.push({ path, message: `duplicate id '${id}' (already used by a ${ids.get(id)})` });
    else ids.set(id, what);
  };
  spec.sources.forEach((s, i) => {
    claim(s.id, "source", ["sources", i, "id"]);
    if (s.replay === undefined && s.kafka === undefined)
      issues.push({ path: ["sources", i], message: `source '${s.id}' needs a 'replay' or 'kafka' binding` });
  });
  spec.nodes.forEach((n, i) => {
    claim(n.id, "node", ["nodes", i, "id"]);
  });
  spec.sinks.forEach((s, i) => {
    claim(s.id, "sink", ["sinks", i, "id"]);
  });

  const checkInputs = (inputs: ReadonlyArray<string>, path: PropertyKey[], allowDeadLetters: boolean) =>
    inputs.forEach((input, j) => {
      if (input === DEAD_LETTERS_ID && allowDeadLetters) return;
      const what = ids.get(input);
      if (what === undefined || what === "sink")
        issues.push({
          path: [...path, j],
          message: `unknown input '${input}' (known: ${[...ids]
            .filter(([, w]) => w !== "sink")
            .map(([k]) => k)
            .join(", ")})`,
        });
    });

  const nodes: CompiledNode[] = [];
  spec.nodes.forEach((n, i) => {
    checkInputs(n.inputs, ["nodes", i, "inputs"], false);
    const op = registries.operators.get(n.op);
    if (op === undefined) {
      issues.push({
        path: ["nodes", i, "op"],
        message: `unknown operator '${n.op}' (known: ${registries.operators.names().join(", ")})`,
      });
      return;
    }
    const params = Schema.decodeUnknownEither(op.params, strict)(n.params);
    if (Either.isLeft(params)) issues.push(...parseIssues(params.left, ["nodes", i, "params"]));
    else nodes.push({ spec: n, op, params: params.right });
  });

  const sinks: CompiledSink[] = [];
  spec.sinks.forEach((s, i) => {
    checkInputs(s.inputs, ["sinks", i, "inputs"], true);
    const sink = registries.sinks.get(s.type);
    if (sink === undefined) {
      issues.push({
        path: ["sinks", i, "type"],
        message: `unknown sink type '${s.type}' (known: ${registries.sinks.names().join(", ")})`,
      });
      return;
    }
    const params = Schema.decodeUnknownEither(sink.params, strict)(s.params);
    if (Either.isLeft(params)) issues.push(...parseIssues(params.left, ["sinks", i, "params"]));
    else sinks.push({ spec: s, sink, params: params.right });
  });

  if (issues.length > 0) return fail(issues);

  const order = topologicalOrder(spec.nodes);
  if (!order.ok) {
    const i = spec.nodes.findIndex((n) => n.id === order.cycle[0]);
    return fail([
      { path: ["nodes", i, "inputs"], message: `cycle: ${[...order.cycle, order.cycle[0]].join(" -> ")}` },
    ]);
  }
  const byId = new Map(nodes.map((n) => [n.spec.id, n]));
  const ordered = order.ids.map((id) => byId.get(id)!);

  const kindIssues = checkKinds(spec, ordered);
  if (kindIssues.length > 0) return fail(kindIssues);

  return Either.right({
    file,
    spec,
    hash: createHash("sha256").update(canonicalJson(spec)).digest("hex"),
    sources: spec.sources,
    nodes: ordered,
    sinks,
  });
};

type Order = { ok: true; ids: string[] } | { ok: false; cycle: string[] };

/** Kahn's algorithm, ties by file order so the result is stable; on failure returns one cycle. */
const topologicalOrder = (nodes: ReadonlyArray<NodeSpec>): Order => {
  const nodeIds = new Set(nodes.map((n) => n.id));
  const remaining = new Map(nodes.map((n) => [n.id, n.inputs.filter((i) => nodeIds.has(i))]));
  const ids: string[] = [];
  while (remaining.size > 0) {
    const ready = nodes.find(
      (n) => remaining.has(n.id) && remaining.get(n.id)!.every((i) => !remaining.has(i)),
    );
    if (ready === undefined) {
      // Walk inputs from any remaining node until one repeats: that loop is the cycle.
      const seen: string[] = [];
      let at = remaining.keys().next().value!;
      while (!seen.includes(at)) {
        seen.push(at);
        at = remaining.get(at)!.find((i) => remaining.has(i))!;
      }
      return { ok: false, cycle: seen.slice(seen.indexOf(at)) };
    }
    ids.push(ready.id);
    remaining.delete(ready.id);
  }
  return { ok: true, ids };
};

/** A node whose inputs can never carry a kind it consumes is a wiring mistake: say so before running. */
const checkKinds = (spec: TopologySpec, nodes: ReadonlyArray<CompiledNode>) => {
  const produced = new Map<string, Set<EventKind> | "any">();
  for (const s of spec.sources) produced.set(s.id, "any");
  const issues: { path: PropertyKey[]; message: string }[] = [];
  for (const n of nodes) {
    const available = n.spec.inputs.map((i) => produced.get(i));
    const anyKind = available.includes("any");
    const kinds = new Set(available.flatMap((a) => (a === undefined || a === "any" ? [] : [...a])));
    if (!anyKind && !n.op.consumes.some((k) => kinds.has(k))) {
      const index = spec.nodes.findIndex((s) => s.id === n.spec.id);
      issues.push({
        path: ["nodes", index, "inputs"],
        message: `operator '${n.op.name}' consumes ${n.op.consumes.join("/")} but its inputs only produce ${[...kinds].join("/") || "nothing"}`,
      });
    }
    produced.set(n.spec.id, new Set(n.op.produces));
  }
  return issues;
};
