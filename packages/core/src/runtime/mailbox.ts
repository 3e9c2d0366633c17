/**
 * Bounded FIFO ring buffer. `offer` refuses (returns false) when full so the caller decides: pause its
 * source (backpressure) or dead-letter the event. It never grows, so a slow actor cannot eat memory.
 */
export class Mailbox<T> {
  readonly #items: (T | undefined)[];
  #head = 0;
  #size = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`mailbox capacity must be >= 1, got ${capacity}`);
    this.#items = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.#size;
  }

  offer(item: T): boolean {
    if (this.#size === this.capacity) return false;
    this.#items[(this.#head + this.#size) % this.capacity] = item;
    this.#size++;
    return true;
  }

  poll(): T | undefined {
    if (this.#size === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.capacity;
    this.#size--;
    return item;
  }
}
