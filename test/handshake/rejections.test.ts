import "reflect-metadata";
import { afterEach, describe, expect, it } from "vitest";
import { Configurator, HandshakeRejectedError, OnMessage, ServerEndpoint, type HandshakeRequest } from "../../src/index.js";
import { TestServer } from "../../src/testing/index.js";
import { rawRequest, upgradeRequest, type RawResponse } from "../support/raw-http.js";

let created = 0;

class DenyUnlessKnown extends Configurator {
  override authenticate(request: HandshakeRequest): unknown {
    if (request.headers["x-user"] === undefined) throw new HandshakeRejectedError(401, "credentials required", { "WWW-Authenticate": "Bearer" });
    if (request.headers["x-user"] === "boom") throw new Error("database down: secret detail");
    return request.headers["x-user"];
  }
}

let entered: () => void = () => {};
class NeverAnswers extends Configurator {
  override authenticate(): Promise<unknown> {
    entered();
    return new Promise(() => {});
  }
}

@ServerEndpoint({ path: "/open" })
class Open {
  constructor() {
    created++;
  }
  @OnMessage() echo(text: string) {
    return text;
  }
}

@ServerEndpoint({ path: "/guarded", configurator: DenyUnlessKnown })
class Guarded {
  constructor() {
    created++;
  }
  @OnMessage() echo(text: string) {
    return text;
  }
}

@ServerEndpoint({ path: "/proto", subprotocols: ["v2", "v1"], requireSubprotocol: true })
class Proto {
  constructor() {
    created++;
  }
  @OnMessage() echo(text: string) {
    return text;
  }
}

@ServerEndpoint({ path: "/slow", configurator: NeverAnswers })
class Slow {
  constructor() {
    created++;
  }
  @OnMessage() echo(text: string) {
    return text;
  }
}

@ServerEndpoint({ path: "/small", maxConnections: 1 })
class Small {
  constructor() {
    created++;
  }
  @OnMessage() echo(text: string) {
    return text;
  }
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  created = 0;
});

async function start(options: Parameters<typeof TestServer.start>[1] = {}): Promise<number> {
  server = await TestServer.start([Open, Guarded, Proto, Slow, Small], { heartbeatInterval: 0, ...options });
  return server.handle.address.port;
}

function expectComplete(res: RawResponse, status: number): void {
  expect(res.status).toBe(status);
  expect(res.headers.connection).toBe("close");
  expect(Number(res.headers["content-length"])).toBe(Buffer.byteLength(res.body));
}

