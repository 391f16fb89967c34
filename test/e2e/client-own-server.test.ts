import "reflect-metadata";
import { afterEach, describe, expect, it } from "vitest";
import {
  bootstrap,
  ClientEndpoint,
  CloseCodes,
  CloseReason,
  Configurator,
  HandshakeRejectedError,
  HandshakeRefusedError,
  OnClose,
  OnError,
  OnMessage,
  OnOpen,
  PathParam,
  ServerEndpoint,
  Session,
  SessionClosedError,
  silentLogger,
  type ClientSession,
  type ConnectOptions,
  type HandshakeRequest,
  type ServerHandle,
} from "../../src/index.js";
import { TestServer } from "../../src/testing/index.js";
import { ClientSessions } from "../client/client-sessions.js";
import { Inbox } from "../client/signals.js";

// What the server endpoints saw, and what the client endpoints saw.
let serverLog = new Inbox<string>();
let clientLog = new Inbox<string>();

@ServerEndpoint({ path: "/echo/{n}", subprotocols: ["v1"] })
class EchoServer {
  @OnOpen() open(session: Session, @PathParam("n") n: number) {
    serverLog.push(`open n=${n} token=${String(session.getRequestHeaders()["x-token"])} proto=${session.getNegotiatedSubprotocol()}`);
  }
  @OnMessage() text(msg: string, session: Session) {
    serverLog.push(msg);
    if (msg === "bye") session.close(new CloseReason(CloseCodes.NORMAL_CLOSURE, "server says bye"));
    else if (msg === "restart") session.close(new CloseReason(CloseCodes.SERVICE_RESTART, "restart"));
    else return `echo:${msg}`;
    return undefined;
  }
  @OnMessage() bin(data: Buffer) {
    serverLog.push(`bin:${data.toString("hex")}`);
    return undefined;
  }
  @OnClose() close(reason: CloseReason) {
    serverLog.push(`server-close ${reason.getCloseCode()}`);
  }
}

class TokenAuth extends Configurator {
  override authenticate(request: HandshakeRequest): string {
    if (request.headers.authorization !== "Bearer good") throw new HandshakeRejectedError(401, "missing or invalid token", { "WWW-Authenticate": "Bearer" });
    return "ada";
  }
}

@ServerEndpoint({ path: "/private", configurator: TokenAuth })
class PrivateServer {
  @OnMessage() whoAmI(_text: string, session: Session) {
    return `you are ${String(session.getUserPrincipal())}`;
  }
}

let unfreeze: (() => void) | undefined;

/** Its handler can hang: the server's queue fills and reading from the socket pauses, pongs included. */
@ServerEndpoint("/stuck")
class StuckServer {
  @OnMessage() text(msg: string) {
    serverLog.push(msg);
    return msg === "freeze" ? new Promise<void>((resolve) => (unfreeze = resolve)) : undefined;
  }
}

@ClientEndpoint({ subprotocols: ["v2", "v1"] })
class EchoClient {
  static instances = 0;
  readonly id = ++EchoClient.instances;
  @OnOpen() async open(session: Session) {
    // Async @OnOpen holds the queue: no message handler runs before it completes.
    await new Promise((r) => setImmediate(r));
    clientLog.push(`open#${this.id} proto=${session.getNegotiatedSubprotocol()}`);
  }
  @OnMessage() text(msg: string) {
    clientLog.push(msg);
    if (msg === "echo:boom") throw new Error("boom");
  }
  @OnMessage() bin(data: Uint8Array) {
    clientLog.push(`bin:${Buffer.from(data).toString("hex")}`);
  }
  @OnError() error(error: Error) {
    clientLog.push(`error ${error.constructor.name} ${error.message}`);
  }
  @OnClose() close(reason: CloseReason, session: Session) {
    clientLog.push(`close#${this.id} ${reason.getCloseCode()} open=${session.isOpen()}`);
  }
}

let server: TestServer | undefined;
let handle: ServerHandle | undefined;
const clients = new ClientSessions(EchoClient, { headers: { "x-token": "t1" } });
const connect = (url: string, options?: ConnectOptions): Promise<ClientSession> => clients.connect(url, options);

afterEach(async () => {
  await clients.closeAll();
  await server?.close();
  await handle?.close();
  server = handle = undefined;
  serverLog = new Inbox();
  clientLog = new Inbox();
});

