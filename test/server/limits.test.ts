import "reflect-metadata";
import { describe, expect, it } from "vitest";
import { bootstrap, EndpointDefinitionError, InvalidOptionsError, OnMessage, ServerEndpoint } from "../../src/index.js";
import type { TestServer } from "../../src/testing/index.js";
import { serverPerTest } from "../support/server-per-test.js";

@ServerEndpoint("/echo")
class Echo {
  @OnMessage() echo(t: string) {
    return t;
  }
}

@ServerEndpoint({ path: "/small", maxMessageSize: 1024 })
class Small {
  @OnMessage() echo(t: string) {
    return t;
  }
}

@ServerEndpoint({ path: "/deflate", perMessageDeflate: true })
class Deflate {
  @OnMessage() size(t: string) {
    return String(t.length);
  }
}

@ServerEndpoint({ path: "/strict", rateLimit: { messagesPerSecond: 1, burst: 3, policy: "close" } })
class Strict {
  @OnMessage() echo(t: string) {
    return t;
  }
}

@ServerEndpoint({ path: "/lenient", rateLimit: { messagesPerSecond: 1, burst: 3, policy: "drop" } })
class Lenient {
  @OnMessage() echo(t: string) {
    return t;
  }
}

const servers = serverPerTest();

const start = (): Promise<TestServer> => servers.start([Echo, Small, Deflate, Strict, Lenient], { heartbeatInterval: 0 });

describe("message size", () => {
  it("a message over the 1 MiB default closes with 1009; exactly 1 MiB is accepted", async () => {
    const s = await start();
    const ok = await s.connect("/echo");
    await ok.send("x".repeat(1024 * 1024));
    expect((await ok.nextText()).length).toBe(1024 * 1024);
    const big = await s.connect("/echo");
    void big.send("x".repeat(1024 * 1024 + 1)).catch(() => {});
    expect((await big.closed).code).toBe(1009);
  });

  it("an endpoint's maxMessageSize applies to it", async () => {
    const s = await start();
    const c = await s.connect("/small");
    void c.send("y".repeat(1025)).catch(() => {});
    expect((await c.closed).code).toBe(1009);
  });
});

describe("permessage-deflate", () => {
  it("is off by default even when the client offers it", async () => {
    const s = await start();
    const c = await s.connect("/echo", { perMessageDeflate: true });
    expect(c.ws.extensions).toBe("");
  });

  it("is negotiated when an endpoint opts in, and inflated size is still bounded (zip bomb → 1009)", async () => {
    const s = await start();
    const c = await s.connect("/deflate", { perMessageDeflate: true });
    expect(c.ws.extensions).toContain("permessage-deflate");
    await c.send("z".repeat(10_000));
    expect(await c.nextText()).toBe("10000");
    // 2 MiB of one letter compresses to a few KiB on the wire.
    void c.send("z".repeat(2 * 1024 * 1024)).catch(() => {});
    expect((await c.closed).code).toBe(1009);
  });

  it("bad deflate settings are rejected at bootstrap", async () => {
    await expect(bootstrap({ endpoints: [Echo], port: 0, perMessageDeflate: { level: 12 } })).rejects.toThrow(/perMessageDeflate\.level must be an integer from 0 to 9/);
  });
});

describe("rate limit (token bucket)", () => {
  it('policy "close": the burst is handled, then the session closes with 1008', async () => {
    const s = await start();
    const c = await s.connect("/strict");
    for (let i = 0; i < 10; i++) void c.send(`m${i}`).catch(() => {});
    expect(await c.closed).toEqual({ code: 1008, reason: "rate limit exceeded" });
    expect(c.pending.map((m) => m.data)).toEqual(["m0", "m1", "m2"]);
  });

  it('policy "drop": the burst is handled, the rest dropped with one error reply, the session stays open', async () => {
    const s = await start();
    const c = await s.connect("/lenient");
    for (let i = 0; i < 10; i++) await c.send(`m${i}`);
    const got = [await c.nextText(), await c.nextText(), await c.nextText(), await c.nextText()];
    const errors = got.filter((t) => t.startsWith("{"));
    expect(errors.map((t) => JSON.parse(t))).toEqual([{ error: "WSE_ERR_RATE_LIMITED", message: "rate limit exceeded: message dropped" }]);
    expect(got.filter((t) => !t.startsWith("{"))).toEqual(["m0", "m1", "m2"]);
    expect((await c.close(1000)).code).toBe(1000);
    expect(c.pending).toEqual([]);
  });

  it("bad rate limits are definition errors naming the endpoint", async () => {
    @ServerEndpoint({ path: "/bad", rateLimit: { messagesPerSecond: 0 } })
    class Bad {
      @OnMessage() echo(t: string) {
        return t;
      }
    }
    const attempt = bootstrap({ endpoints: [Bad], port: 0 });
    await expect(attempt).rejects.toBeInstanceOf(EndpointDefinitionError);
    await expect(bootstrap({ endpoints: [Bad], port: 0 })).rejects.toThrow(/Bad: @ServerEndpoint rateLimit\.messagesPerSecond must be a positive number/);
  });
});

describe("bootstrap limit options", () => {
  it.each([
    [{ maxConnections: 0 }, /maxConnections must be a positive integer/],
    [{ maxConnections: 10, maxConnectionsPerIp: 20 }, /maxConnectionsPerIp \(20\) exceeds maxConnections \(10\)/],
    [{ heartbeatInterval: -1 }, /heartbeatInterval must be a non-negative integer/],
    [{ outbound: { policy: "block" } }, /outbound\.policy must be one of "await", "drop-oldest", "drop-newest", "close"/],
    [{ outbound: { maxBytes: 0 } }, /outbound\.maxBytes must be a positive integer/],
    [{ rateLimit: { messagesPerSecond: 5, policy: "ignore" } }, /rateLimit\.policy must be one of "close", "drop"/],
  ])("%j is refused", async (options, message) => {
    const attempt = bootstrap({ endpoints: [Echo], port: 0, ...(options as object) });
    await expect(attempt).rejects.toBeInstanceOf(InvalidOptionsError);
    await expect(bootstrap({ endpoints: [Echo], port: 0, ...(options as object) })).rejects.toThrow(message);
  });
});
