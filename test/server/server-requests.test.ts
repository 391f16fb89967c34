import "reflect-metadata";
import { IsInt, IsOptional, IsString } from "class-validator";
import { describe, expect, it } from "vitest";
import { OnClose, OnMessage, ServerEndpoint, Session, SessionClosedError, type WebSocketEndpointError } from "../../src/index.js";
import { serverPerTest } from "../support/server-per-test.js";

// session.request on the wire (issue 20): a real loopback server and a `ws` client answering by hand.

class Ask {
  @IsString() question!: string;
  @IsOptional() @IsInt() timeout?: number;
}
class Burst {
  @IsInt() n!: number;
}
class Echo {
  @IsString() text!: string;
}

const closedRequests: unknown[] = [];
let requestRejected: (() => void) | undefined;

@ServerEndpoint({ path: "/ask", maxPendingRequests: 2 })
class Asking {
  @OnMessage({ type: "ask" }) async ask(a: Ask, session: Session) {
    try {
      const answer = await session.request("confirm", { question: a.question }, { timeout: a.timeout ?? 5000 });
      return { type: "answered", answer };
    } catch (error) {
      const e = error as WebSocketEndpointError & { reason?: string };
      if (e instanceof SessionClosedError) {
        closedRequests.push(e);
        requestRejected?.();
        return undefined;
      }
      return { type: "failed", code: e.code, reason: e.reason ?? null };
    }
  }

  /** Requests without awaiting them: the queue stays free, and the bound is what stops the third. */
  @OnMessage({ type: "burst" }) burst(b: Burst, session: Session) {
    for (let i = 1; i <= b.n; i++) {
      session.request("confirm", { question: `q${i}` }, { timeout: 5000 }).then(
        () => session.send("result", { i, ok: true }),
        (e: WebSocketEndpointError) => session.send("result", { i, code: e.code }),
      );
    }
  }

  @OnMessage({ type: "echo" }) echo(e: Echo) {
    return { type: "echo", text: e.text };
  }

  @OnClose() closed() {}
}

const strings: string[] = [];

/** One untyped string handler: the message router is `direct`, no envelope is parsed for it. */
@ServerEndpoint("/raw")
class RawAsking {
  @OnMessage() async text(t: string, session: Session) {
    strings.push(t);
    if (t === "ask") return JSON.stringify(await session.request("confirm", { question: "raw" }));
    return `got ${t}`;
  }
}

const { start } = serverPerTest();

