export type OptionRight = "call" | "put";
export type ExerciseStyle = "american" | "european";

/** One option under Black-Scholes-Merton: continuously compounded rate and dividend yield, year fractions. */
export interface OptionInputs {
  right: OptionRight;
  spot: number;
  strike: number;
  tYears: number;
  rate: number;
  divYield: number;
  vol: number;
}

/**
 * Raw partial derivatives: vega per 1.00 of sigma, theta = dV/dt per year of calendar time (negative for
 * decay), rho per 1.00 of r, divRho per 1.00 of q, vanna = d2V/dS dsigma, volga = d2V/dsigma2,
 * charm = d(delta)/dt per year of calendar time.
 */
export interface GreekValues {
  price: number;
  delta: number;
  gamma: number;
  vega: number;
  theta: number;
  rho: number;
  divRho?: number;
  vanna?: number;
  volga?: number;
  charm?: number;
}

export type IvStatus = "ok" | "below_intrinsic" | "above_max" | "expired" | "invalid_input";

export interface IvResult {
  status: IvStatus;
  iv: number | null;
}

export interface ImpliedVolQuery {
  right: OptionRight;
  style: ExerciseStyle;
  spot: number;
  strike: number;
  tYears: number;
  rate: number;
  divYield: number;
  price: number;
}

/** Status codes used by the batch kernels (Uint8Array); index into IV_STATUS_NAMES for the name. */
export const IV_STATUS_CODE = {
  ok: 0,
  below_intrinsic: 1,
  above_max: 2,
  expired: 3,
  invalid_input: 4,
} as const satisfies Record<IvStatus, number>;

export const IV_STATUS_NAMES: readonly IvStatus[] = [
  "ok",
  "below_intrinsic",
  "above_max",
  "expired",
  "invalid_input",
];

/** Right codes in batch inputs (Uint8Array): 0 = call, 1 = put. */
export const RIGHT_CODE = { call: 0, put: 1 } as const satisfies Record<OptionRight, number>;
