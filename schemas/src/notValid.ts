/** What a compiled decoder returns for input its schema rejects (the reason comes from Schema). */
export const NOT_VALID: unique symbol = Symbol("NOT_VALID");
export type FastDecoder = (input: unknown) => unknown;
