import "reflect-metadata";
import { createServer, type AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer, type WebSocket } from "ws";
import {
  ClientEndpoint,
  CloseReason,
  ConnectError,
  connectToServer,
  HandshakeRefusedError,
  OnClose,
  OnMessage,
  OnOpen,
  QueueOverflowError,
  Session,
  SessionClosedError,
  silentLogger,
  type ClientSession,
  type ConnectOptions,
} from "../../src/index.js";
import { ClientSessions } from "../client/client-sessions.js";
import { Inbox } from "../client/signals.js";

let clientLog = new Inbox<string>();

@ClientEndpoint()
class Client {
  @OnOpen() open(session: Session) {
    clientLog.push("open");
    void session;
  }
  @OnMessage() text(msg: string) {
    clientLog.push(msg);
  }
  @OnMessage() bin(data: Buffer) {
    clientLog.push(`bin:${data.toString("hex")}`);
  }
  @OnClose() close(reason: CloseReason) {
    clientLog.push(`close ${reason.getCloseCode()}`);
  }
}

/** A plain ws server recording what it receives and each connection. */
class RawServer {
  readonly received = new Inbox<string>();
  readonly connections = new Inbox<WebSocket>();
  private constructor(readonly wss: WebSocketServer) {
    wss.on("connection", (ws) => {
      this.connections.push(ws);
      ws.on("message", (data, isBinary) => {
        const text = isBinary ? `bin:${(data as Buffer).toString("hex")}` : data.toString();
        this.received.push(text);
        if (!isBinary && text.startsWith("echo ")) ws.send(text.slice(5));
        if (isBinary) ws.send(data, { binary: true });
      });
    });
  }
  static start(options: ConstructorParameters<typeof WebSocketServer>[0] = {}, port = 0): Promise<RawServer> {
    return new Promise((resolve, reject) => {
      const wss = new WebSocketServer({ host: "127.0.0.1", port, ...options });
      wss.once("listening", () => resolve(new RawServer(wss)));
      wss.once("error", reject);
    });
  }
  get port(): number {
    return (this.wss.address() as AddressInfo).port;
  }
  get url(): string {
    return `ws://127.0.0.1:${this.port}`;
  }
  /** Stops listening and drops every connection (a crash, not a graceful close). */
  stop(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    return new Promise((resolve) => this.wss.close(() => resolve()));
  }
}

const servers: RawServer[] = [];
async function start(options?: ConstructorParameters<typeof WebSocketServer>[0], port?: number): Promise<RawServer> {
  const s = await RawServer.start(options, port);
  servers.push(s);
  return s;
}
const clients = new ClientSessions(Client);
const connect = (url: string, options?: ConnectOptions): Promise<ClientSession> => clients.connect(url, options);

afterEach(async () => {
  await clients.closeAll();
  await Promise.all(servers.splice(0).map((s) => s.stop()));
  clientLog = new Inbox();
});

