import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type Divergence, diffRuns, type RunReport } from "@thetaflow/connectors";
import { compileTopology } from "@thetaflow/core";
import type { Command } from "commander";
import { Either } from "effect";
import { defaultRegistries } from "../registries.js";

/** The nodes feeding the sink that wrote `file` and producing its event kind: where to look first. */
const producingNodes = (runDir: string, d: Divergence): string[] => {
  try {
    const report = JSON.parse(readFileSync(join(runDir, "run.json"), "utf8")) as RunReport;
    const text = readFileSync(report.topology, "utf8");
    const topology = Either.getOrThrow(compileTopology(report.topology, text, defaultRegistries()));
    const sink = topology.sinks.find(
      (s) => (s.params as { file?: string }).file === d.file || `${s.spec.id}.ndjson` === d.file,
    );
    if (sink === undefined) return [];
    const nodes = new Map(topology.nodes.map((n) => [n.spec.id, n]));
    return sink.spec.inputs.filter((id) => {
      const n = nodes.get(id);
      if (n === undefined) return d.kind === "DeadLetter" ? id === "deadLetters" : true;
      return d.kind === undefined || n.op.produces.includes(d.kind as never);
    });
  } catch {
    return [];
  }
};

const show = (v: unknown) => (v === undefined ? "(absent)" : JSON.stringify(v));

export const register = (program: Command): void => {
  program
    .command("diff")
    .description(
      "Compare two runs' outputs and name the first divergence (node, event, field) in each differing file",
    )
    .argument("<runA>", "run directory (with run.json)")
    .argument("<runB>", "run directory (with run.json)")
    .action(async (a: string, b: string) => {
      const diff = await diffRuns(a, b);
      if (diff.topologyHashes[0] !== diff.topologyHashes[1])
        console.log(
          `note: different topologies (${diff.topologyHashes[0].slice(0, 12)} vs ${diff.topologyHashes[1].slice(0, 12)})`,
        );
      for (const f of diff.onlyInA) console.log(`only in ${a}: ${f}`);
      for (const f of diff.onlyInB) console.log(`only in ${b}: ${f}`);
      for (const d of diff.divergences) {
        const nodes = producingNodes(a, d);
        console.log(`${d.file}:${d.line}: first divergence`);
        console.log(`  node(s)  ${nodes.length > 0 ? nodes.join(", ") : "(unknown)"}`);
        console.log(
          `  event    ${d.kind ?? "?"}${d.subject ? ` ${d.subject}` : ""}${d.eventTime !== undefined ? ` at eventTime ${d.eventTime}` : ""}`,
        );
        if (d.missingIn !== undefined)
          console.log(`  ${d.missingIn === "a" ? a : b} ends here; the other run has more events`);
        else if (d.field !== undefined)
          console.log(`  field    ${d.field.path}: ${show(d.field.a)} vs ${show(d.field.b)}`);
        else console.log(`  lines    ${show(d.a)}\n           ${show(d.b)}`);
      }
      if (diff.identical) console.log("identical: every output file matches byte for byte");
      else process.exitCode = 1;
    });
};
