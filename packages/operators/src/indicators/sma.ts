import * as ring from "./ring.js";

/**
 * Simple moving average of the last `period` values. The running sum is compensated (Neumaier) so
 * adding and removing thousands of values leaves no visible drift against a fresh sum.
 */
export interface Sma {
  readonly window: ring.Ring;
  readonly sum: number;
  readonly carry: number;
}

export const init = (period: number): Sma => ({ window: ring.init(period), sum: 0, carry: 0 });

const add = (sum: number, carry: number, x: number): [number, number] => {
  const t = sum + x;
  const c = Math.abs(sum) >= Math.abs(x) ? carry + (sum - t + x) : carry + (x - t + sum);
  return [t, c];
};

export const update = (s: Sma, x: number): Sma => {
  let [sum, carry] = add(s.sum, s.carry, x);
  if (ring.isFull(s.window)) [sum, carry] = add(sum, carry, -ring.evictee(s.window));
  return { window: ring.push(s.window, x), sum, carry };
};

export const ready = (s: Sma): boolean => ring.isFull(s.window);

export const value = (s: Sma): number | null => (ready(s) ? (s.sum + s.carry) / s.window.size : null);
