import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { readHops } from "../../src/handshake/forwarded-header.js";
import { formatIp } from "../../src/handshake/ip-address.js";
import { checkTrustProxy, compileTrustProxy, type TrustProxy } from "../../src/handshake/trust-proxy.js";
import { silentLogger, type Logger } from "../../src/index.js";

const PROXY = "10.0.0.2";

function addressOf(trust: TrustProxy, peer: string, header: string | undefined, format?: "x-forwarded-for" | "forwarded", logger: Logger = silentLogger): string {
  const t = compileTrustProxy(trust, format, logger);
  const name = format ?? "x-forwarded-for";
  return t === null ? peer : t.clientAddress(header === undefined ? {} : { [name]: header }, peer);
}

describe("trustProxy off", () => {
  it.each([false, 0, undefined])("%j compiles to nothing: no header is read", (value) => {
    expect(compileTrustProxy(value, undefined, silentLogger)).toBeNull();
  });
});

describe("X-Forwarded-For: the trust matrix", () => {
  it.each<[string, TrustProxy, string, string | undefined, string]>([
    // [case, trustProxy, TCP peer, X-Forwarded-For, expected address]
    ["no header: the peer", true, PROXY, undefined, PROXY],
    ["empty header: the peer", true, PROXY, "", PROXY],
    ["true: the left-most entry", true, PROXY, "203.0.113.9, 198.51.100.1, 10.0.0.1", "203.0.113.9"],
    ["1 hop: the right-most entry (one nginx)", 1, PROXY, "6.6.6.6, 203.0.113.9", "203.0.113.9"],
    ["2 hops: the second from the right", 2, PROXY, "6.6.6.6, 203.0.113.9, 10.0.0.1", "203.0.113.9"],
    ["2 hops, one entry: that entry", 2, PROXY, "203.0.113.9", "203.0.113.9"],
    ["CIDR: trusted peer, then the first untrusted entry", "10.0.0.0/8", PROXY, "6.6.6.6, 203.0.113.9, 10.0.0.1", "203.0.113.9"],
    ["CIDR: untrusted peer, header ignored (spoofing)", "10.0.0.0/8", "192.0.2.50", "203.0.113.9", "192.0.2.50"],
    ["CIDR: every entry trusted: the left-most", "10.0.0.0/8", PROXY, "10.9.9.9, 10.0.0.1", "10.9.9.9"],
    ["names: loopback peer, uniquelocal hop", "loopback, uniquelocal", "127.0.0.1", "203.0.113.9, 192.168.1.4", "203.0.113.9"],
    ["list of strings", ["127.0.0.1", "192.168.0.0/16"], "127.0.0.1", "203.0.113.9, 192.168.1.4", "203.0.113.9"],
    ["IPv6 peer trusted, IPv6 client", "loopback", "::1", "2001:DB8:0:0:0:0:0:7", "2001:db8::7"],
    ["IPv6 range", "fd00::/8", "fd00::2", "2001:db8::7, fd00::9", "2001:db8::7"],
    ["IPv4-mapped peer matches the IPv4 range", "10.0.0.0/8", "::ffff:10.0.0.2", "203.0.113.9", "203.0.113.9"],
    ["IPv4-mapped entry becomes IPv4", 1, PROXY, "::ffff:203.0.113.9", "203.0.113.9"],
    ["IPv4 with a port (Azure)", 1, PROXY, "203.0.113.9:52100", "203.0.113.9"],
    ["bracketed IPv6 with a port", 1, PROXY, "[2001:db8::7]:443", "2001:db8::7"],
    ["repeated headers, joined by Node", 2, PROXY, "203.0.113.9, 10.0.0.1", "203.0.113.9"],
  ])("%s", (_case, trust, peer, header, expected) => {
    expect(addressOf(trust, peer, header)).toBe(expected);
  });

  it.each<[string, TrustProxy, string, string]>([
    ["garbage entry: the trusted hop that sent it", 1, PROXY, "not-an-ip"],
    ["zone index", 1, PROXY, "fe80::1%eth0"],
    ["a very long entry", 1, PROXY, `1.${"1".repeat(10_000)}`],
    ["port on bare IPv6 (ambiguous)", 1, PROXY, "2001:db8::7:443:1:2:3:4:5"],
    ["a bad port", 1, PROXY, "203.0.113.9:http"],
    ["unknown", true, PROXY, "unknown"],
  ])("malformed, %s: never an address", (_case, trust, peer, header) => {
    const got = addressOf(trust, peer, header);
    expect(got).toBe(peer);
  });

  it("malformed entry further left: the walk stops at the last good hop", () => {
    expect(addressOf(true, PROXY, "203.0.113.9, garbage, 10.0.0.1")).toBe("10.0.0.1");
    expect(addressOf(2, PROXY, "203.0.113.9, , 10.0.0.1")).toBe("10.0.0.1");
  });

  it("an untrusted peer never has its headers read, however they look", () => {
    const spy = vi.fn(() => false);
    const t = compileTrustProxy(spy, undefined, silentLogger)!;
    const headers = new Proxy({}, { get: () => { throw new Error("header read"); } });
    expect(t.clientAddress(headers, "192.0.2.50")).toBe("192.0.2.50");
    expect(spy).toHaveBeenCalledWith("192.0.2.50", 0);
  });

  it("a function sees each address (canonical, hop 0 = peer) until it says no", () => {
    const seen: [string, number][] = [];
    const trust = (a: string, hop: number): boolean => {
      seen.push([a, hop]);
      return a.startsWith("10.");
    };
    expect(addressOf(trust, PROXY, "6.6.6.6, 203.0.113.9, ::FFFF:10.0.0.1")).toBe("203.0.113.9");
    expect(seen).toEqual([[PROXY, 0], ["10.0.0.1", 1], ["203.0.113.9", 2]]);
  });

  it("a function that throws or returns a promise trusts nothing and is logged once", async () => {
    const logger = { ...silentLogger, error: vi.fn() };
    const throwing = compileTrustProxy(() => { throw new Error("boom"); }, undefined, logger)!;
    expect(throwing.clientAddress({ "x-forwarded-for": "203.0.113.9" }, PROXY)).toBe(PROXY);
    expect(throwing.clientAddress({ "x-forwarded-for": "203.0.113.9" }, PROXY)).toBe(PROXY);
    expect(logger.error).toHaveBeenCalledTimes(1);
    const rejected = vi.fn();
    process.once("unhandledRejection", rejected);
    const asyncTrust = compileTrustProxy((() => Promise.reject(new Error("async"))) as unknown as TrustProxy, undefined, logger)!;
    expect(asyncTrust.clientAddress({ "x-forwarded-for": "203.0.113.9" }, PROXY)).toBe(PROXY);
    await new Promise((resolve) => setImmediate(resolve));
    process.off("unhandledRejection", rejected);
    expect(rejected).not.toHaveBeenCalled();
    expect(logger.error).toHaveBeenCalledTimes(2);
  });

  it("reads at most the hops it may trust: a hop count of 2 reads two entries of a long header", () => {
    expect(readHops(Array.from({ length: 1000 }, (_, i) => `10.0.${i >> 8}.${i & 255}`).join(", "), "x-forwarded-for", 2).map((g) => g && formatIp(g))).toEqual([
      "10.0.3.231",
      "10.0.3.230",
    ]);
  });

  it("true reads at most 32 hops of a longer chain", () => {
    const chain = Array.from({ length: 100 }, (_, i) => `10.1.0.${i}`).join(",");
    expect(addressOf(true, PROXY, chain)).toBe("10.1.0.68");
  });
});

