import { BlockList, isIP } from "node:net";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatIp, inRange, parseIp, parseRanges, type IpGroups } from "../../src/handshake/ip-address.js";

const group = fc.integer({ min: 0, max: 0xffff });
const v4Groups = fc.tuple(group, group).map((g): IpGroups => g);
// Zero-heavy groups, so compressed forms and runs of zeros are common.
const v6Groups = fc.array(fc.oneof(fc.constant(0), group), { minLength: 8, maxLength: 8 }).filter((g) => !(g.slice(0, 5).every((n) => n === 0) && g[5] === 0xffff));
const anyGroups = fc.oneof(v4Groups, v6Groups);
const text = (g: IpGroups): string => formatIp(g);
const family = (g: IpGroups): "ipv4" | "ipv6" => (g.length === 2 ? "ipv4" : "ipv6");

describe("parseIp and formatIp", () => {
  it.each([
    ["127.0.0.1", "127.0.0.1"],
    ["::1", "::1"],
    ["::", "::"],
    ["2001:DB8:0:0:0:0:0:1", "2001:db8::1"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
    ["2001:0db8:0000:0000:0000:ff00:0042:8329", "2001:db8::ff00:42:8329"],
    ["1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7"],
    ["::ffff:10.0.0.1", "10.0.0.1"],
    ["::FFFF:a00:1", "10.0.0.1"],
    ["::1.2.3.4", "::102:304"],
    ["fe80::1:2", "fe80::1:2"],
  ])("%s → %s", (input, canonical) => {
    const g = parseIp(input);
    expect(g).not.toBeNull();
    expect(formatIp(g!)).toBe(canonical);
  });

  it.each([
    "", "1.2.3", "1.2.3.4.5", "01.2.3.4", "256.0.0.1", "1.2.3.4 ", " 1.2.3.4", "1.2.3.-4", "::1::", "1:2:3:4:5:6:7:8:9",
    "1:2:3:4:5:6:7:8::", "12345::", "fe80::1%eth0", "[::1]", "1.2.3.4:80", "::ffff:1.2.3", "g::1", ":1::", "1::2:", "unknown", "_hidden",
    "1.2.3.4::", `${"1:".repeat(40)}1`,
  ])("%j is not an address", (input) => {
    expect(parseIp(input)).toBeNull();
  });

  it("accepts exactly what net.isIP accepts (zone indexes aside), for random text near the grammar", () => {
    const chars = fc.constantFrom(..."0123456789abcdefABCDEF:.".split(""));
    const nearly = fc.oneof(fc.string({ unit: chars, maxLength: 45 }), fc.ipV4(), fc.ipV6(), fc.ipV4Extended());
    fc.assert(
      fc.property(nearly, (s) => {
        expect(parseIp(s) !== null).toBe(isIP(s) !== 0);
      }),
      { numRuns: 3000 },
    );
  });

  it("prints the canonical form (RFC 5952, the same as the WHATWG URL serializer) and reads it back", () => {
    fc.assert(
      fc.property(anyGroups, (g) => {
        const t = text(g);
        expect(parseIp(t)).toEqual(g);
        const viaUrl = g.length === 2 ? new URL(`http://${t}/`).hostname : new URL(`http://[${t}]/`).hostname.slice(1, -1);
        expect(t).toBe(viaUrl);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("ranges", () => {
  it("inRange agrees with net.BlockList for random ranges around random addresses", () => {
    const around = anyGroups.chain((g) =>
      fc.record({ g: fc.constant(g), prefix: fc.integer({ min: 0, max: g.length * 16 }), flip: fc.integer({ min: 0, max: g.length * 16 - 1 }) }),
    );
    fc.assert(
      fc.property(around, ({ g, prefix, flip }) => {
        const base = [...g];
        base[flip >> 4] ^= 0x8000 >> (flip & 15);
        const [range] = parseRanges(`${text(base)}/${prefix}`);
        const list = new BlockList();
        list.addSubnet(text(base), prefix, family(g));
        expect(inRange(g, range!)).toBe(list.check(text(g), family(g)));
        expect(inRange(g, range!)).toBe(flip >= prefix);
      }),
      { numRuns: 3000 },
    );
  });

  it("an IPv4 range never holds an IPv6 address, nor the reverse; IPv4-mapped addresses are IPv4", () => {
    const [v4] = parseRanges("0.0.0.0/0");
    const [v6] = parseRanges("::/0");
    expect(inRange(parseIp("::1")!, v4!)).toBe(false);
    expect(inRange(parseIp("1.2.3.4")!, v6!)).toBe(false);
    expect(inRange(parseIp("::ffff:10.1.2.3")!, parseRanges("10.0.0.0/8")[0]!)).toBe(true);
    expect(inRange(parseIp("10.1.2.3")!, parseRanges("::ffff:10.0.0.0/104")[0]!)).toBe(true);
  });

  it.each<[string, string, boolean]>([
    ["loopback", "127.255.0.1", true],
    ["loopback", "::1", true],
    ["loopback", "::2", false],
    ["uniquelocal", "172.31.255.255", true],
    ["uniquelocal", "172.32.0.0", false],
    ["uniquelocal", "fd12::1", true],
    ["linklocal", "fe80::abcd", true],
    ["linklocal", "169.254.9.9", true],
    ["10.1.0.0/255.255.0.0", "10.1.200.3", true],
    ["10.1.0.0/255.255.0.0", "10.2.0.3", false],
    ["10.0.0.7", "10.0.0.7", true],
    ["10.0.0.7", "10.0.0.8", false],
    ["2001:db8::/32", "2001:db8:ffff::1", true],
  ])("names, netmasks and single addresses: %s holds %s: %s", (entry, address, expected) => {
    expect(parseRanges(entry).some((r) => inRange(parseIp(address)!, r))).toBe(expected);
  });

  it.each([
    ["10.0.0.0/33", /prefix must be from 0 to 32/],
    ["::/129", /prefix must be from 0 to 128/],
    ["10.0.0.0/255.0.255.0", /invalid prefix; write a length/],
    ["::ffff:10.0.0.0/64", /prefix must be from 96 to 128/],
    ["10.0.0.0/x", /invalid prefix/],
    ["localhost", /not an IP address, a CIDR range .* "loopback", "linklocal", "uniquelocal"/],
    ["10.0.0.0/", /invalid prefix/],
  ])("%j is refused with a message saying why", (entry, message) => {
    expect(() => parseRanges(entry)).toThrow(message);
  });
});
