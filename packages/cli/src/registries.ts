import { builtinSinks } from "@thetaflow/connectors";
import type { Registries } from "@thetaflow/core";
import { builtinOperators } from "@thetaflow/operators";

/** The operators and sink types a topology may name in this build. */
export const defaultRegistries = (): Registries => ({ operators: builtinOperators(), sinks: builtinSinks() });
