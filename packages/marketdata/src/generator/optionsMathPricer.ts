import {
  AMERICAN_SCHEMES,
  americanPrice,
  emptyGreeks,
  europeanGreeksInto,
  europeanPrice,
} from "@thetaflow/options-math";
import type { OptionPricer } from "./pricer.js";

const scratch = emptyGreeks();

/** The generator's default pricer: options-math's European closed form and ALO American engine. */
export const optionsMathPricer: OptionPricer = {
  price: (style, inputs) =>
    style === "american"
      ? americanPrice({ ...inputs }, AMERICAN_SCHEMES.standard)
      : europeanPrice({ ...inputs }),
  delta: (inputs) => {
    europeanGreeksInto({ ...inputs }, scratch);
    return scratch.delta;
  },
};
