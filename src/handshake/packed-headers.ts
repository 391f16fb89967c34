import type { IncomingHttpHeaders } from "node:http";

/**
 * @internal The handshake request headers as a session keeps them: the object itself, or packed into one
 * string by {@link packHeaders}. A session keeps its request headers for `getRequestHeaders()` as long
 * as it lives, and an idle one rarely asks: the header object, its property array and one string per
 * value cost ~0.3 KB per connection (T5), the packed form about half that.
 */
export type StoredHeaders = IncomingHttpHeaders | string;

// The header names of a request, in order, are shared by every request that sends the same ones (each
// client library sends its own fixed set): a packed string starts with the index of its names here.
// Bounded, so a peer inventing header names cannot grow it: past the bound, headers stay objects.
const MAX_LAYOUTS = 256;
const layouts: (readonly string[])[] = [];
const layoutIndex = new Map<string, number>();

/** `headers` packed as `index\nvalue\nvalue…`, or the object itself when it does not fit that form. */
export function packHeaders(headers: IncomingHttpHeaders): StoredHeaders {
  const names = Object.keys(headers);
  const parts: string[] = new Array<string>(names.length + 1);
  for (let i = 0; i < names.length; i++) {
    const v = headers[names[i]!];
    // Node joins repeated headers into one string; only set-cookie is an array. No value holds a line feed
    // (it ends a header line), unless a hook put one there; "__proto__" could not be set back as a key.
    if (typeof v !== "string" || v.includes("\n") || names[i] === "__proto__") return headers;
    parts[i + 1] = v;
  }
  const key = names.join("\n");
  let index = layoutIndex.get(key);
  if (index === undefined) {
    if (layouts.length >= MAX_LAYOUTS) return headers;
    index = layouts.push(Object.freeze(names)) - 1;
    layoutIndex.set(key, index);
  }
  parts[0] = String(index);
  // join() builds one flat string; concatenation would keep a tree of the pieces alive.
  return parts.join("\n");
}

/** The headers object again: same names in the same order, same values. */
export function unpackHeaders(stored: StoredHeaders): IncomingHttpHeaders {
  if (typeof stored !== "string") return stored;
  const parts = stored.split("\n");
  const names = layouts[Number(parts[0])]!;
  const headers: IncomingHttpHeaders = {};
  for (let i = 0; i < names.length; i++) headers[names[i]!] = parts[i + 1]!;
  return headers;
}
