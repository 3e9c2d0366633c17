import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { topologyJsonSchema } from "@thetaflow/core";
import { eventJsonSchema, eventKinds } from "@thetaflow/schemas";
import type { Command } from "commander";
import { defaultRegistries } from "../registries.js";

export const register = (program: Command): void => {
  program
    .command("schemas")
    .description(
      "Write a JSON Schema per event kind and one for topology files (for editors and other languages)",
    )
    .option("-o, --out <dir>", "output directory", "schemas/json")
    .action((opts: { out: string }) => {
      mkdirSync(opts.out, { recursive: true });
      for (const kind of eventKinds)
        writeFileSync(
          join(opts.out, `${kind}.schema.json`),
          `${JSON.stringify(eventJsonSchema(kind), null, 2)}\n`,
        );
      writeFileSync(
        join(opts.out, "topology.schema.json"),
        `${JSON.stringify(topologyJsonSchema(defaultRegistries()), null, 2)}\n`,
      );
      console.log(`wrote ${eventKinds.length} event schemas and topology.schema.json to ${opts.out}`);
    });
};
