import "reflect-metadata";
import { afterEach, describe, expect, it, vi } from "vitest";
import { CloseReason, ErrorCodes, HandlerTimeoutError, OnClose, OnError, OnMessage, OnOpen, ServerEndpoint, Session, type Logger } from "../../src/index.js";
import { HandlerTimeoutWheel, type TimedWait } from "../../src/runtime/handler-timeout.js";
import { resolveOptions } from "../../src/server/options.js";
import { TestServer } from "../../src/testing/index.js";

/** Promises a test can settle from outside, so "never resolves" is explicit and nothing leaks. */
const hanging: Array<(v: string) => void> = [];
function never(): Promise<string> {
  return new Promise((resolve) => hanging.push(resolve));
}

@ServerEndpoint("/hang")
class Hang {
  @OnMessage() async text(msg: string): Promise<string> {
    if (msg === "hang") return never();
    return `echo:${msg}`;
  }
  @OnError() error(e: Error, session: Session) {
    const t = e as HandlerTimeoutError;
    session.getAsyncRemote().sendText(`error:${t.code}:${t.handler}:${t.timeoutMs}`);
  }
}

@ServerEndpoint("/hang-no-onerror")
class HangNoOnError {
  @OnMessage() text(msg: string): Promise<string> | string {
    return msg === "hang" ? never() : `echo:${msg}`;
  }
}

@ServerEndpoint("/hang-on-open")
class HangOnOpen {
  @OnOpen() open(): Promise<string> {
    return never();
  }
  @OnMessage() text(msg: string) {
    return `echo:${msg}`;
  }
  @OnError() error(e: Error, session: Session) {
    session.getAsyncRemote().sendText(`error:${(e as HandlerTimeoutError).code}:${(e as HandlerTimeoutError).handler}`);
  }
}

let closes = 0;
@ServerEndpoint("/hang-on-close")
class HangOnClose {
  @OnMessage() text(msg: string) {
    return msg;
  }
  @OnClose() close(_r: CloseReason): Promise<string> {
    closes++;
    return never();
  }
}

function recordingLogger(): Logger & { errors: string[] } {
  const errors: string[] = [];
  return { errors, debug() {}, info() {}, warn() {}, error: (_o, msg) => void errors.push(msg ?? "") };
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  for (const r of hanging.splice(0)) r("late");
  vi.useRealTimers();
});

describe("handlerTimeout", () => {
  it("reports a message handler that never settles to @OnError as HandlerTimeoutError and handles the next messages in order", async () => {
    server = await TestServer.start([Hang], { handlerTimeout: 100 });
    const c = await server.connect("/hang");
    await c.send("hang");
    await c.send("a");
    await c.send("b");
    expect(await c.nextText()).toBe(`error:${ErrorCodes.HANDLER_TIMEOUT}:Hang.text:100`);
    expect(await c.nextText()).toBe("echo:a");
    expect(await c.nextText()).toBe("echo:b");
  });

  it("ignores the late result of an abandoned handler", async () => {
    server = await TestServer.start([Hang], { handlerTimeout: 100 });
    const c = await server.connect("/hang");
    await c.send("hang");
    expect(await c.nextText()).toBe(`error:${ErrorCodes.HANDLER_TIMEOUT}:Hang.text:100`);
    hanging.shift()!("late reply");
    await c.send("after");
    expect(await c.nextText()).toBe("echo:after");
    expect(c.pending).toEqual([]);
  });

  it("reports an @OnOpen that never settles and then handles the messages that waited behind it", async () => {
    server = await TestServer.start([HangOnOpen], { handlerTimeout: 100 });
    const c = await server.connect("/hang-on-open");
    await c.send("first");
    expect(await c.nextText()).toBe(`error:${ErrorCodes.HANDLER_TIMEOUT}:HangOnOpen.open`);
    expect(await c.nextText()).toBe("echo:first");
  });

  it("closes with 1011 when the endpoint has no @OnError", async () => {
    server = await TestServer.start([HangNoOnError], { handlerTimeout: 100 });
    const c = await server.connect("/hang-no-onerror");
    await c.send("hang");
    expect((await c.closed).code).toBe(1011);
  });

  it("releases the session when @OnClose never settles, and logs it", async () => {
    const logger = recordingLogger();
    closes = 0;
    server = await TestServer.start([HangOnClose], { handlerTimeout: 100, logger });
    const c = await server.connect("/hang-on-close");
    await c.send("x");
    expect(await c.nextText()).toBe("x");
    await c.close(1000);
    await vi.waitUntil(() => server!.handle.sessions.size === 0, { timeout: 5000, interval: 20 });
    expect(closes).toBe(1);
    expect(logger.errors).toEqual(["HangOnClose.close did not settle within 100 ms (handlerTimeout); the session moved on without it."]);
  });

  it("releases the session when @OnClose threw and the @OnError it went to never settles", async () => {
    @ServerEndpoint("/close-throws-error-hangs")
    class CloseThrowsErrorHangs {
      @OnMessage() text(msg: string) {
        return msg;
      }
      @OnClose() close(_r: CloseReason) {
        throw new Error("close failed");
      }
      @OnError() error(_e: unknown): Promise<string> {
        return never();
      }
    }
    const logger = recordingLogger();
    server = await TestServer.start([CloseThrowsErrorHangs], { handlerTimeout: 100, logger });
    const c = await server.connect("/close-throws-error-hangs");
    await c.send("x");
    expect(await c.nextText()).toBe("x");
    await c.close(1000);
    await vi.waitUntil(() => server!.handle.sessions.size === 0, { timeout: 5000, interval: 20 });
    expect(logger.errors).toEqual([
      "CloseThrowsErrorHangs.close threw",
      "CloseThrowsErrorHangs.error did not settle within 100 ms (handlerTimeout); the session moved on without it.",
    ]);
  });
});

