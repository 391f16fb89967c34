import type { IncomingHttpHeaders } from "node:http";

/**
 * @hidden The handshake request headers as a session keeps them: the object itself, or packed into one
 * string by {@link packHeaders}. A session keeps its request headers for `getRequestHeaders()` as long
 * as it lives, and an idle one rarely asks: the header object, its property array and one string per
 * value cost ~0.3 KB per connection (T5), the packed form a fraction of that.
 */
export type StoredHeaders = IncomingHttpHeaders | string;

/** Header names in order, shared by every request that sends the same ones, with the first such request's values. */
interface Layout {
  readonly names: readonly string[];
  readonly values: readonly string[];
}

// Each client library sends its own fixed set of names, and most values (host, upgrade, version,
// extensions, user agent, origin) repeat from one request to the next: a packed string holds the
// layout's index and only the values that differ from the layout's, one per line, SAME for the others.
// Bounded, so a peer inventing header names cannot grow it: past the bound, headers stay objects.
const MAX_LAYOUTS = 256;
const SAME = "\r";
const layouts: Layout[] = [];
const layoutIndex = new Map<string, number>();
let last = -1;

/** `headers` packed as `index\nvalue-or-SAME\n…`, or the object itself when it does not fit that form. */
export function packHeaders(headers: IncomingHttpHeaders): StoredHeaders {
  // Consecutive handshakes mostly come from one kind of client: the last layout, compared name by name.
  if (last !== -1) {
    const packed = packAs(last, headers);
    if (packed !== undefined) return packed;
  }
  const names = Object.keys(headers);
  let index = layoutIndex.get(names.join("\n"));
  const parts: string[] = new Array<string>(names.length + 1);
  for (let i = 0; i < names.length; i++) {
    const v = headers[names[i]!];
    // Node joins repeated headers into one string; only set-cookie is an array. No value holds a CR or
    // LF (they end a header line) unless a hook put one there; "__proto__" could not be set back as a key.
    if (typeof v !== "string" || v.includes("\n") || v.includes("\r") || names[i] === "__proto__") return headers;
    parts[i + 1] = v;
  }
  if (index === undefined) {
    if (layouts.length >= MAX_LAYOUTS) return headers;
    index = layouts.push(Object.freeze({ names: Object.freeze(names), values: Object.freeze(parts.slice(1)) })) - 1;
    layoutIndex.set(names.join("\n"), index);
  }
  last = index;
  const shared = layouts[index]!.values;
  for (let i = 0; i < shared.length; i++) if (parts[i + 1] === shared[i]) parts[i + 1] = SAME;
  parts[0] = String(index);
  // join() builds one flat string; concatenation would keep a tree of the pieces alive.
  return parts.join("\n");
}

/**
 * `headers` packed on layout `index` when it has the layout's names in the layout's order, else
 * undefined. Values equal to the layout's were checked when the layout was made; only the others are.
 * No array of names is built.
 */
function packAs(index: number, headers: IncomingHttpHeaders): string | undefined {
  const { names, values } = layouts[index]!;
  const parts: string[] = new Array<string>(names.length + 1);
  parts[0] = String(index);
  let i = 0;
  for (const name in headers) {
    if (i === names.length || name !== names[i]) return undefined;
    const v = headers[name];
    if (v === values[i]) parts[++i] = SAME;
    else if (typeof v !== "string" || v.includes("\n") || v.includes("\r")) return undefined;
    else parts[++i] = v;
  }
  return i === names.length ? parts.join("\n") : undefined;
}

/** The headers object again: same names in the same order, same values. */
export function unpackHeaders(stored: StoredHeaders): IncomingHttpHeaders {
  if (typeof stored !== "string") return stored;
  const parts = stored.split("\n");
  const { names, values } = layouts[Number(parts[0])]!;
  const headers: IncomingHttpHeaders = {};
  for (let i = 0; i < names.length; i++) {
    const v = parts[i + 1]!;
    headers[names[i]!] = v === SAME ? values[i]! : v;
  }
  return headers;
}
