import "reflect-metadata";
import { afterEach, describe, expect, it } from "vitest";
import {
  CloseCodes,
  CloseReason,
  FragmentInterleavedError,
  OnClose,
  OnMessage,
  OnOpen,
  ServerEndpoint,
  Session,
  SessionClosedError,
  type SendResult,
} from "../../src/index.js";
import { TestServer } from "../../src/testing/index.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const outcomes: unknown[] = [];
let closedSession: Session | undefined;

@ServerEndpoint("/remotes")
class Remotes {
  @OnMessage() async message(text: string, session: Session) {
    const basic = session.getBasicRemote();
    const async = session.getAsyncRemote();
    switch (text) {
      case "basic":
        await basic.sendText("one");
        await basic.sendBinary(new Uint8Array([1, 2, 3]));
        await basic.sendObject({ three: 3 });
        return "done";
      case "mixed":
        async.sendText("a");
        await basic.sendText("b");
        async.sendText("c");
        return "d";
      case "observed": {
        const result = await async.sendText("watched");
        return JSON.stringify(result);
      }
      case "fragments":
        await basic.sendText("frag-", false);
        await expect(async.sendText("intruder")).resolves.toMatchObject({ ok: false, error: expect.any(FragmentInterleavedError) });
        await expect(basic.sendBinary(Buffer.from("x"))).rejects.toBeInstanceOf(FragmentInterleavedError);
        await basic.sendText("ment", true);
        return "after";
      case "close-then-send":
        session.close(new CloseReason(CloseCodes.NORMAL_CLOSURE, "bye"));
        closedSession = session;
        return undefined;
    }
    return undefined;
  }
}

describe("RemoteEndpoint.Basic and Async", () => {
  it("Basic sends resolve in order with the right frame types", async () => {
    server = await TestServer.start([Remotes]);
    const c = await server.connect("/remotes");
    await c.send("basic");
    expect(await c.next()).toEqual({ type: "text", data: "one" });
    expect(await c.next()).toEqual({ type: "binary", data: Buffer.from([1, 2, 3]) });
    expect(await c.next()).toEqual({ type: "text", data: '{"three":3}' });
    expect(await c.next()).toEqual({ type: "text", data: "done" });
  });

  it("Basic and Async sends share one FIFO", async () => {
    server = await TestServer.start([Remotes]);
    const c = await server.connect("/remotes");
    await c.send("mixed");
    expect([await c.nextText(), await c.nextText(), await c.nextText(), await c.nextText()]).toEqual(["a", "b", "c", "d"]);
  });

  it("an awaited Async send resolves to { ok: true } once written", async () => {
    server = await TestServer.start([Remotes]);
    const c = await server.connect("/remotes");
    await c.send("observed");
    expect(await c.nextText()).toBe("watched");
    expect(await c.nextText()).toBe('{"ok":true}');
  });

  it("a fragmented Basic send arrives as one message; interleaving is refused", async () => {
    server = await TestServer.start([Remotes]);
    const c = await server.connect("/remotes");
    await c.send("fragments");
    expect(await c.nextText()).toBe("frag-ment");
    expect(await c.nextText()).toBe("after");
  });

  it("after close, Basic sends reject with SessionClosedError and Async sends never throw", async () => {
    server = await TestServer.start([Remotes]);
    const c = await server.connect("/remotes");
    await c.send("close-then-send");
    expect(await c.closed).toEqual({ code: 1000, reason: "bye" });
    const s = closedSession!;
    expect(s.isOpen()).toBe(false);
    await expect(s.getBasicRemote().sendText("late")).rejects.toBeInstanceOf(SessionClosedError);
    await expect(s.getBasicRemote().sendText("late")).rejects.toMatchObject({ code: "WSE_ERR_SESSION_CLOSED" });
    const viaCallback = new Promise<SendResult>((resolve) => {
      expect(() => s.getAsyncRemote().sendText("late", resolve)).not.toThrow();
    });
    expect(await viaCallback).toMatchObject({ ok: false, error: expect.any(SessionClosedError) });
    expect(await s.getAsyncRemote().sendObject({ late: true })).toMatchObject({ ok: false });
    // Misuse and unencodable values are reported, not thrown, by the async remote.
    expect(await s.getAsyncRemote().sendText(42 as unknown as string)).toMatchObject({ ok: false, error: expect.any(TypeError) });
    // Basic misuse throws at the call.
    expect(() => s.getBasicRemote().sendText(42 as unknown as string)).toThrow(TypeError);
    expect(() => s.getBasicRemote().sendPing(Buffer.alloc(126))).toThrow(RangeError);
  });

  it("an unobserved Async send on a closed session produces no unhandled rejection", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on("unhandledRejection", onUnhandled);
    try {
      server = await TestServer.start([Remotes]);
      const c = await server.connect("/remotes");
      await c.send("close-then-send");
      await c.closed;
      for (let i = 0; i < 10; i++) closedSession!.getAsyncRemote().sendText("x");
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });
});

const closes: number[] = [];

@ServerEndpoint("/graceful")
class Graceful {
  @OnOpen() open(session: Session) {
    // Queued before shutdown: must arrive before the 1001 close frame.
    void session.getBasicRemote().sendText("hello");
  }
  @OnClose() close(reason: CloseReason) {
    closes.push(reason.getCloseCode());
  }
}

describe("graceful shutdown", () => {
  it("delivers 1001 GOING_AWAY to every client after what was queued, runs every @OnClose and refuses new upgrades", async () => {
    closes.length = 0;
    const s = await TestServer.start([Graceful]);
    const clients = await Promise.all(Array.from({ length: 25 }, () => s.connect("/graceful")));
    for (const c of clients) expect(await c.nextText()).toBe("hello");
    const closing = s.handle.close();
    const late = s.connect("/graceful").then(
      () => "opened",
      (e: { status?: number; code?: string }) => e.status ?? e.code,
    );
    const results = await Promise.all(clients.map((c) => c.closed));
    await closing;
    expect(results.every((r) => r.code === 1001 && r.reason === "server shutting down")).toBe(true);
    expect(closes).toHaveLength(25);
    expect(s.handle.sessions.size).toBe(0);
    expect(["ECONNREFUSED", 503]).toContain(await late);
  });
});
