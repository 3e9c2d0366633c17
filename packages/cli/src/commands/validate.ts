import { readFileSync } from "node:fs";
import { compileTopology } from "@thetaflow/core";
import type { Command } from "commander";
import { Either } from "effect";
import { defaultRegistries } from "../registries.js";

export const register = (program: Command): void => {
  program
    .command("validate")
    .description("Check a topology file without running it: exit 0 if valid, 1 with file:line errors")
    .argument("<topology>", "topology YAML file")
    .action((file: string) => {
      let text: string;
      try {
        text = readFileSync(file, "utf8");
      } catch (e) {
        console.error(`${file}: cannot read: ${(e as Error).message}`);
        process.exitCode = 1;
        return;
      }
      const result = compileTopology(file, text, defaultRegistries());
      if (Either.isLeft(result)) {
        console.error(result.left.message);
        process.exitCode = 1;
        return;
      }
      const t = result.right;
      console.log(
        `${file}: ok — ${t.sources.length} source(s), ${t.nodes.length} node(s), ${t.sinks.length} sink(s); hash ${t.hash.slice(0, 16)}`,
      );
    });
};
