import "reflect-metadata";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Configurator, HandshakeRejectedError, OnMessage, ServerEndpoint, type HandshakeRequest } from "../../src/index.js";
import { checkUpgradeRequest } from "../../src/handshake/upgrade-request.js";
import type { IncomingMessage } from "node:http";
import { TestServer } from "../../src/testing/index.js";
import { rawRequest, upgradeRequest, wsKey } from "../support/raw-http.js";

let created = 0;

/** Only requests carrying the secret (which the fuzzer never sends) get through, so no fuzzed request may open an endpoint. */
class SecretOnly extends Configurator {
  override authenticate(request: HandshakeRequest): unknown {
    if (request.headers["x-fuzz-secret"] !== "s3cret") throw new HandshakeRejectedError(401, "no");
    return "ok";
  }
}

@ServerEndpoint({ path: "/fz/{id}", subprotocols: ["a", "b"], configurator: SecretOnly, perMessageDeflate: true })
class Fuzzed {
  constructor() {
    created++;
  }
  @OnMessage() echo(t: string) {
    return t;
  }
}

const token = fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,12}$/);
const printable = fc.string({ unit: fc.constantFrom(..."abcXYZ019 ,;=-_/+:.\"'()[]{}*?%\t"), maxLength: 40 });
const anyValue = fc.oneof(printable, fc.string({ maxLength: 30 }), fc.constant(""));

const headerCandidates = fc.record(
  {
    Host: fc.oneof(fc.constant("127.0.0.1"), printable),
    Upgrade: fc.oneof(fc.constantFrom("websocket", "WebSocket", "h2c", "websocket, h2c"), anyValue),
    Connection: fc.constantFrom("Upgrade", "upgrade", "keep-alive, Upgrade", "close", "keep-alive"),
    "Sec-WebSocket-Key": fc.oneof(fc.constant(null).map(() => wsKey()), fc.base64String({ maxLength: 40 }), anyValue),
    "Sec-WebSocket-Version": fc.oneof(fc.constantFrom("13", "8", "0", "13, 8", "-1", "013", "13.0"), anyValue),
    "Sec-WebSocket-Protocol": fc.oneof(fc.constantFrom("a", "b, a", "a, a", "c"), anyValue),
    "Sec-WebSocket-Extensions": fc.oneof(
      fc.constantFrom("permessage-deflate", "permessage-deflate; client_max_window_bits", "permessage-deflate; server_max_window_bits=7", "x; y=\"", "permessage-deflate; a=1; a=2"),
      anyValue,
    ),
    Origin: fc.oneof(fc.constantFrom("http://127.0.0.1", "https://evil.example", "null"), anyValue),
    "Content-Length": fc.constantFrom("0", "5", "-1", "abc"),
    Cookie: anyValue,
  },
  { requiredKeys: [] },
);

const requestArb = fc.record({
  method: fc.oneof(fc.constantFrom("GET", "POST", "HEAD", "OPTIONS", "PUT", "get", "CONNECT"), token),
  path: fc.oneof(fc.constantFrom("/fz/1", "/fz/1?x=y", "/fz/%E0%A4%A", "/fz/", "/", "/nope", "*", "/fz/1/2"), printable.map((p) => `/${p.replace(/\s/g, "")}`)),
  version: fc.constantFrom("HTTP/1.1", "HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/1.2", "HTTP/x"),
  headers: headerCandidates,
  extra: fc.array(fc.tuple(token, anyValue), { maxLength: 4 }),
});

/** A valid upgrade with at most one header replaced by fuzz, so many cases get deep into the pipeline. */
const nearValidArb = fc
  .record({
    path: fc.constantFrom("/fz/1", "/fz/7?q=1", "/fz/%ZZ", "/nope"),
    fuzzed: headerCandidates,
    which: fc.option(fc.constantFrom("Sec-WebSocket-Key", "Sec-WebSocket-Version", "Sec-WebSocket-Protocol", "Sec-WebSocket-Extensions", "Origin", "Cookie", "Upgrade"), { freq: 2 }),
  })
  .map(({ path, fuzzed, which }) => {
    const headers: Record<string, string | undefined> = { Host: "127.0.0.1", Upgrade: "websocket", Connection: "Upgrade", "Sec-WebSocket-Key": wsKey(), "Sec-WebSocket-Version": "13" };
    if (which !== null) headers[which] = (fuzzed as Record<string, string | undefined>)[which];
    return { method: "GET", path, version: "HTTP/1.1", headers, extra: [] as Array<[string, string]> };
  });

interface FuzzRequest {
  method: string;
  path: string;
  version: string;
  headers: Record<string, string | undefined>;
  extra: Array<[string, string]>;
}

function render(r: FuzzRequest): string {
  let out = `${r.method} ${r.path} ${r.version}\r\n`;
  for (const [k, v] of Object.entries(r.headers)) if (v !== undefined) out += `${k}: ${v}\r\n`;
  for (const [k, v] of r.extra) out += `${k}: ${v}\r\n`;
  return `${out}\r\n`;
}

let server: TestServer;
beforeAll(async () => {
  server = await TestServer.start([Fuzzed], { heartbeatInterval: 0, maxConnectionsPerIp: 10_000, handshakeTimeout: 2000 });
});
afterAll(async () => server.close());

describe("handshake fuzzing", () => {
  it("2,000 random upgrade requests: each is answered or closed, none opens an endpoint, the server keeps serving", async () => {
    const port = server.handle.address.port;
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fc.oneof(requestArb, nearValidArb), async (r) => {
        const res = await rawRequest(port, render(r), 3000, true);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        // 0: the server closed without an answer (Node's parser refused the bytes).
        expect(res.status === 0 || (res.status >= 400 && res.status < 600) || res.status === 100).toBe(true);
      }),
      { numRuns: 2000 },
    );
    expect(created).toBe(0);
    // The refusals exercised more than one path.
    expect([...statuses.keys()].filter((s) => s >= 400).length).toBeGreaterThanOrEqual(4);
    // A good share got all the way to the authenticate hook.
    expect(statuses.get(401) ?? 0).toBeGreaterThan(100);
    // Still healthy: a valid request with the secret is accepted.
    const ok = await rawRequest(port, upgradeRequest("/fz/1", { "X-Fuzz-Secret": "s3cret" }));
    expect(ok.status).toBe(101);
    ok.socket.destroy();
  }, 120_000); // bounded by count; the timeout only guards a loaded shared machine

  it("the RFC 6455 check never throws and accepts only version 13 with a 16-byte key (10,000 cases)", () => {
    fc.assert(
      fc.property(fc.string(), headerCandidates, (method, headers) => {
        const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
        const req = { method, httpVersionMajor: 1, httpVersionMinor: 1, headers: lower } as unknown as IncomingMessage;
        const verdict = checkUpgradeRequest(req);
        if (verdict === undefined) {
          expect(method).toBe("GET");
          expect(String(lower.host ?? "").trim()).not.toBe("");
          expect(lower["sec-websocket-version"]).toBe("13");
          expect(Buffer.from(String(lower["sec-websocket-key"]), "base64").length).toBe(16);
        } else expect([400, 405, 426]).toContain(verdict.status);
      }),
      { numRuns: 10_000 },
    );
  }, 120_000);
});
