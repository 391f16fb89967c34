/**
 * IP literals and CIDR ranges for `trustProxy`, without a dependency: Node's `net.isIP` validates but
 * neither normalises nor matches ranges, and `net.BlockList` matches but crosses into C++ per check and
 * cannot print a canonical form. An address is its 16-bit groups: two for IPv4, eight for IPv6. An
 * IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) is its IPv4 address, so one client is one key however a
 * proxy writes it.
 */
export type IpGroups = readonly number[];

/** A range: the address with its host bits cleared and the prefix length, in bits of its family. */
export interface IpRange {
  readonly groups: IpGroups;
  readonly prefix: number;
}

// RFC 1918, 4193, 3927, 4291: the names Express and Fastify accept.
const NAMED: Readonly<Record<string, readonly string[]>> = {
  loopback: ["127.0.0.0/8", "::1/128"],
  linklocal: ["169.254.0.0/16", "fe80::/10"],
  uniquelocal: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"],
};

/** Names usable in `trustProxy` for well-known ranges. */
export const RANGE_NAMES: readonly string[] = Object.keys(NAMED);

/** Longest IPv6 text: eight groups of four, seven colons, or six groups and a dotted IPv4 tail. */
const MAX_TEXT = 45;
const DOT = 0x2e;
const COLON = 0x3a;

// Hand-written scanners: split() and regular expressions cost several times more per handshake.

/** Dotted-quad IPv4 from `start` to the end, without leading zeros (as `net.isIPv4`), or null. */
function parseIpv4(t: string, start: number): number[] | null {
  const b = [0, 0, 0, 0];
  let n = 0;
  let part = 0;
  let digits = 0;
  for (let i = start; i <= t.length; i++) {
    const c = i === t.length ? DOT : t.charCodeAt(i);
    if (c === DOT) {
      if (digits === 0 || n === 4) return null;
      b[n++] = part;
      part = 0;
      digits = 0;
    } else if (c >= 0x30 && c <= 0x39) {
      if (digits > 0 && part === 0) return null;
      part = part * 10 + c - 0x30;
      if (part > 255) return null;
      digits++;
    } else return null;
  }
  return n === 4 ? [(b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!] : null;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x57 : -1;
}

/** An IPv6 literal (RFC 4291 §2.2: `::` once, an optional dotted IPv4 tail; no zone index), or null. */
function parseIpv6(t: string): number[] | null {
  const g: number[] = [];
  let gap = -1;
  let i = 0;
  const len = t.length;
  if (t.charCodeAt(0) === COLON) {
    if (t.charCodeAt(1) !== COLON) return null;
    gap = 0;
    i = 2;
  }
  while (i < len) {
    let value = 0;
    let j = i;
    for (let h = hexValue(t.charCodeAt(j)); h >= 0 && j - i < 5; h = hexValue(t.charCodeAt(++j))) value = value * 16 + h;
    if (t.charCodeAt(j) === DOT) {
      const v4 = g.length <= 6 ? parseIpv4(t, i) : null;
      if (v4 === null) return null;
      g.push(v4[0]!, v4[1]!);
      break;
    }
    if (j === i || j - i > 4 || g.length === 8) return null;
    g.push(value);
    if (j === len) break;
    if (t.charCodeAt(j) !== COLON || ++j === len) return null;
    if (t.charCodeAt(j) === COLON) {
      if (gap !== -1) return null;
      gap = g.length;
      j++;
    }
    i = j;
  }
  if (gap === -1) return g.length === 8 ? g : null;
  if (g.length > 7) return null;
  const out = new Array<number>(8).fill(0);
  for (let k = 0; k < gap; k++) out[k] = g[k]!;
  for (let k = gap, o = 8 - (g.length - gap); k < g.length; k++, o++) out[o] = g[k]!;
  return out;
}

/**
 * The groups of an IPv4 or IPv6 literal, or null when `text` is not one. IPv4-mapped IPv6 becomes IPv4.
 * Strict: no zone index, brackets, port or surrounding space.
 */
export function parseIp(text: string): IpGroups | null {
  if (text.length === 0 || text.length > MAX_TEXT) return null;
  if (!text.includes(":")) return parseIpv4(text, 0);
  const g = parseIpv6(text);
  if (g === null) return null;
  return isMapped(g) ? [g[6]!, g[7]!] : g;
}

function isMapped(g: IpGroups): boolean {
  return g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff;
}

/** The canonical text: dotted IPv4, or RFC 5952 IPv6 (lower case, longest run of two or more zero groups as `::`). */
export function formatIp(g: IpGroups): string {
  if (g.length === 2) return `${g[0]! >> 8}.${g[0]! & 255}.${g[1]! >> 8}.${g[1]! & 255}`;
  let best = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLength) [best, bestLength] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  let out = "";
  for (let i = 0; i < 8; i++) {
    if (i === best) {
      out += "::";
      i += bestLength - 1;
      continue;
    }
    if (out !== "" && !out.endsWith(":")) out += ":";
    out += g[i]!.toString(16);
  }
  return out;
}

