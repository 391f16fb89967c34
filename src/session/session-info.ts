import { randomUUID } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { ReadOnlyMap } from "./read-only-collections.js";

// What a session knows of its handshake and of itself, built lazily: its id, the query's parameter map,
// the frozen request headers, and user properties that report changes. Cut from ws-session.ts, which
// keeps the session's state and sends.

// Session ids: a random prefix per process and a counter, UUID-shaped. Unique across the nodes of a
// cluster like a UUID, at a fraction of randomUUID's cost per connection.
const ID_PREFIX = randomUUID().slice(0, 24);
let lastId = 0;

/** The number of a new session; its id string is built from it when first asked for. */
export function nextSessionNumber(): number {
  return ++lastId;
}

/** The id of the session numbered `n`, built when first asked for: an idle session nobody asks keeps a small integer (T5, T7). */
export function sessionId(n: number): string {
  // join() builds one flat string; `+` would keep a cons string and its right half (9 bytes more per session).
  return [ID_PREFIX, n.toString(16).padStart(12, "0")].join("");
}

const PARAMETER_MAP = "getRequestParameterMap()";
const EMPTY_PARAMS: ReadonlyMap<string, readonly string[]> = new ReadOnlyMap([], PARAMETER_MAP);

/** `getRequestParameterMap()` of a query string (without `?`): every value of each name, read-only. */
export function parameterMap(query: string): ReadonlyMap<string, readonly string[]> {
  if (query === "") return EMPTY_PARAMS;
  const map = new Map<string, string[]>();
  for (const [k, v] of new URLSearchParams(query)) {
    const list = map.get(k);
    if (list) list.push(v);
    else map.set(k, [v]);
  }
  for (const list of map.values()) Object.freeze(list);
  return new ReadOnlyMap(map, PARAMETER_MAP);
}

/** Freezes request headers for `getRequestHeaders()`. */
export function freezeHeaders(headers: IncomingHttpHeaders): Readonly<IncomingHttpHeaders> {
  // Arrays (set-cookie) are copied too: they may still be the caller's.
  for (const [k, v] of Object.entries(headers)) if (Array.isArray(v)) headers[k] = Object.freeze([...v]) as string[];
  return Object.freeze(headers);
}

/** User properties that tell the room registry when they change (the user id may come from one). */
export class WatchedProperties extends Map<string, unknown> {
  constructor(private readonly owner: { userPropertiesChanged(): void }) {
    super();
  }
  override set(key: string, value: unknown): this {
    super.set(key, value);
    this.owner.userPropertiesChanged();
    return this;
  }
  override delete(key: string): boolean {
    const had = super.delete(key);
    if (had) this.owner.userPropertiesChanged();
    return had;
  }
  override clear(): void {
    super.clear();
    this.owner.userPropertiesChanged();
  }
}
