import { Command } from "commander";
import { commandRegistrars } from "./commands/index.js";

const program = new Command()
  .name("thetaflow")
  .description("Actor-based stream processing engine for options trading")
  .showHelpAfterError()
  .version("0.1.0");

for (const register of commandRegistrars) register(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(`thetaflow: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
