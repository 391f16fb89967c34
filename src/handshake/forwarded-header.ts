import { parseIp, type IpGroups } from "./ip-address.js";

/** The header a proxy writes the client's address into. */
export type ForwardedHeader = "x-forwarded-for" | "forwarded";

/** Most hops read from one header; a longer chain is read up to here (64 proxies in a row are not a deployment). */
export const MAX_HOPS = 32;

/**
 * Longest entry read: an address with brackets and port is at most 53 characters; a `Forwarded` element
 * may also carry `by`, `proto` and `host`. Anything longer is malformed, so a crafted header costs at
 * most this much scanning per hop.
 */
const MAX_ENTRY = 512;

const COMMA = 0x2c;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const PORT = /^:(?:\d{1,5}|_[\w.-]+)$/;

/**
 * The addresses a forwarding header reports, nearest hop first (right to left, the order proxies append
 * in), at most `max`. Reading stops after the first entry that is malformed or names no IP address
 * (`unknown`, an obfuscated `_id`, garbage): that entry is `null` and nothing to its left is read, since
 * where it ends cannot be trusted.
 */
export function readHops(header: string, format: ForwardedHeader, max: number): (IpGroups | null)[] {
  const out: (IpGroups | null)[] = [];
  let end = header.length;
  while (out.length < max) {
    const sep = previousSeparator(header, end, format === "forwarded");
    const hop = sep === -2 || end - sep - 1 > MAX_ENTRY ? null : hopAddress(header, sep + 1, end, format);
    out.push(hop);
    if (hop === null || sep < 0) break;
    end = sep;
  }
  return out;
}

/**
 * The comma before the entry ending at `end`: -1 at the start of the header, -2 when the entry is
 * longer than `MAX_ENTRY` or (with `quotes`, for `Forwarded`) leaves a quoted string open. Scans at most
 * `MAX_ENTRY` characters. Quotes are matched backwards: a quote after an odd number of backslashes is
 * escaped.
 */
function previousSeparator(h: string, end: number, quotes: boolean): number {
  let quoted = false;
  const stop = Math.max(0, end - MAX_ENTRY - 1);
  for (let i = end - 1; i >= stop; i--) {
    const c = h.charCodeAt(i);
    if (c === COMMA && !quoted) return i;
    if (quotes && c === QUOTE) {
      let b = 0;
      while (i - 1 - b >= stop && h.charCodeAt(i - 1 - b) === BACKSLASH) b++;
      if (b % 2 === 0) quoted = !quoted;
    }
  }
  return quoted || end > MAX_ENTRY + 1 ? -2 : -1;
}

function hopAddress(h: string, start: number, end: number, format: ForwardedHeader): IpGroups | null {
  const entry = h.slice(start, end).trim();
  const text = format === "forwarded" ? forParameter(entry) : entry;
  return text === null ? null : addressOf(text);
}

/**
 * The `for` value of one `Forwarded` element (RFC 7239 §4: `name=value` pairs split by `;`, values
 * tokens or quoted strings), or null when the element is malformed, has no `for`, or has two.
 */
function forParameter(element: string): string | null {
  let found: string | null = null;
  let i = 0;
  while (i < element.length) {
    const eq = element.indexOf("=", i);
    if (eq === -1) return null;
    const name = element.slice(i, eq).trim().toLowerCase();
    let value: string;
    let next: number;
    if (element.charCodeAt(eq + 1) === QUOTE) {
      let j = eq + 2;
      let escaped = false;
      for (; j < element.length && element.charCodeAt(j) !== QUOTE; j++) {
        if (element.charCodeAt(j) === BACKSLASH) [j, escaped] = [j + 1, true];
      }
      if (j >= element.length) return null;
      value = element.slice(eq + 2, j);
      if (escaped) value = value.replace(/\\(.)/g, "$1");
      next = element.indexOf(";", j + 1);
      if (element.slice(j + 1, next === -1 ? element.length : next).trim() !== "") return null;
    } else {
      next = element.indexOf(";", eq + 1);
      value = element.slice(eq + 1, next === -1 ? element.length : next).trim();
    }
    if (name === "for") {
      if (found !== null) return null;
      found = value;
    }
    if (next === -1) break;
    i = next + 1;
  }
  return found;
}

/** An address as proxies write it: bare, `[IPv6]`, with an optional `:port` after IPv4 or `]`. */
function addressOf(text: string): IpGroups | null {
  let a = text;
  if (a.charCodeAt(0) === 0x5b /* [ */) {
    const close = a.indexOf("]");
    if (close === -1 || (close + 1 < a.length && !PORT.test(a.slice(close + 1)))) return null;
    a = a.slice(1, close);
  } else {
    const colon = a.indexOf(":");
    if (colon !== -1 && colon === a.lastIndexOf(":")) {
      // One colon: IPv4 with a port (Azure, some CDNs); IPv6 has at least two.
      if (!PORT.test(a.slice(colon))) return null;
      a = a.slice(0, colon);
    }
  }
  return parseIp(a);
}
