// Collections a session hands out that must not change under it: the ReadonlyMap/ReadonlySet types say
// so at compile time; these make JavaScript callers and casts fail loudly instead of silently changing
// what every later handler (or every other session) reads.

/** A Map that refuses changes at run time (`getRequestParameterMap()`). */
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

/** A Set that refuses changes at run time (`getRooms()`). */
export class ReadOnlySet<T> extends Set<T> {
  /** @param what The accessor named in the TypeError, e.g. `getRooms()`. */
  constructor(
    values: Iterable<T>,
    private readonly what: string,
  ) {
    super();
    for (const v of values) super.add(v);
    Object.freeze(this);
  }

  override add(value: T): this {
    throw new TypeError(`${this.what} is read-only: cannot add ${String(value)}. Copy it first (new Set(set)) to change it.`);
  }

  override delete(value: T): boolean {
    throw new TypeError(`${this.what} is read-only: cannot delete ${String(value)}. Copy it first (new Set(set)) to change it.`);
  }

  override clear(): void {
    throw new TypeError(`${this.what} is read-only: cannot clear it. Copy it first (new Set(set)) to change it.`);
  }
}