describe("Forwarded (RFC 7239)", () => {
  it.each<[string, TrustProxy, string, string]>([
    ["one element", 1, "for=203.0.113.9", "203.0.113.9"],
    ["quoted, other parameters, any case", 1, 'proto=https;For="203.0.113.9";by=10.0.0.2', "203.0.113.9"],
    ["bracketed IPv6 with a port", 1, 'for="[2001:db8:cafe::17]:4711"', "2001:db8:cafe::17"],
    ["two hops", 2, "for=6.6.6.6, for=203.0.113.9, for=10.0.0.1", "203.0.113.9"],
    ["a comma inside a quoted value does not split elements", 1, 'for="6.6.6.6,1.1.1.1", for=203.0.113.9', "203.0.113.9"],
    ["escaped quotes in another parameter", 1, 'for=6.6.6.6;x="a\\",b", for=203.0.113.9', "203.0.113.9"],
    ["CIDR trust", "10.0.0.0/8", "for=203.0.113.9, for=10.0.0.1", "203.0.113.9"],
  ])("%s", (_case, trust, header, expected) => {
    expect(addressOf(trust, PROXY, header, "forwarded")).toBe(expected);
  });

  it.each<[string, string]>([
    ["unknown", "for=unknown"],
    ["obfuscated", "for=_hidden"],
    ["no for", "proto=https;by=10.0.0.2"],
    ["two for", "for=1.1.1.1;for=203.0.113.9"],
    ["unbalanced quote", 'for="203.0.113.9'],
    ["text after a quoted value", 'for="203.0.113.9"x'],
    ["no =", "203.0.113.9"],
  ])("malformed, %s: the trusted hop that sent it", (_case, header) => {
    expect(addressOf(1, PROXY, header, "forwarded")).toBe(PROXY);
  });

  it("an unbalanced quote on the client's side does not hide the proxy's element", () => {
    expect(addressOf(1, PROXY, 'for="6.6.6.6, for=203.0.113.9', "forwarded")).toBe("203.0.113.9");
    expect(addressOf(1, PROXY, 'for=6.6.6.6;x="y, for=203.0.113.9', "forwarded")).toBe("203.0.113.9");
    // Two hops: the client's own element is unreadable, so the walk stops at the hop that forwarded it.
    expect(addressOf(2, PROXY, 'for="6.6.6.6, for=10.0.0.1', "forwarded")).toBe("10.0.0.1");
    expect(addressOf(1, PROXY, 'x="\\", for=203.0.113.9', "forwarded")).toBe("203.0.113.9");
  });

  it("only the configured header is read: X-Forwarded-For is ignored in forwarded mode and the reverse", () => {
    const t = compileTrustProxy(1, "forwarded", silentLogger)!;
    expect(t.clientAddress({ "x-forwarded-for": "6.6.6.6" }, PROXY)).toBe(PROXY);
    const x = compileTrustProxy(1, "x-forwarded-for", silentLogger)!;
    expect(x.clientAddress({ forwarded: "for=6.6.6.6" }, PROXY)).toBe(PROXY);
  });
});