describe("client endpoint against the project's server", () => {
  it("runs the lifecycle: headers and subprotocol at the handshake, ordered handlers, one @OnClose on a normal close", async () => {
    server = await TestServer.start([EchoServer]);
    const session = await connect(`${server.url}/echo/7`);
    expect(await serverLog.next()).toBe("open n=7 token=t1 proto=v1");
    expect(await clientLog.next()).toBe("open#" + (EchoClient.instances) + " proto=v1");
    await session.getBasicRemote().sendText("hello");
    expect(await clientLog.next()).toBe("echo:hello");
    expect(session.isConnected()).toBe(true);
    session.close();
    expect(await clientLog.next()).toMatch(/^close#\d+ 1000 open=false$/);
    expect(await serverLog.until((m) => m.startsWith("server-close"))).toBe("server-close 1000");
    expect((await session.closed).getCloseCode()).toBe(1000);
    expect(session.isOpen()).toBe(false);
    await expect(session.getBasicRemote().sendText("late")).rejects.toBeInstanceOf(SessionClosedError);
  });

  it("sends and receives binary and objects through the endpoint's codecs", async () => {
    server = await TestServer.start([EchoServer]);
    const session = await connect(`${server.url}/echo/1`);
    await serverLog.next();
    await session.getBasicRemote().sendBinary(Uint8Array.of(1, 2, 255));
    expect(await serverLog.next()).toBe("bin:0102ff");
    await session.getBasicRemote().sendObject({ a: 1 });
    expect(await serverLog.next()).toBe('{"a":1}');
    expect(await clientLog.until((m) => m.startsWith("echo:"))).toBe('echo:{"a":1}');
  });

  it("routes a throwing client handler's own error to @OnError and keeps the connection", async () => {
    server = await TestServer.start([EchoServer]);
    const session = await connect(`${server.url}/echo/1`);
    await session.getBasicRemote().sendText("boom");
    expect(await clientLog.until((m) => m.startsWith("error"))).toBe("error Error boom");
    await session.getBasicRemote().sendText("still here");
    expect(await clientLog.until((m) => m.startsWith("echo:still"))).toBe("echo:still here");
  });

  it.each([
    ["/nowhere", 404],
    ["/echo/notanumber", 400],
  ])("rejects with HandshakeRefusedError carrying the HTTP status (%s → %i)", async (path, status) => {
    server = await TestServer.start([EchoServer]);
    const error = await connect(`${server.url}${path}`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HandshakeRefusedError);
    expect((error as HandshakeRefusedError).status).toBe(status);
    expect((error as HandshakeRefusedError).code).toBe("WSE_ERR_HANDSHAKE_REFUSED");
    expect(clientLog.all).toEqual([]);
  });

  it("rejects with HandshakeRefusedError 401 when the server's authenticate hook refuses, and connects with the right token", async () => {
    server = await TestServer.start([PrivateServer]);
    const refused = await connect(`${server.url}/private`, { subprotocols: [], headers: { authorization: "Bearer bad" } }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(HandshakeRefusedError);
    expect((refused as HandshakeRefusedError).status).toBe(401);
    expect((refused as HandshakeRefusedError).headers["www-authenticate"]).toBe("Bearer");
    const session = await connect(`${server.url}/private`, { subprotocols: [], headers: { authorization: "Bearer good" } });
    await session.getBasicRemote().sendText("?");
    expect(await clientLog.until((m) => m.startsWith("you are"))).toBe("you are ada");
  });

  it("reconnects after the server restarts on the same port: messages sent during the outage arrive once, in order, before @OnOpen's", async () => {
    handle = await bootstrap({ endpoints: [EchoServer], port: 0, host: "127.0.0.1", logger: silentLogger });
    const port = handle.address.port;
    const reconnects = new Inbox<number>();
    const session = await connect(`ws://127.0.0.1:${port}/echo/1`, {
      reconnect: { initialDelay: 10, maxDelay: 50, onReconnect: (e) => reconnects.push(e.attempt) },
    });
    const firstOpen = await clientLog.next();
    await handle.close();
    // 1001 GOING_AWAY from the graceful shutdown: the session stays open while reconnecting.
    expect(await clientLog.until((m) => m.startsWith("close#"))).toMatch(/^close#\d+ 1001 open=true$/);
    expect(session.isOpen()).toBe(true);
    expect(session.isConnected()).toBe(false);
    const delivered = ["a", "b", "c"].map((m) => session.getBasicRemote().sendText(m));
    expect(await reconnects.next()).toBe(1);
    serverLog = new Inbox();
    handle = await bootstrap({ endpoints: [EchoServer], port, host: "127.0.0.1", logger: silentLogger });
    await Promise.all(delivered);
    // Same instance by default: @OnOpen runs again on it.
    expect(await clientLog.until((m) => m.startsWith("open#"))).toBe(firstOpen);
    await session.getBasicRemote().sendText("after");
    expect(await clientLog.until((m) => m === "echo:after")).toBe("echo:after");
    expect(serverLog.all.filter((m) => !m.startsWith("open"))).toEqual(["a", "b", "c", "after"]);
    expect(clientLog.all.filter((m) => m.startsWith("echo:"))).toEqual(["echo:a", "echo:b", "echo:c", "echo:after"]);
  });

  it("creates a fresh endpoint instance per connection with instance: \"fresh\"", async () => {
    server = await TestServer.start([EchoServer]);
    await connect(`${server.url}/echo/1`, { reconnect: { initialDelay: 0, instance: "fresh" } }).then((s) => s.getBasicRemote().sendText("restart"));
    const first = await clientLog.until((m) => m.startsWith("close#"));
    expect(first).toMatch(/ 1012 open=true$/);
    const second = await clientLog.until((m) => m.startsWith("open#"));
    expect(second.split(" ")[0]).not.toBe(clientLog.all[0]!.split(" ")[0]);
  });

  it("does not reconnect after a normal close by the server", async () => {
    server = await TestServer.start([EchoServer]);
    let attempts = 0;
    const session = await connect(`${server.url}/echo/1`, { reconnect: { initialDelay: 0, onReconnect: () => void attempts++ } });
    await session.getBasicRemote().sendText("bye");
    expect(await clientLog.until((m) => m.startsWith("close#"))).toMatch(/ 1000 open=false$/);
    const reason = await session.closed;
    expect([reason.getCloseCode(), reason.getReasonPhrase()]).toEqual([1000, "server says bye"]);
    expect(await serverLog.until((m) => m.startsWith("server-close"))).toBe("server-close 1000");
    expect(attempts).toBe(0);
    expect(clientLog.all.filter((m) => m.startsWith("open#"))).toHaveLength(1);
  });

  it("does not reconnect after the client closes normally", async () => {
    server = await TestServer.start([EchoServer]);
    let attempts = 0;
    const session = await connect(`${server.url}/echo/1`, { reconnect: { initialDelay: 0, onReconnect: () => void attempts++ } });
    await serverLog.next();
    session.close();
    expect((await session.closed).getCloseCode()).toBe(1000);
    expect(await serverLog.until((m) => m.startsWith("server-close"))).toBe("server-close 1000");
    expect(attempts).toBe(0);
    expect(clientLog.all.filter((m) => m.startsWith("open#"))).toHaveLength(1);
  });

  it("reconnects when a stuck server stops answering pings (heartbeat)", async () => {
    server = await TestServer.start([EchoServer, StuckServer], { inboundQueueLimit: 1, closeTimeout: 100 });
    const session = await connect(`${server.url}/stuck`, { subprotocols: [], heartbeat: { interval: 20, timeout: 60 }, reconnect: { initialDelay: 0 } });
    await clientLog.next();
    for (const m of ["freeze", "x1", "x2", "x3"]) session.getAsyncRemote().sendText(m);
    expect(await clientLog.until((m) => m.startsWith("close#"), 10_000)).toMatch(/ 1006 open=true$/);
    expect(await clientLog.until((m) => m.startsWith("open#"))).toMatch(/^open#/);
    expect(session.isConnected()).toBe(true);
    unfreeze?.();
  });

  it("stops reconnecting when the restarted server refuses with a 4xx, failing what was buffered", async () => {
    handle = await bootstrap({ endpoints: [EchoServer], port: 0, host: "127.0.0.1", logger: silentLogger });
    const port = handle.address.port;
    const session = await connect(`ws://127.0.0.1:${port}/echo/1`, { reconnect: { initialDelay: 5, maxDelay: 20 } });
    await handle.close();
    await clientLog.until((m) => m.startsWith("close#"));
    const buffered = session.getBasicRemote().sendText("lost");
    // The path no longer exists after the restart: 404.
    @ServerEndpoint("/other")
    class Other {}
    handle = await bootstrap({ endpoints: [Other], port, host: "127.0.0.1", logger: silentLogger });
    const error = await buffered.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionClosedError);
    expect(((error as Error).cause as HandshakeRefusedError).status).toBe(404);
    expect((await session.closed).getCloseCode()).toBe(1001);
    expect(session.isOpen()).toBe(false);
  });
});
