/** A Map that forgets its oldest insertions beyond `capacity`: joins across events stay bounded in memory. */
export class BoundedMap<K, V> {
  readonly #map = new Map<K, V>();

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.#map.size;
  }

  get(key: K): V | undefined {
    return this.#map.get(key);
  }

  has(key: K): boolean {
    return this.#map.has(key);
  }

  set(key: K, value: V): void {
    if (!this.#map.has(key) && this.#map.size >= this.capacity) {
      const oldest = this.#map.keys().next();
      if (oldest.done !== true) this.#map.delete(oldest.value);
    }
    this.#map.set(key, value);
  }

  delete(key: K): boolean {
    return this.#map.delete(key);
  }

  values(): IterableIterator<V> {
    return this.#map.values();
  }
}

/** Keeps the last `capacity` items appended. */
export class Ring<T> {
  readonly #items: T[] = [];
  #total = 0;

  constructor(readonly capacity: number) {}

  push(item: T): void {
    this.#items.push(item);
    this.#total++;
    // Trim in chunks: one splice per `capacity` pushes instead of one per push.
    if (this.#items.length >= 2 * this.capacity) this.#items.splice(0, this.#items.length - this.capacity);
  }

  /** Items appended since the caller last saw `total` items (those still held). */
  since(total: number): T[] {
    const fresh = Math.min(this.#total - total, this.capacity, this.#items.length);
    return fresh <= 0 ? [] : this.#items.slice(this.#items.length - fresh);
  }

  get total(): number {
    return this.#total;
  }

  toArray(): T[] {
    return this.#items.slice(-this.capacity);
  }
}
