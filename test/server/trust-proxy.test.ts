import "reflect-metadata";
import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import {
  bootstrap,
  Configurator,
  InvalidOptionsError,
  OnMessage,
  OnOpen,
  ServerEndpoint,
  silentLogger,
  type BootstrapOptions,
  type HandshakeRequest,
  type ResponseHeaders,
  type ServerHandle,
  Session,
} from "../../src/index.js";
import type { TestServer } from "../../src/testing/index.js";
import { rawRequest, upgradeRequest } from "../support/raw-http.js";
import { serverPerTest } from "../support/server-per-test.js";

/** Tells the client the address each layer saw: the configurator's in a 101 header, the session's as the first message. */
class SeenBy extends Configurator {
  override modifyHandshake(request: HandshakeRequest, headers: ResponseHeaders): void {
    headers.set("X-Seen-Address", request.remoteAddress);
  }
}

@ServerEndpoint({ path: "/whoami", configurator: SeenBy })
class WhoAmI {
  @OnOpen() open(session: Session) {
    void session.getBasicRemote().sendText(session.getRemoteAddress());
  }
  @OnMessage() echo(t: string) {
    return t;
  }
}

@ServerEndpoint({ path: "/limited", rateLimit: { messagesPerSecond: 1, burst: 2, policy: "close" } })
class Limited {
  @OnOpen() open(session: Session) {
    void session.getBasicRemote().sendText(session.getRemoteAddress());
  }
  @OnMessage() echo(t: string) {
    return t;
  }
}

/** Three messages per client address, whatever number of connections it opens (the refill is negligible). */
@ServerEndpoint({ path: "/shared", rateLimit: { messagesPerSecond: 0.001, burst: 3, policy: "drop", per: "address" } })
class SharedBudget {
  @OnMessage() echo(t: string) {
    return t;
  }
}

const servers = serverPerTest();
const start = (options: Omit<BootstrapOptions, "endpoints"> = {}): Promise<TestServer> =>
  servers.start([WhoAmI, Limited, SharedBudget], { heartbeatInterval: 0, ...options });

/** A raw upgrade through the proxy: the HTTP status the server answers. */
async function statusVia(s: TestServer, path: string, headers: Record<string, string>): Promise<number> {
  const r = await rawRequest(s.handle.address.port, upgradeRequest(path, headers));
  r.socket.destroy();
  return r.status;
}

describe("trustProxy on the wire: the address every layer sees", () => {
  it.each<[string, Omit<BootstrapOptions, "endpoints">, Record<string, string>, string]>([
    ["off (the default): forwarding headers are ignored", {}, { "X-Forwarded-For": "203.0.113.9", Forwarded: "for=203.0.113.9" }, "127.0.0.1"],
    ["loopback trusted: the client's address", { trustProxy: "loopback" }, { "X-Forwarded-For": "6.6.6.6, 203.0.113.9" }, "203.0.113.9"],
  ])("%s, in HandshakeRequest.remoteAddress and in getRemoteAddress() in @OnOpen", async (_case, options, headers, expected) => {
    const s = await start(options);
    const r = await rawRequest(s.handle.address.port, upgradeRequest("/whoami", headers));
    expect(r.status).toBe(101);
    expect(r.headers["x-seen-address"]).toBe(expected);
    r.socket.destroy();
    const c = await s.connect("/whoami", { headers });
    expect(await c.nextText()).toBe(expected);
  });

  it("an IPv6 client behind the proxy, written in any form, is one canonical address", async () => {
    const s = await start({ trustProxy: 1 });
    const c = await s.connect("/whoami", { headers: { "X-Forwarded-For": "2001:DB8:0:0:0:0:0:7" } });
    expect(await c.nextText()).toBe("2001:db8::7");
  });

  it("a peer outside the trusted ranges cannot spoof: its header is ignored", async () => {
    const s = await start({ trustProxy: "10.0.0.0/8" });
    const c = await s.connect("/whoami", { headers: { "X-Forwarded-For": "203.0.113.9" } });
    expect(await c.nextText()).toBe("127.0.0.1");
  });

  it("forwardedHeader: \"forwarded\" reads RFC 7239 and ignores X-Forwarded-For", async () => {
    const s = await start({ trustProxy: 1, forwardedHeader: "forwarded" });
    const c = await s.connect("/whoami", { headers: { Forwarded: 'for="[2001:db8::9]:4711";proto=https', "X-Forwarded-For": "6.6.6.6" } });
    expect(await c.nextText()).toBe("2001:db8::9");
    const d = await s.connect("/whoami", { headers: { "X-Forwarded-For": "6.6.6.6" } });
    expect(await d.nextText()).toBe("127.0.0.1");
  });

  it("a malformed header from a trusted proxy is answered, and the address is the proxy's", async () => {
    const s = await start({ trustProxy: 1 });
    for (const header of ["unknown", "203.0.113.9:http", "x".repeat(4000), ",,,", "1.2.3.4, \u00ff\u00fe"]) {
      const r = await rawRequest(s.handle.address.port, upgradeRequest("/whoami", { "X-Forwarded-For": header }));
      expect(r.status, header.slice(0, 20)).toBe(101);
      expect(r.headers["x-seen-address"]).toBe("127.0.0.1");
      r.socket.destroy();
    }
  });
});

