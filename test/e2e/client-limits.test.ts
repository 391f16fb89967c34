/**
 * Issue #18, client side: a `@ClientEndpoint({ maxMessageSize })` that receives a larger message closes
 * with 1009 on both sides and its @OnClose sees 1009 (as a server endpoint does); and a client session
 * whose connection ended without reconnect refuses Basic sends with SessionClosedError.
 */
import "reflect-metadata";
import { afterEach, describe, expect, it } from "vitest";
import {
  ClientEndpoint,
  CloseCodes,
  CloseReason,
  connectToServer,
  OnClose,
  OnError,
  OnMessage,
  OnOpen,
  ServerEndpoint,
  Session,
  SessionClosedError,
  silentLogger,
} from "../../src/index.js";
import { TestServer } from "../../src/testing/index.js";
import { Inbox } from "../client/signals.js";

let serverLog = new Inbox<string>();

@ServerEndpoint("/big")
class BigSender {
  @OnMessage() text(size: string, session: Session): string | undefined {
    if (size === "close") {
      // One write: the client reads the message and the close frame together.
      session.getAsyncRemote().sendText("closing");
      session.close(new CloseReason(CloseCodes.NORMAL_CLOSURE, "done"));
      return undefined;
    }
    return "x".repeat(Number(size));
  }
  @OnClose() close(reason: CloseReason): void {
    serverLog.push(`close ${reason.getCloseCode()} ${reason.getReasonPhrase()}`);
  }
}

@ServerEndpoint("/big-on-open")
class BigOnOpen {
  @OnOpen() open(session: Session): void {
    session.getAsyncRemote().sendText("x".repeat(65));
  }
}

@ClientEndpoint({ maxMessageSize: 64 })
class SmallClient {
  readonly log = new Inbox<string>();
  @OnMessage() text(msg: string): void {
    this.log.push(`message ${msg.length}`);
  }
  @OnError() error(error: Error): void {
    this.log.push(`error ${(error as { code?: string }).code ?? error.name}`);
  }
  @OnClose() close(reason: CloseReason): void {
    this.log.push(`close ${reason.getCloseCode()} ${reason.getReasonPhrase()}`);
  }
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  serverLog = new Inbox<string>();
});

describe("client maxMessageSize", () => {
  it("a larger message closes with 1009 on both sides; the client's @OnClose sees 1009 and @OnError hears nothing", async () => {
    server = await TestServer.start([BigSender]);
    const client = new SmallClient();
    const clientLog = client.log;
    const session = await connectToServer(client, `${server.url}/big`, { logger: silentLogger });
    await session.getBasicRemote().sendText("64");
    expect(await clientLog.next()).toBe("message 64");
    await session.getBasicRemote().sendText("65");
    expect(await clientLog.next()).toBe("close 1009 message exceeds the limit of 64 bytes");
    expect(await serverLog.next()).toBe("close 1009 message exceeds the limit of 64 bytes");
    expect((await session.closed).getCloseCode()).toBe(1009);
    expect(clientLog.all).toEqual(["message 64", "close 1009 message exceeds the limit of 64 bytes"]);
  });
  it("a connection the client closed for it does not reset the reconnect attempt count, so maxAttempts ends the loop", async () => {
    server = await TestServer.start([BigOnOpen]);
    const attempts: Array<[number, number]> = [];
    const client = new SmallClient();
    const session = await connectToServer(client, `${server.url}/big-on-open`, {
      logger: silentLogger,
      reconnect: { initialDelay: 1, maxDelay: 1, jitter: 0, maxAttempts: 3, onReconnect: (e) => void attempts.push([e.attempt, e.reason.getCloseCode()]) },
    });
    const last = await session.closed;
    expect(attempts).toEqual([
      [1, 1009],
      [2, 1009],
      [3, 1009],
    ]);
    expect(last.getCloseCode()).toBe(1009);
    expect(client.log.all.filter((e) => !e.startsWith("close 1009"))).toEqual([]);
  });
});

describe("a client session whose connection ended, without reconnect", () => {
  it("rejects Basic sends with SessionClosedError once the server's close frame arrived", async () => {
    server = await TestServer.start([BigSender]);
    const client = new SmallClient();
    const clientLog = client.log;
    const session = await connectToServer(client, `${server.url}/big`, { logger: silentLogger });
    await session.getBasicRemote().sendText("close");
    expect(await clientLog.next()).toBe("message 7");
    // The close frame came in the same read: the connection is closing, its close event not yet emitted.
    for (let i = 0; i < 100 && session.isConnected(); i++) await new Promise((r) => setImmediate(r));
    expect(session.isConnected()).toBe(false);
    expect(session.isOpen()).toBe(false);
    const basic = session.getBasicRemote().sendText("late");
    const handle = session.getAsyncRemote().sendText("late");
    expect(clientLog.all).toEqual(["message 7"]);
    await expect(basic).rejects.toBeInstanceOf(SessionClosedError);
    const result = await handle;
    expect(result.ok ? "sent" : result.error.name).toBe("SessionClosedError");
    expect(await clientLog.next()).toBe("close 1000 done");
    await expect(session.getBasicRemote().sendText("later")).rejects.toBeInstanceOf(SessionClosedError);
  });
});
