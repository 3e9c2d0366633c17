/**
 * The money rule of schemas/src/trading.ts: a price (float dollars per share) becomes money exactly
 * once, rounded half away from zero to integer cents. The 1e-6 pre-rounding absorbs binary noise such
 * as 1.005 * 100 = 100.49999999999999, which must round like the decimal it stands for.
 */
export const toCents = (dollars: number): number => {
  const cents = Math.round(Math.abs(dollars) * 100 * 1e6) / 1e6;
  const whole = Math.floor(cents + 0.5);
  return dollars < 0 ? -whole : whole;
};

/** Cents value of `contracts` (signed) at `price` per share with a contract multiplier. */
export const contractValueCents = (price: number, contracts: number, multiplier: number): number =>
  toCents(price * contracts * multiplier);

export const centsToDollars = (cents: number): number => cents / 100;