describe("session.request on the wire", () => {
  it("sends {type, id: \"s<n>\", ...payload} and resolves with the $reply's data, though the handler holds the queue", async () => {
    const server = await start([Asking]);
    const c = await server.connect("/ask");
    await c.send(JSON.stringify({ type: "ask", question: "Leave?" }));
    expect(await c.nextText()).toBe('{"type":"confirm","id":"s1","question":"Leave?"}');
    await c.send(JSON.stringify({ type: "$reply", id: "s1", ok: true, data: { accepted: true } }));
    expect(await c.nextJson()).toEqual({ type: "answered", answer: { accepted: true } });
    // The per-session counter goes on.
    await c.send(JSON.stringify({ type: "ask", question: "Again?" }));
    expect(await c.nextJson()).toEqual({ type: "confirm", id: "s2", question: "Again?" });
    await c.send('{"type":"$reply","id":"s2","ok":true,"data":null}');
    expect(await c.nextJson()).toEqual({ type: "answered", answer: null });
  });

  it("rejects with RequestFailedError carrying the peer's code for ok:false, and INVALID_REPLY for a malformed $reply", async () => {
    const server = await start([Asking]);
    const c = await server.connect("/ask");
    await c.send(JSON.stringify({ type: "ask", question: "q" }));
    await c.nextJson();
    await c.send(JSON.stringify({ type: "$reply", id: "s1", ok: false, error: { code: "HANDLER_FAILED", message: "boom" } }));
    expect(await c.nextJson()).toEqual({ type: "failed", code: "WSE_ERR_REQUEST_FAILED", reason: "HANDLER_FAILED" });
    await c.send(JSON.stringify({ type: "ask", question: "q" }));
    await c.nextJson();
    await c.send(JSON.stringify({ type: "$reply", id: "s2", ok: "yes" }));
    expect(await c.nextJson()).toEqual({ type: "failed", code: "WSE_ERR_REQUEST_FAILED", reason: "INVALID_REPLY" });
  });

  it("rejects with RequestTimeoutError when no reply comes in time; a late $reply is dropped without an answer", async () => {
    const server = await start([Asking]);
    const c = await server.connect("/ask");
    await c.send(JSON.stringify({ type: "ask", question: "q", timeout: 30 }));
    expect(await c.nextJson()).toMatchObject({ type: "confirm", id: "s1" });
    expect(await c.nextJson()).toEqual({ type: "failed", code: "WSE_ERR_REQUEST_TIMEOUT", reason: null });
    await c.send(JSON.stringify({ type: "$reply", id: "s1", ok: true, data: 1 }));
    await c.send(JSON.stringify({ type: "$reply", id: "s99", ok: true, data: 1 }));
    await c.send(JSON.stringify({ type: "echo", text: "after" }));
    // The next message is the echo: neither late reply produced an error reply or reached a handler.
    expect(await c.nextJson()).toEqual({ type: "echo", text: "after" });
  });

  it("rejects a pending request with SessionClosedError when the connection closes", async () => {
    closedRequests.length = 0;
    const server = await start([Asking]);
    const c = await server.connect("/ask");
    await c.send(JSON.stringify({ type: "ask", question: "q" }));
    await c.nextJson();
    const rejected = new Promise<void>((resolve) => (requestRejected = resolve));
    await c.close();
    await rejected;
    expect(closedRequests).toHaveLength(1);
    expect(closedRequests[0]).toBeInstanceOf(SessionClosedError);
  });

  it("bounds pending requests per session (maxPendingRequests): one more rejects at once with QueueOverflowError", async () => {
    const server = await start([Asking]);
    const c = await server.connect("/ask");
    await c.send(JSON.stringify({ type: "burst", n: 3 }));
    expect(await c.nextJson()).toEqual({ type: "confirm", id: "s1", question: "q1" });
    expect(await c.nextJson()).toEqual({ type: "confirm", id: "s2", question: "q2" });
    expect(await c.nextJson()).toEqual({ type: "result", i: 3, code: "WSE_ERR_QUEUE_OVERFLOW" });
    // Answering frees a slot, and the answered ones resolve.
    await c.send(JSON.stringify({ type: "$reply", id: "s2", ok: true, data: {} }));
    expect(await c.nextJson()).toEqual({ type: "result", i: 2, ok: true });
    await c.send(JSON.stringify({ type: "burst", n: 1 }));
    expect(await c.nextJson()).toEqual({ type: "confirm", id: "s3", question: "q1" });
  });

  it("never hands a $reply to a handler: not while requests wait, not after (typed or plain string endpoint)", async () => {
    strings.length = 0;
    const server = await start([RawAsking]);
    const c = await server.connect("/raw");
    await c.send("ask");
    expect(await c.nextJson()).toEqual({ type: "confirm", id: "s1", question: "raw" });
    await c.send('{"type":"$reply","id":"s1","ok":true,"data":{"accepted":false}}');
    expect(await c.nextText()).toBe('{"accepted":false}');
    await c.send('{"type":"$reply","id":"s1","ok":true,"data":"late duplicate"}');
    await c.send("plain");
    expect(await c.nextText()).toBe("got plain");
    expect(strings).toEqual(["ask", "plain"]);
  });

  it("a typed endpoint answers a stray $reply with nothing (never UNKNOWN_MESSAGE_TYPE), unlike other unknown types", async () => {
    const server = await start([Asking]);
    const c = await server.connect("/ask");
    await c.send('{"type":"$reply","id":"s7","ok":true,"data":1}');
    await c.send('{"type":"nope","id":3}');
    expect(await c.nextJson()).toMatchObject({ type: "error", code: "UNKNOWN_MESSAGE_TYPE", id: 3 });
  });
});
