/**
 * Turns model prices into exchange-style bid/ask quotes: tick sizes, spreads that widen away from
 * the money and at both ends of the expiry range, and a pass that keeps bids and asks monotone in
 * strike (so quoted mids never invert the model's ordering).
 */
export interface TickRule {
  /** Penny-pilot classes quote $0.01 at every price. */
  readonly pennyPilot: boolean;
}

export const tickSize = (price: number, rule: TickRule): number =>
  rule.pennyPilot || price < 3 ? 0.01 : 0.05;

/** Integer cents keep tick arithmetic exact; the quote's number is cents / 100. */
const toCents = (x: number): number => Math.round(x * 100);

/** Largest tick-grid price ≤ x and smallest ≥ x, in cents. */
const floorToTick = (cents: number, rule: TickRule): number => {
  const tick = toCents(tickSize(cents / 100, rule));
  return Math.floor(cents / tick + 1e-9) * tick;
};
const ceilToTick = (cents: number, rule: TickRule): number => {
  const tick = toCents(tickSize(cents / 100, rule));
  return Math.ceil(cents / tick - 1e-9) * tick;
};

export interface SpreadInputs {
  readonly modelPrice: number;
  /** Standardised distance from the money: ln(K/F) / (σ√T). */
  readonly standardisedMoneyness: number;
  readonly dte: number;
  /** 1 for SPY; smaller is less liquid. */
  readonly liquidity: number;
  /** Uniform draw in [0, 1) that jitters the spread a little from day to day. */
  readonly jitter: number;
}

/** Full bid/ask width in dollars before rounding. */
export const spreadWidth = (s: SpreadInputs): number => {
  const away = 1 + 0.25 * Math.min(Math.abs(s.standardisedMoneyness), 5) ** 1.2;
  // Expiring contracts and long-dated ones are both quoted wider than the 1-2 month sweet spot.
  const expiry = s.dte <= 1 ? 1.6 : s.dte <= 5 ? 1.2 : s.dte > 45 ? 1 + (s.dte - 45) / 60 : 1;
  const base = 0.01 + 0.004 * s.modelPrice;
  return ((base * away * expiry) / Math.sqrt(s.liquidity)) * (0.85 + 0.3 * s.jitter);
};

export interface TwoSidedQuote {
  readonly bid: number;
  readonly ask: number;
}

/** Bid and ask on the tick grid around the model price, never negative, ask at least one tick. */
export const quoteAround = (
  modelPrice: number,
  width: number,
  rule: TickRule,
): { bidCents: number; askCents: number } => {
  const half = width / 2;
  const bidCents = Math.max(0, floorToTick(toCents(modelPrice - half), rule));
  const askCents = Math.max(
    toCents(tickSize(0, rule)),
    ceilToTick(Math.max(toCents(modelPrice + half), 1), rule),
  );
  return { bidCents, askCents };
};

/**
 * Makes bids and asks of one expiry/right monotone in strike in the direction the model prices
 * move (calls fall with strike, puts rise), by carrying the running bound along the strike axis.
 * Both sides monotone implies monotone mids, and bid ≤ ask survives the clamp.
 */
export const enforceMonotoneQuotes = (
  quotes: Array<{ bidCents: number; askCents: number }>,
  direction: "decreasing" | "increasing",
): void => {
  if (direction === "decreasing") {
    for (let i = 1; i < quotes.length; i++) {
      const prev = quotes[i - 1]!;
      const q = quotes[i]!;
      q.bidCents = Math.min(q.bidCents, prev.bidCents);
      q.askCents = Math.min(q.askCents, prev.askCents);
    }
  } else {
    for (let i = quotes.length - 2; i >= 0; i--) {
      const next = quotes[i + 1]!;
      const q = quotes[i]!;
      q.bidCents = Math.min(q.bidCents, next.bidCents);
      q.askCents = Math.min(q.askCents, next.askCents);
    }
  }
};
