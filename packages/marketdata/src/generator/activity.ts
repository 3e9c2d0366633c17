import type { Rng } from "../random/prng.js";

/**
 * Volume and open interest: both concentrate near the money and in the front months, and open
 * interest persists from day to day (it only moves by a fraction of the day's volume), the way a
 * real chain's OI evolves.
 */
export interface ActivityInputs {
  readonly standardisedMoneyness: number;
  readonly dte: number;
  readonly monthly: boolean;
  readonly liquidity: number;
  /** Scales volume with the market's stress (e.g. VIX / 16). */
  readonly stress: number;
}

const profile = (a: ActivityInputs): number => {
  const nearMoney = Math.exp(-0.5 * (a.standardisedMoneyness / 1.2) ** 2);
  const front = 1 / (1 + a.dte / 20);
  return nearMoney * front * (a.monthly ? 1.6 : 1) * a.liquidity;
};

export const dailyVolume = (a: ActivityInputs, rng: Rng): number => {
  const mean = 4000 * profile(a) * a.stress;
  return Math.max(0, Math.round(mean * Math.exp(0.6 * rng.normal() - 0.18)));
};

/** Tracks open interest per contract across snapshots of one run. */
export class OpenInterestBook {
  private readonly book = new Map<string, number>();

  /** Today's open interest, updated with yesterday's volume; seeded from the profile on first sight. */
  next(contract: string, a: ActivityInputs, volume: number, rng: Rng): number {
    const prior = this.book.get(contract);
    const oi =
      prior === undefined
        ? Math.round(30000 * profile(a) * (0.5 + rng.uniform()))
        : Math.max(0, Math.round(prior + volume * (rng.uniform() - 0.4)));
    this.book.set(contract, oi);
    return oi;
  }

  /** Drops expired contracts so the book stays small over multi-year runs. */
  forget(predicate: (contract: string) => boolean): void {
    for (const key of [...this.book.keys()]) if (predicate(key)) this.book.delete(key);
  }
}
