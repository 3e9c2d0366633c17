/** Named plugins (operators, sinks). A topology can only name what is registered: files never carry code. */
export class Registry<T extends { readonly name: string }> {
  readonly #byName = new Map<string, T>();

  constructor(readonly what: string) {}

  register(item: T): this {
    if (this.#byName.has(item.name)) throw new Error(`${this.what} '${item.name}' is already registered`);
    this.#byName.set(item.name, item);
    return this;
  }

  get(name: string): T | undefined {
    return this.#byName.get(name);
  }

  names(): string[] {
    return [...this.#byName.keys()].sort();
  }

  all(): T[] {
    return this.names().map((n) => this.#byName.get(n)!);
  }
}
