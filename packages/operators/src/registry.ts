import { type AnyOperator, Registry } from "@thetaflow/core";

/** Every operator a topology may name. Adding an operator = its file, its test, one line here. */
export const builtinOperators = (): Registry<AnyOperator> => new Registry<AnyOperator>("operator");
