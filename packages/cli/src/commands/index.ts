import type { Command } from "commander";
import { register as registerBacktest } from "./backtest.js";
import { register as registerDiff } from "./diff.js";
import { register as registerFeatures } from "./features.js";
import { register as registerGenerate } from "./generate.js";
import { register as registerGreeks } from "./greeks.js";
import { register as registerIbFeed } from "./ibFeed.js";
import { register as registerImport } from "./import.js";
import { register as registerKill } from "./kill.js";
import { register as registerPublish } from "./publish.js";
import { register as registerRecord } from "./record.js";
import { register as registerRegimes } from "./regimes.js";
import { register as registerRun } from "./run.js";
import { register as registerSchemas } from "./schemas.js";
import { register as registerValidate } from "./validate.js";

/** Each command module adds itself to the program. One line per command. */
export const commandRegistrars: ReadonlyArray<(program: Command) => void> = [
  registerRun,
  registerKill,
  registerValidate,
  registerSchemas,
  registerDiff,
  registerPublish,
  registerRecord,
  registerGenerate,
  registerImport,
  registerGreeks,
  registerBacktest,
  registerFeatures,
  registerRegimes,
  registerIbFeed,
];
