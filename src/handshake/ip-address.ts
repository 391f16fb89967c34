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

const IPV4_PART = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]\d|\d)$/;
const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;
/** Longest IPv6 text: eight groups of four, seven colons, or six groups and a dotted IPv4 tail. */
const MAX_TEXT = 45;

/** Dotted-quad IPv4 without leading zeros (as `net.isIPv4`), or null. */
function parseIpv4(text: string): number[] | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  const b: number[] = [];
  for (const p of parts) {
    if (!IPV4_PART.test(p)) return null;
    b.push(Number(p));
  }
  return [(b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!];
}

/** Hex groups separated by `:`, the last possibly a dotted IPv4 (two groups); null when one is not. */
function hexGroups(text: string, out: number[], allowIpv4Tail: boolean): boolean {
  if (text === "") return true;
  const parts = text.split(":");
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (HEX_GROUP.test(p)) out.push(parseInt(p, 16));
    else if (allowIpv4Tail && i === parts.length - 1 && p.includes(".")) {
      const v4 = parseIpv4(p);
      if (v4 === null) return false;
      out.push(v4[0]!, v4[1]!);
    } else return false;
  }
  return true;
}

/** An IPv6 literal (RFC 4291 §2.2; no zone index), or null. */
function parseIpv6(text: string): number[] | null {
  const gap = text.indexOf("::");
  if (gap !== -1 && text.indexOf("::", gap + 1) !== -1) return null;
  const head: number[] = [];
  const tail: number[] = [];
  if (gap === -1) {
    if (!hexGroups(text, head, true) || head.length !== 8) return null;
    return head;
  }
  if (!hexGroups(text.slice(0, gap), head, false) || !hexGroups(text.slice(gap + 2), tail, true)) return null;
  const zeros = 8 - head.length - tail.length;
  if (zeros < 1) return null;
  return [...head, ...new Array<number>(zeros).fill(0), ...tail];
}

/**
 * The groups of an IPv4 or IPv6 literal, or null when `text` is not one. IPv4-mapped IPv6 becomes IPv4.
 * Strict: no zone index, brackets, port or surrounding space.
 */
export function parseIp(text: string): IpGroups | null {
  if (text.length === 0 || text.length > MAX_TEXT) return null;
  if (!text.includes(":")) return parseIpv4(text);
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
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLength) [best, bestLength] = [i, j - i];
    i = j;
  }
  const hex = (from: number, to: number): string => g.slice(from, to).map((n) => n.toString(16)).join(":");
  return best === -1 ? hex(0, 8) : `${hex(0, best)}::${hex(best + bestLength, 8)}`;
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