describe("refused upgrades are complete HTTP responses and create no endpoint instance", () => {
  it.each([
    ["bad Sec-WebSocket-Key", upgradeRequest("/open", { "Sec-WebSocket-Key": "short" }), 400],
    ["missing Sec-WebSocket-Key", upgradeRequest("/open", { "Sec-WebSocket-Key": null }), 400],
    ["Upgrade header not websocket", upgradeRequest("/open", { Upgrade: "h2c" }), 400],
    ["invalid Sec-WebSocket-Protocol", upgradeRequest("/open", { "Sec-WebSocket-Protocol": "a b, c" }), 400],
    ["HTTP/1.0", upgradeRequest("/open", {}, "GET", "HTTP/1.0"), 400],
    ["missing Host (RFC 6455 §4.2.1)", upgradeRequest("/open", { Host: null }), 400],
    ["empty Host", upgradeRequest("/open", { Host: "" }), 400],
    ["POST", upgradeRequest("/open", {}, "POST"), 405],
    ["unknown path", upgradeRequest("/nowhere"), 404],
    ["no credentials", upgradeRequest("/guarded"), 401],
    ["cross-site Origin", upgradeRequest("/open", { Origin: "https://evil.example" }), 403],
    ["no acceptable subprotocol when required", upgradeRequest("/proto", { "Sec-WebSocket-Protocol": "v3" }), 400],
    ["no subprotocol offered when required", upgradeRequest("/proto"), 400],
    ["a hook failing unexpectedly", upgradeRequest("/guarded", { "X-User": "boom" }), 500],
  ])("%s → %i", async (_name, request, status) => {
    const port = await start();
    const res = await rawRequest(port, request);
    expectComplete(res, status);
    expect(created).toBe(0);
  });

  it("wrong version → 426 with Sec-WebSocket-Version: 13 (RFC 6455 §4.2.2)", async () => {
    const port = await start();
    for (const version of ["8", "14", null]) {
      const res = await rawRequest(port, upgradeRequest("/open", { "Sec-WebSocket-Version": version }));
      expectComplete(res, 426);
      expect(res.headers["sec-websocket-version"]).toBe("13");
    }
    expect(created).toBe(0);
  });

  it("401 carries the headers of HandshakeRejectedError and its message, never a hook's internal error text", async () => {
    const port = await start();
    const denied = await rawRequest(port, upgradeRequest("/guarded"));
    expect(denied.headers["www-authenticate"]).toBe("Bearer");
    expect(denied.body).toBe("Unauthorized: credentials required\n");
    const failed = await rawRequest(port, upgradeRequest("/guarded", { "X-User": "boom" }));
    expect(failed.body).toBe("Internal Server Error\n");
  });

  it("per-IP cap → 429 while the first connections stay open", async () => {
    const port = await start({ maxConnectionsPerIp: 2, maxConnections: 10 });
    const a = await server!.connect("/open");
    const b = await server!.connect("/open");
    const res = await rawRequest(port, upgradeRequest("/open"));
    expectComplete(res, 429);
    expect(created).toBe(2);
    await a.close();
    await b.close();
  });

  it("server connection limit → 503", async () => {
    const port = await start({ maxConnections: 1 });
    const a = await server!.connect("/open");
    expectComplete(await rawRequest(port, upgradeRequest("/open")), 503);
    expect(created).toBe(1);
    await a.close();
  });

  it("endpoint connection limit → 503, other endpoints still accept", async () => {
    const port = await start();
    const a = await server!.connect("/small");
    expectComplete(await rawRequest(port, upgradeRequest("/small")), 503);
    const other = await server!.connect("/open");
    expect(created).toBe(2);
    await Promise.all([a.close(), other.close()]);
  });

  it("a slot is given back when its connection closes", async () => {
    const port = await start({ maxConnections: 1 });
    const a = await server!.connect("/open");
    await a.close();
    // The server may see the TCP close a moment after the client's close handshake ends.
    let res: RawResponse | undefined;
    for (let i = 0; i < 50; i++) {
      res = await rawRequest(port, upgradeRequest("/open"));
      if (res.status === 101) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(res!.status).toBe(101);
    res!.socket.destroy();
  });

  it("refused handshakes do not hold slots", async () => {
    const port = await start({ maxConnections: 1 });
    for (let i = 0; i < 5; i++) expect((await rawRequest(port, upgradeRequest("/guarded"))).status).toBe(401);
    const ok = await rawRequest(port, upgradeRequest("/open"));
    expect(ok.status).toBe(101);
    ok.socket.destroy();
  });

  it("async hooks that never finish → 503 after handshakeTimeout", async () => {
    const port = await start({ handshakeTimeout: 200 });
    expectComplete(await rawRequest(port, upgradeRequest("/slow")), 503);
    expect(created).toBe(0);
  });

  it("a shutting-down server answers 503, also to handshakes waiting on async hooks", async () => {
    const port = await start();
    const reached = new Promise<void>((r) => (entered = r));
    const waiting = rawRequest(port, upgradeRequest("/slow"));
    await reached;
    const s = server!;
    const closing = s.handle.close();
    expectComplete(await waiting, 503);
    await closing;
    server = undefined;
    expect(created).toBe(0);
  });

  it("slow request headers (slowloris) are cut off by the server bootstrap owns", async () => {
    const port = await start({ handshakeTimeout: 150 });
    // Headers never finished: Node answers 408 and closes once handshakeTimeout has passed.
    const res = await rawRequest(port, "GET /open HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n");
    expect(res.status).toBe(408);
    expect(created).toBe(0);
  });
});