describe("any header, any trust: never throws, and the address is the peer or an address the header names", () => {
  const trusts = fc.constantFrom<TrustProxy>(true, 1, 2, 3, "loopback, uniquelocal", "0.0.0.0/0", "::/0");
  const entry = fc.oneof(fc.ipV4(), fc.ipV6(), fc.constantFrom("unknown", "_x", "", " ", "[::1]:80", "1.2.3.4:5", '"', "\\"), fc.string({ maxLength: 12 }));
  const xff = fc
    .array(fc.tuple(entry, fc.constantFrom(",", ", ", " ,")), { maxLength: 40 })
    .map((a) => a.map(([e, sep], i) => (i === 0 ? e : sep + e)).join(""));
  const element = fc.tuple(entry, fc.integer({ min: 0, max: 3 })).map(([e, k]) => [`for=${e}`, `for="${e}"`, `by=x;for=${e}`, e][k]!);
  const fwd = fc.array(element, { maxLength: 40 }).map((a) => a.join(", "));

  it.each(["x-forwarded-for", "forwarded"] as const)("%s", (format) => {
    fc.assert(
      fc.property(trusts, format === "forwarded" ? fwd : xff, fc.constantFrom("10.0.0.2", "127.0.0.1", "::1", "192.0.2.1"), (trust, header, peer) => {
        const got = addressOf(trust, peer, header, format);
        if (got === peer) return;
        const named = readHops(header, format, 64).filter((g) => g !== null).map((g) => formatIp(g!));
        expect(named).toContain(got);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("checkTrustProxy", () => {
  it.each<[unknown, unknown, RegExp]>([
    [-1, undefined, /hop count must be an integer from 0 to 32; got -1/],
    [1.5, undefined, /hop count/],
    [33, undefined, /hop count/],
    ["10.0.0.0/40", undefined, /trustProxy: "10.0.0.0\/40": the prefix must be from 0 to 32/],
    [["loopback", "nope"], undefined, /"nope" is not an IP address/],
    [{}, undefined, /trustProxy must be a boolean, a hop count/],
    [[1], undefined, /trustProxy must be a boolean/],
    [1, "x-real-ip", /forwardedHeader must be one of "x-forwarded-for", "forwarded"/],
    [undefined, "forwarded", /forwardedHeader has no effect without trustProxy/],
  ])("%j / %j", (value, header, message) => {
    expect(checkTrustProxy(value, header).join("; ")).toMatch(message);
  });

  it.each<TrustProxy>([true, false, 0, 1, 32, "loopback", "loopback, 10.0.0.0/8", ["::1", "fc00::/7"], () => true, ""])("%j is valid", (value) => {
    expect(checkTrustProxy(value, undefined)).toEqual([]);
  });
});
