import { builtinSinks } from "@thetaflow/connectors";
import { type AnyOperator, type Registries, Registry } from "@thetaflow/core";
import { runningSum } from "../../packages/core/src/__fixtures__/runningSum.js";

/** The built-in sinks plus a tiny test operator, for runtime tests that must not depend on analytics. */
export const fixtureRegistries = (): Registries => ({
  operators: new Registry<AnyOperator>("operator").register(runningSum as unknown as AnyOperator),
  sinks: builtinSinks(),
});