describe("maxConnectionsPerIp counts the forwarded address", () => {
  it("429 for a third connection of one client; another client behind the same proxy still connects; a slot is given back on close", async () => {
    const s = await start({ trustProxy: "loopback", maxConnectionsPerIp: 2 });
    const a = { "X-Forwarded-For": "203.0.113.9" };
    const a1 = await s.connect("/whoami", { headers: a });
    await s.connect("/whoami", { headers: a });
    expect(await statusVia(s, "/whoami", a)).toBe(429);
    // The same client written as IPv4-mapped IPv6 is the same key.
    expect(await statusVia(s, "/whoami", { "X-Forwarded-For": "::ffff:203.0.113.9" })).toBe(429);
    const b = await s.connect("/whoami", { headers: { "X-Forwarded-For": "198.51.100.4" } });
    expect(await b.nextText()).toBe("198.51.100.4");
    await a1.close();
    await a1.closed;
    await expect.poll(() => statusVia(s, "/whoami", a), { timeout: 5000 }).toBe(101);
  });

  it("without trustProxy every client behind the proxy shares its address (the limitation this option removes)", async () => {
    const s = await start({ maxConnectionsPerIp: 2 });
    await s.connect("/whoami", { headers: { "X-Forwarded-For": "203.0.113.1" } });
    await s.connect("/whoami", { headers: { "X-Forwarded-For": "203.0.113.2" } });
    expect(await statusVia(s, "/whoami", { "X-Forwarded-For": "203.0.113.3" })).toBe(429);
  });

  it("a spoofed header from an untrusted peer does not let it escape its limit", async () => {
    const s = await start({ trustProxy: "10.0.0.0/8", maxConnectionsPerIp: 1 });
    await s.connect("/whoami", { headers: { "X-Forwarded-For": "203.0.113.1" } });
    expect(await statusVia(s, "/whoami", { "X-Forwarded-For": "203.0.113.2" })).toBe(429);
  });
});

describe("rate limits behind a proxy", () => {
  it("a flooding client is closed 1008 with its forwarded address; another client behind the same proxy keeps its own budget", async () => {
    const s = await start({ trustProxy: "loopback" });
    const flooder = await s.connect("/limited", { headers: { "X-Forwarded-For": "203.0.113.66" } });
    const calm = await s.connect("/limited", { headers: { "X-Forwarded-For": "198.51.100.4" } });
    expect(await flooder.nextText()).toBe("203.0.113.66");
    expect(await calm.nextText()).toBe("198.51.100.4");
    for (let i = 0; i < 10; i++) void flooder.send(`m${i}`).catch(() => {});
    expect((await flooder.closed).code).toBe(1008);
    await calm.send("still here");
    expect(await calm.nextText()).toBe("still here");
  });
});

describe('rateLimit per: "address"', () => {
  it("the sessions of one forwarded address share one budget; another address has its own; the budget goes with the address's last session", async () => {
    const s = await start({ trustProxy: "loopback" });
    const via = (address: string) => s.connect("/shared", { headers: { "X-Forwarded-For": address } });
    const [a, b, other] = await Promise.all([via("203.0.113.66"), via("203.0.113.66"), via("198.51.100.4")]);
    const echo = async (c: typeof a, text: string) => {
      await c.send(text);
      return c.nextText();
    };
    expect(await echo(a, "a1")).toBe("a1");
    expect(await echo(a, "a2")).toBe("a2");
    expect(await echo(b, "b1")).toBe("b1");
    // The address's third token is spent: b's next message is refused, and b (not a) is told.
    expect(JSON.parse(await echo(b, "b2"))).toMatchObject({ error: "WSE_ERR_RATE_LIMITED" });
    for (const t of ["o1", "o2", "o3"]) expect(await echo(other, t)).toBe(t);
    await Promise.all([a.close(), b.close()]);
    // The server lets go of a and b when their sockets close (after the clients saw the close): bounded wait.
    for (let i = 0; i < 400 && s.handle.sessions.size > 1; i++) await new Promise((r) => setTimeout(r, 5));
    expect(s.handle.sessions.size).toBe(1);
    const again = await via("203.0.113.66");
    for (const t of ["n1", "n2", "n3"]) expect(await echo(again, t)).toBe(t);
  });

  it("rejects an unknown per value at bootstrap, naming the field", async () => {
    await expect(start({ rateLimit: { messagesPerSecond: 5, per: "ip" as never } })).rejects.toThrow(/rateLimit\.per/);
  });
});

describe("IPv6 loopback peer", () => {
  let handle: ServerHandle | undefined;
  afterEach(async () => {
    await handle?.close();
    handle = undefined;
  });

  it("::1 trusted as loopback; the forwarded IPv4 client is the address", async () => {
    handle = await bootstrap({ endpoints: [WhoAmI], port: 0, host: "::1", trustProxy: "loopback", heartbeatInterval: 0, logger: silentLogger });
    const port = handle.address.port;
    const ws = new WebSocket(`ws://[::1]:${port}/whoami`, { headers: { "X-Forwarded-For": "203.0.113.9" } });
    const [first] = (await once(ws, "message")) as [Buffer];
    expect(first.toString()).toBe("203.0.113.9");
    ws.terminate();
  });
});

describe("validation", () => {
  it("bad trustProxy values are refused at bootstrap, naming the field and the fix", async () => {
    await expect(bootstrap({ endpoints: [WhoAmI], port: 0, trustProxy: "10.0.0.0/99" })).rejects.toThrow(InvalidOptionsError);
    await expect(bootstrap({ endpoints: [WhoAmI], port: 0, trustProxy: ["loopback", "proxy.internal"] })).rejects.toThrow(/trustProxy: "proxy.internal" is not an IP address/);
    await expect(bootstrap({ endpoints: [WhoAmI], port: 0, forwardedHeader: "forwarded" })).rejects.toThrow(/forwardedHeader has no effect without trustProxy/);
  });
});