/** Whether `g` lies in `range` (an IPv4 address never lies in an IPv6 range, nor the reverse). */
export function inRange(g: IpGroups, range: IpRange): boolean {
  const r = range.groups;
  if (g.length !== r.length) return false;
  let bits = range.prefix;
  for (let i = 0; bits > 0; i++, bits -= 16) {
    const mask = bits >= 16 ? 0xffff : (0xffff << (16 - bits)) & 0xffff;
    if ((g[i]! & mask) !== r[i]) return false;
  }
  return true;
}

function masked(g: IpGroups, prefix: number): IpGroups {
  return g.map((n, i) => {
    const bits = prefix - 16 * i;
    return bits >= 16 ? n : bits <= 0 ? 0 : n & ((0xffff << (16 - bits)) & 0xffff);
  });
}

/** A contiguous IPv4 netmask (`255.255.0.0`) as a prefix length, or -1. */
function netmaskPrefix(g: IpGroups): number {
  const n = ((g[0]! << 16) | g[1]!) >>> 0;
  const ones = Math.clz32(~n);
  return ones === 32 || n << ones === 0 ? ones : -1;
}

/**
 * One `trustProxy` entry: an address, `address/prefix`, IPv4 `address/netmask`, or a range name. Throws
 * a `TypeError` whose message says what is wrong, for the option check to report.
 */
export function parseRanges(entry: string): IpRange[] {
  const named = NAMED[entry];
  if (named !== undefined) return named.map((r) => parseRanges(r)[0]!);
  const slash = entry.indexOf("/");
  const addressText = slash === -1 ? entry : entry.slice(0, slash);
  const g = parseIp(addressText);
  if (g === null) throw new TypeError(`${JSON.stringify(entry)} is not an IP address, a CIDR range (e.g. "10.0.0.0/8") or one of ${RANGE_NAMES.map((n) => `"${n}"`).join(", ")}`);
  const bits = g.length * 16;
  // An IPv4-mapped range is written in IPv6 bits; the address became IPv4, so its prefix does too.
  const shift = g.length === 2 && addressText.includes(":") ? 96 : 0;
  if (slash === -1) return [{ groups: g, prefix: bits }];
  const p = entry.slice(slash + 1);
  let prefix: number;
  if (/^\d{1,3}$/.test(p)) prefix = Number(p) - shift;
  else {
    const mask = g.length === 2 && shift === 0 ? parseIp(p) : null;
    prefix = mask !== null && mask.length === 2 ? netmaskPrefix(mask) : -1;
    if (prefix === -1) throw new TypeError(`${JSON.stringify(entry)} has an invalid prefix; write a length, e.g. "${addressText}/${bits === 32 ? 24 : 64}"`);
  }
  if (prefix < 0 || prefix > bits) {
    throw new TypeError(`${JSON.stringify(entry)}: the prefix must be from ${shift} to ${bits + shift} for this address`);
  }
  return [{ groups: masked(g, prefix), prefix }];
}
