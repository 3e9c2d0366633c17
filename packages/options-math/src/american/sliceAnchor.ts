/**
 * Anchor times of expiry slices. A slice tabulates the exercise boundary at its quadrature points, which
 * move with the time to expiry T; a feed that stamps every quote with its own instant gives every quote
 * its own T, and a slice per quote costs far more than the quote's pricing. So slices are built at
 * anchor times on a fixed grid and a quote at T prices from the slice of its anchor T₀, its quadrature
 * and boundary moved from T₀ to T (expirySlice.ts).
 *
 * - A T that is a whole number of seconds of a 365-day year (the usual convention: snapshot-stamped
 *   chains, T = days/365) is its own anchor, bit for bit: such chains price from unmoved slices.
 * - Any other T goes to the nearest point of a grid of 2⁻¹⁴·T resolution (power-of-two steps in
 *   seconds), so |T − T₀| ≤ 2⁻¹⁵·T, and quotes of one expiry stamped over the next 2⁻¹⁴·T of time
 *   (about 5 s at a day to expiry, 2.6 min at a month) share one slice.
 *
 * The anchor is a pure function of T: which slices happen to be cached never changes a price.
 */
const SECONDS_PER_YEAR = 365 * 86_400;
const MICROS_PER_YEAR = SECONDS_PER_YEAR * 1_000_000;
/** log₂ of T/step: steps are at most 2⁻¹⁴ of T, so the nearest anchor is within 2⁻¹⁵·T. */
const RELATIVE_STEP_BITS = 14;
/** Largest relative move |T − T₀|/T. */
export const MAX_ANCHOR_SHIFT = 2 ** -(RELATIVE_STEP_BITS + 1);

/** Anchor T₀ of a time to expiry T > 0 (T itself when it is a whole second or degenerate). */
export function sliceAnchor(T: number): number {
  const seconds = T * SECONDS_PER_YEAR;
  if (!(seconds > 0 && seconds < Number.MAX_SAFE_INTEGER)) return T;
  // The same division a caller does for a whole number of seconds (event-time µs / µs per year), so
  // such a T comes back identical.
  if ((Math.round(seconds) * 1_000_000) / MICROS_PER_YEAR === T) return T;
  const step = 2 ** (Math.floor(Math.log2(seconds)) - RELATIVE_STEP_BITS);
  const anchor = (Math.round(seconds / step) * step) / SECONDS_PER_YEAR;
  return anchor > 0 ? anchor : T;
}