describe("client endpoint against a plain ws server", () => {
  it("runs the lifecycle and exchanges text and binary", async () => {
    const server = await start();
    const session = await connect(`${server.url}/feed?x=1`);
    expect(await clientLog.next()).toBe("open");
    expect(session.getRequestPath()).toBe("/feed");
    expect(session.getQueryString()).toBe("x=1");
    await session.getBasicRemote().sendText("echo hi");
    expect(await clientLog.next()).toBe("hi");
    session.getAsyncRemote().sendBinary(Buffer.from([0xca, 0xfe]));
    expect(await clientLog.next()).toBe("bin:cafe");
    const ws = await server.connections.next();
    const serverSide = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
    session.close(new CloseReason(4000, "done"));
    expect(await serverSide).toBe(4000);
    expect(await clientLog.next()).toBe("close 4000");
  });

  it("rejects with HandshakeRefusedError carrying 401 and the response headers", async () => {
    const server = await start({ verifyClient: (_info, cb) => cb(false, 401, "Unauthorized", { "WWW-Authenticate": "Bearer" }) });
    const error = await connect(server.url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HandshakeRefusedError);
    expect((error as HandshakeRefusedError).status).toBe(401);
    expect((error as HandshakeRefusedError).headers["www-authenticate"]).toBe("Bearer");
    expect((error as Error).message).toBe(`The server at ${server.url}/ refused the WebSocket upgrade with HTTP 401 Unauthorized.`);
    expect((error as HandshakeRefusedError).body).toBe("Unauthorized");
  });

  it("rejects with ConnectError when nothing listens, without retrying the first connection", async () => {
    const server = await start();
    const url = server.url;
    await server.stop();
    const error = await connectToServer(Client, url, { reconnect: true, heartbeat: false, logger: silentLogger }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe("WSE_ERR_CONNECT_FAILED");
    expect((error as Error).message).toMatch(/^Could not connect to ws:\/\/127\.0\.0\.1:\d+\/: .*ECONNREFUSED/);
  });

  it("rejects with ConnectError naming the fix when the server accepts none of the offered subprotocols", async () => {
    const server = await start({ handleProtocols: () => false });
    const error = await connect(server.url, { subprotocols: ["v9"] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as Error).message).toContain("the server accepted none of the offered subprotocols (v9)");
  });

  it("rejects with ConnectError when the server never answers the handshake (handshakeTimeout)", async () => {
    const silent = createServer((socket) => socket.on("error", () => {}));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const error = await connectToServer(Client, `ws://127.0.0.1:${port}/`, { handshakeTimeout: 50, heartbeat: false, logger: silentLogger }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConnectError);
      expect((error as Error).message).toContain("the opening handshake did not complete within 50 ms (handshakeTimeout)");
    } finally {
      silent.close();
    }
  });

  it("reconnects after the server restarts on the same port: messages sent during the outage arrive once, in order", async () => {
    const first = await start();
    const port = first.port;
    const attempts = new Inbox<number>();
    const session = await connect(first.url, { reconnect: { initialDelay: 10, maxDelay: 40, onReconnect: (e) => attempts.push(e.attempt) } });
    await session.getBasicRemote().sendText("before");
    expect(await first.received.next()).toBe("before");
    await first.stop();
    expect(await clientLog.until((m) => m.startsWith("close"))).toBe("close 1006");
    const sends = ["m1", "m2", "m3"].map((m) => session.getBasicRemote().sendText(m));
    await attempts.next();
    const second = await start({}, port);
    await Promise.all(sends);
    await session.getBasicRemote().sendText("echo end");
    expect(await clientLog.until((m) => m === "end")).toBe("end");
    expect(second.received.all).toEqual(["m1", "m2", "m3", "echo end"]);
    expect(first.received.all).toEqual(["before"]);
    expect(clientLog.all.filter((m) => m === "open")).toHaveLength(2);
  });

  it("does not reconnect after a normal close by the server", async () => {
    const server = await start();
    let attempts = 0;
    const session = await connect(server.url, { reconnect: { initialDelay: 0, onReconnect: () => void attempts++ } });
    (await server.connections.next()).close(1000, "bye");
    expect((await session.closed).getReasonPhrase()).toBe("bye");
    expect(attempts).toBe(0);
    expect(session.isOpen()).toBe(false);
  });

  it("reconnects after a normal close by the server when onNormalClose is set", async () => {
    const server = await start();
    await connect(server.url, { reconnect: { initialDelay: 0, onNormalClose: true } });
    (await server.connections.next()).close(1000, "bye");
    await server.connections.next();
    expect(clientLog.all.filter((m) => m === "open")).toHaveLength(1);
    expect(await clientLog.until((m) => m === "open")).toBe("open");
  });

  it("drops the connection when the server stops answering pings, and reconnects", async () => {
    const server = await start({ autoPong: false });
    const session = await connect(server.url, { heartbeat: { interval: 30, timeout: 30 }, reconnect: { initialDelay: 0 } });
    const firstSocket = await server.connections.next();
    const pinged = new Promise<void>((resolve) => firstSocket.once("ping", () => resolve()));
    await pinged;
    expect(await clientLog.until((m) => m.startsWith("close"))).toBe("close 1006");
    await server.connections.next();
    expect(await clientLog.until((m) => m === "open")).toBe("open");
    expect(session.isOpen()).toBe(true);
  });

  it("keeps a connection whose server answers pings", async () => {
    const server = await start();
    const session = await connect(server.url, { heartbeat: { interval: 20, timeout: 5000 }, reconnect: { initialDelay: 0 } });
    const ws = await server.connections.next();
    const pings = new Inbox<number>();
    ws.on("ping", () => pings.push(1));
    for (let i = 0; i < 3; i++) await pings.next();
    expect(clientLog.all).toEqual(["open"]);
    expect(session.isConnected()).toBe(true);
  });

  it("gives up after maxAttempts, failing buffered sends with SessionClosedError caused by ConnectError", async () => {
    const server = await start();
    const attempts = new Inbox<number>();
    const session = await connect(server.url, { reconnect: { initialDelay: 1, maxDelay: 5, maxAttempts: 3, onReconnect: (e) => attempts.push(e.attempt) } });
    await server.stop();
    await clientLog.until((m) => m.startsWith("close"));
    const lost = session.getBasicRemote().sendText("lost");
    const error = await lost.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionClosedError);
    expect((error as Error).cause).toBeInstanceOf(ConnectError);
    expect(((error as Error).cause as Error).message).toMatch(/gave up after 3 reconnect attempts/);
    expect(attempts.all).toEqual([1, 2, 3]);
    await session.closed;
    expect(session.isOpen()).toBe(false);
  });

  it("applies the buffer bound while disconnected: drop-newest refuses with QueueOverflowError", async () => {
    const first = await start();
    const port = first.port;
    const attempts = new Inbox<number>();
    const session = await connect(first.url, { reconnect: { initialDelay: 10, maxDelay: 20, bufferLimit: 2, onReconnect: (e) => attempts.push(e.attempt) } });
    await first.stop();
    await clientLog.until((m) => m.startsWith("close"));
    const kept = [session.getBasicRemote().sendText("k1"), session.getBasicRemote().sendText("k2")];
    const refused = await session.getBasicRemote().sendText("k3").catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(QueueOverflowError);
    const result = await new Promise<{ ok: boolean; error?: Error }>((resolve) => session.getAsyncRemote().sendText("k4", resolve));
    expect(result.ok).toBe(false);
    expect(result.error).toBeInstanceOf(QueueOverflowError);
    await attempts.next();
    const second = await start({}, port);
    await Promise.all(kept);
    await session.getBasicRemote().sendText("echo end");
    await clientLog.until((m) => m === "end");
    expect(second.received.all).toEqual(["k1", "k2", "echo end"]);
  });

  it("keeps counting attempts when the client itself fails each connection, so maxAttempts ends the loop", async () => {
    // The client has no handler for this: 1003 on every connection.
    const server = await start();
    server.wss.on("connection", (ws) => ws.send("a text message"));
    @ClientEndpoint()
    class BinaryOnly {
      @OnMessage() bin(_data: Buffer) {}
    }
    const attempts = new Inbox<number>();
    const session = await connectToServer(BinaryOnly, server.url, {
      heartbeat: false,
      logger: silentLogger,
      reconnect: { initialDelay: 1, maxDelay: 5, maxAttempts: 3, onReconnect: (e) => attempts.push(e.attempt) },
    });
    const reason = await session.closed;
    expect(reason.getCloseCode()).toBe(1003);
    expect(attempts.all).toEqual([1, 2, 3]);
  });

  it('bufferPolicy "close" ends the session when the buffer overflows, failing every held send', async () => {
    const server = await start();
    const session = await connect(server.url, { reconnect: { initialDelay: 60_000, maxDelay: 60_000, bufferLimit: 1, bufferPolicy: "close" } });
    await server.stop();
    await clientLog.until((m) => m.startsWith("close"));
    const first = session.getBasicRemote().sendText("a").catch((e: unknown) => e);
    const second = session.getBasicRemote().sendText("b").catch((e: unknown) => e);
    expect(await first).toBeInstanceOf(QueueOverflowError);
    expect(await second).toBeInstanceOf(QueueOverflowError);
    const reason = await session.closed;
    expect([reason.getCloseCode(), reason.getReasonPhrase()]).toEqual([1008, "reconnect buffer overflow"]);
    expect(session.isOpen()).toBe(false);
  });

  it("ends the session when the application closes it while reconnecting", async () => {
    const server = await start();
    const session = await connect(server.url, { reconnect: { initialDelay: 60_000, maxDelay: 60_000 } });
    await server.stop();
    await clientLog.until((m) => m.startsWith("close"));
    const held = session.getBasicRemote().sendText("never");
    session.close();
    expect(await held.catch((e: unknown) => e)).toBeInstanceOf(SessionClosedError);
    expect((await session.closed).getCloseCode()).toBe(1000);
  });
});
