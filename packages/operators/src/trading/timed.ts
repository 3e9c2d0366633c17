/**
 * The last two values of an input with their event times. A decision about the snapshot at time T
 * reads the newest value stamped at or before T, so an input that already moved on to T+1 (a regime
 * computed from the next close) can never leak into a decision about T.
 */
export interface Timed<T> {
  readonly latest: { readonly time: number; readonly value: T } | null;
  readonly previous: { readonly time: number; readonly value: T } | null;
}

export const noValue: Timed<never> = { latest: null, previous: null };

export const pushTimed = <T>(slot: Timed<T>, time: number, value: T): Timed<T> => {
  if (slot.latest !== null && slot.latest.time === time)
    return { latest: { time, value }, previous: slot.previous };
  return { latest: { time, value }, previous: slot.latest };
};

export const valueAsOf = <T>(slot: Timed<T>, time: number): T | null => {
  if (slot.latest !== null && slot.latest.time <= time) return slot.latest.value;
  if (slot.previous !== null && slot.previous.time <= time) return slot.previous.value;
  return null;
};
