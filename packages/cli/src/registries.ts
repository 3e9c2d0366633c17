import { builtinSinks } from "@thetaflow/connectors";
import type { Registries } from "@thetaflow/core";
import { type IbSinkHooks, ibSink } from "@thetaflow/ib";
import { builtinOperators } from "@thetaflow/operators";

export interface RegistryOptions {
  /** How an `ib` sink reports to the run (kill switch, audit, alerts); a topology can name one either way. */
  readonly ib?: IbSinkHooks;
}

/**
 * The operators and sink types a topology may name in this build. The `ib` sink is added here, not in
 * connectors: connectors stay free of any broker dependency.
 */
export const defaultRegistries = (options: RegistryOptions = {}): Registries => ({
  operators: builtinOperators(),
  sinks: builtinSinks().register(ibSink(options.ib)),
});
