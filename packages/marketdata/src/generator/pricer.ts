/**
 * The pricing functions the generator needs, in the shape of @thetaflow/options-math's API, so the
 * generator is a pure function of its pricer (tests can substitute a closed form).
 */
export interface PricingInputs {
  readonly right: "call" | "put";
  readonly spot: number;
  readonly strike: number;
  readonly tYears: number;
  readonly rate: number;
  readonly divYield: number;
  readonly vol: number;
}

export interface OptionPricer {
  readonly price: (style: "american" | "european", inputs: PricingInputs) => number;
  /** Delta stamped on synthesized quotes as the "vendor" delta; European is fine for that role. */
  readonly delta: (inputs: PricingInputs) => number;
}
