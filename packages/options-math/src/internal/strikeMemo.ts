/**
 * ln(S/K) and √K of the last (spot, strike), shared by the implied-volatility solvers and the Greeks:
 * a quote's mid, bid and ask solves and its Greeks all reduce the same contract, and sorted chains
 * repeat a strike across expiries. [0] S, [1] K, [2] ln(S/K), [3] √K. Callers refill it inline (a
 * helper taking doubles would box them unless inlined) with exactly these expressions, so a value
 * read here is the one the caller would compute: results do not depend on call order.
 */
export const strikeMemo = new Float64Array(4).fill(Number.NaN);
