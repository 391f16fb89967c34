/**
 * A Map that refuses changes at run time, for the request data a session hands out
 * (`getRequestParameterMap()`): the `ReadonlyMap` type says so at compile time, this makes JavaScript
 * callers and casts fail loudly instead of changing what every later handler reads.
 */
export class ReadOnlyMap<K, V> extends Map<K, V> {
  /** @param what The accessor named in the TypeError, e.g. `getRequestParameterMap()`. */
  constructor(
    entries: Iterable<readonly [K, V]>,
    private readonly what: string,
  ) {
    // Filled through Map's own set: this class's set refuses.
    super();
    for (const [k, v] of entries) super.set(k, v);
    Object.freeze(this);
  }

  override set(key: K): this {
    throw new TypeError(`${this.what} is read-only: cannot set ${String(key)}. Copy it first (new Map(map)) to change it.`);
  }

  override delete(key: K): boolean {
    throw new TypeError(`${this.what} is read-only: cannot delete ${String(key)}. Copy it first (new Map(map)) to change it.`);
  }

  override clear(): void {
    throw new TypeError(`${this.what} is read-only: cannot clear it. Copy it first (new Map(map)) to change it.`);
  }
}
