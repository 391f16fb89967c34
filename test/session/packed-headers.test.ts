import { describe, expect, it } from "vitest";
import type { IncomingHttpHeaders } from "node:http";
import { packHeaders, unpackHeaders } from "../../src/session/packed-headers.js";

/** Same names in the same order, same values. */
function expectExact(actual: IncomingHttpHeaders, expected: IncomingHttpHeaders): void {
  expect(Object.keys(actual)).toEqual(Object.keys(expected));
  expect(actual).toStrictEqual(expected);
}

describe("packed request headers (issue 7, T5)", () => {
  it("unpacks to the headers as received: names, order and values", () => {
    const received: IncomingHttpHeaders = {
      host: "127.0.0.1:8080",
      connection: "Upgrade",
      upgrade: "websocket",
      "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
      "x-repeated": "a, b",
      "x-empty": "",
      cookie: "sid=1; theme=dark",
    };
    const packed = packHeaders({ ...received });
    expect(typeof packed).toBe("string");
    expectExact(unpackHeaders(packed), received);
  });

  it("keeps only what differs from the first request with the same names", () => {
    const a = packHeaders({ host: "shared.example", "x-token": "t-1" });
    const b = packHeaders({ host: "shared.example", "x-token": "t-2" });
    expect((a as string).split("\n")[0]).toBe((b as string).split("\n")[0]);
    expect(b).not.toContain("shared.example");
    expectExact(unpackHeaders(a), { host: "shared.example", "x-token": "t-1" });
    expectExact(unpackHeaders(b), { host: "shared.example", "x-token": "t-2" });
  });

  it.each([
    ["an array value (set-cookie)", { host: "h", "set-cookie": ["a=1", "b=2"] }],
    ["a value with a line feed (set by a hook)", { host: "h", "x-hook": "a\nb" }],
    ["a value with a carriage return (set by a hook)", { host: "h", "x-hook": "\r" }],
    ["no headers at all", {}],
  ])("keeps %s exact", (_what, received: IncomingHttpHeaders) => {
    expectExact(unpackHeaders(packHeaders(received)), received);
  });

  it("right after a request of one layout, packs others exact: a prefix, a longer list, another order, a value with a line break", () => {
    const first = { host: "h", upgrade: "websocket", "x-id": "1" };
    expectExact(unpackHeaders(packHeaders({ ...first })), first);
    const cases: IncomingHttpHeaders[] = [
      { host: "h", upgrade: "websocket" },
      { host: "h", upgrade: "websocket", "x-id": "2", "x-more": "m" },
      { upgrade: "websocket", host: "h", "x-id": "3" },
      { host: "h", upgrade: "websocket", "x-id": "a\nb" },
    ];
    for (const received of cases) {
      packHeaders({ ...first });
      expectExact(unpackHeaders(packHeaders({ ...received })), received);
    }
  });

  it("stays exact past the bound on distinct header-name sets", () => {
    for (let i = 0; i < 300; i++) {
      const received = { host: "h", [`x-layout-${i}`]: String(i) };
      expectExact(unpackHeaders(packHeaders(received)), received);
    }
  });
});