describe("handlerTimeout option", () => {
  it("defaults to 30 s, accepts 0 (disabled) and rejects negative or fractional values naming the field", () => {
    expect(resolveOptions({}).handlerTimeout).toBe(30_000);
    expect(resolveOptions({ handlerTimeout: 0 }).handlerTimeout).toBe(0);
    expect(() => resolveOptions({ handlerTimeout: -1 })).toThrow(/handlerTimeout must be a non-negative integer of ms \(0 disables it\); got -1/);
    expect(() => resolveOptions({ handlerTimeout: 1.5 })).toThrow(/handlerTimeout must be a non-negative integer of ms/);
    expect(() => resolveOptions({ handlerTimeout: 2 ** 31 })).toThrow(/handlerTimeout must be at most 2147483647 ms/);
  });
});

describe("HandlerTimeoutWheel", () => {
  function waitOn(wheel: HandlerTimeoutWheel): TimedWait & { fired: number } {
    const w = { armedAt: -1, inWheel: false, fired: 0, timedOut: () => void (w.armedAt = -1, w.fired++) };
    return w;
  }

  it("fires once between the timeout and one tick later, ticking at a quarter of the timeout (at most 1 s)", () => {
    vi.useFakeTimers();
    expect(new HandlerTimeoutWheel(30_000).tickMs).toBe(1000);
    const wheel = new HandlerTimeoutWheel(400);
    expect(wheel.tickMs).toBe(100);
    const w = waitOn(wheel);
    vi.advanceTimersByTime(50);
    w.armedAt = wheel.tick;
    wheel.track(w);
    vi.advanceTimersByTime(399);
    expect(w.fired).toBe(0);
    vi.advanceTimersByTime(101);
    expect(w.fired).toBe(1);
    vi.advanceTimersByTime(1000);
    expect(w.fired).toBe(1);
  });

  it("forgets an untracked wait at once (a released session is not kept alive until the next sweep)", () => {
    vi.useFakeTimers();
    const wheel = new HandlerTimeoutWheel(400);
    const w = waitOn(wheel);
    w.armedAt = wheel.tick;
    wheel.track(w);
    wheel.untrack(w);
    expect(wheel.size).toBe(0);
    expect(w.inWheel).toBe(false);
    vi.advanceTimersByTime(1000);
    expect(w.fired).toBe(0);
  });

  it("drops idle waits and stops its interval when nothing is pending", () => {
    vi.useFakeTimers();
    const wheel = new HandlerTimeoutWheel(400);
    const w = waitOn(wheel);
    w.armedAt = wheel.tick;
    wheel.track(w);
    w.armedAt = -1;
    vi.advanceTimersByTime(100);
    expect(wheel.size).toBe(0);
    expect(w.inWheel).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });
});
