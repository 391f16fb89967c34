import "reflect-metadata";
import { afterEach, describe, expect, it } from "vitest";
import { OnMessage, QueueOverflowError, ServerEndpoint, Session } from "../../src/index.js";
import type { WsSession } from "../../src/session/ws-session.js";
import { TestServer, type TestClient } from "../../src/testing/index.js";

const CHUNK = "c".repeat(4096);
const MAX_MESSAGES = 64;
const MAX_BYTES = 256 * 1024;
const LOOP = 4000;
const N = 2000;
const outcomes = { sent: 0, overflowed: 0, other: 0 };

function count(p: Promise<void>): void {
  p.then(
    () => outcomes.sent++,
    (e: unknown) => (e instanceof QueueOverflowError ? outcomes.overflowed++ : outcomes.other++),
  );
}

/** Basic sends in a loop, none awaited (policy "await" by default). */
@ServerEndpoint("/loop")
class Loop {
  @OnMessage() m(_t: string, s: Session) {
    for (let i = 0; i < LOOP; i++) count(s.getBasicRemote().sendText(`${i}:${CHUNK}`));
  }
}

/** A synchronous handler with one Basic send per message that it does not await. */
@ServerEndpoint("/sync-echo")
class SyncEcho {
  @OnMessage() m(t: string, s: Session) {
    count(s.getBasicRemote().sendText(t));
  }
}

/** Replies by return value. */
@ServerEndpoint("/return-echo")
class ReturnEcho {
  @OnMessage() m(t: string) {
    return t;
  }
}

/** Replies by return value under "drop-newest": replies that do not fit are dropped, and counted. */
@ServerEndpoint({ path: "/return-drop", outbound: { policy: "drop-newest" } })
class ReturnDrop {
  @OnMessage() m(t: string) {
    return t;
  }
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  Object.assign(outcomes, { sent: 0, overflowed: 0, other: 0 });
});

const limits = { heartbeatInterval: 0, closeTimeout: 500, outbound: { maxMessages: MAX_MESSAGES, maxBytes: MAX_BYTES, highWaterMark: 64 * 1024 } } as const;

function sessionAt(s: TestServer, path: string): WsSession {
  return [...s.handle.sessions].find((x) => x.getRequestPath() === path) as WsSession;
}

function isPaused(s: WsSession): boolean {
  return (s.transport as unknown as { ws: { isPaused: boolean } }).ws.isPaused;
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

/** A client that stops reading, then sends `n` numbered messages. */
async function floodingReader(s: TestServer, path: string, n: number): Promise<TestClient> {
  const c = await s.connect(path);
  c.ws.pause();
  for (let i = 0; i < n; i++) c.ws.send(`${i}:${CHUNK}`);
  return c;
}

/** Reads `n` messages and returns their numbers. */
async function readAll(c: TestClient, n: number): Promise<number[]> {
  c.ws.resume();
  const got: number[] = [];
  for (let i = 0; i < n; i++) got.push(Number((await c.nextText()).split(":", 1)[0]));
  return got;
}

const inOrder = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe("the outbound bound holds in bytes whatever the handler does (policy \"await\")", () => {
  it("Basic sends a handler does not await, in a loop: past one more bound they fail fast with QueueOverflowError; the reader gets every accepted one", async () => {
    server = await TestServer.start([Loop], limits);
    const c = await server.connect("/loop");
    c.ws.pause();
    c.ws.send("go");
    await waitFor(() => server!.handle.metrics().endpoints["/loop"]!.messagesIn === 1 && outcomes.overflowed > 0, "the loop to overflow");
    const session = sessionAt(server, "/loop");
    expect(session.getOutboundQueueDepth()).toBeLessThanOrEqual(2 * MAX_MESSAGES);
    expect(session.outbound.queuedBytes).toBeLessThanOrEqual(2 * MAX_BYTES + CHUNK.length + 8);
    expect(outcomes.overflowed).toBeGreaterThan(LOOP / 2);
    const got = await readAll(c, LOOP - outcomes.overflowed);
    // What was accepted arrives in order, without gaps before the first refusal.
    expect(got).toEqual([...got].sort((a, b) => a - b));
    await waitFor(() => outcomes.sent + outcomes.overflowed === LOOP, "every send to settle");
    expect(outcomes.other).toBe(0);
  });

  it("a sync handler with one unawaited Basic send per message: the server stops reading instead of queuing; nothing is dropped", async () => {
    server = await TestServer.start([SyncEcho], limits);
    const c = await floodingReader(server, "/sync-echo", N);
    await waitFor(() => sessionAt(server!, "/sync-echo") !== undefined && (isPaused(sessionAt(server!, "/sync-echo")) || outcomes.sent + outcomes.overflowed === N), "the server to stop reading");
    const session = sessionAt(server, "/sync-echo");
    expect(isPaused(session)).toBe(true);
    expect(session.getOutboundQueueDepth()).toBeLessThanOrEqual(2 * MAX_MESSAGES);
    expect(session.outbound.queuedBytes).toBeLessThanOrEqual(2 * MAX_BYTES);
    expect(await readAll(c, N)).toEqual(inOrder(N));
    expect(outcomes.overflowed).toBe(0);
  });
});

describe("replies by return value to a peer that floods and does not read", () => {
  it("\"await\": the server stops reading while the outbound queue is full; every reply arrives, in order, none dropped", async () => {
    server = await TestServer.start([ReturnEcho], limits);
    const c = await floodingReader(server, "/return-echo", N);
    await waitFor(() => sessionAt(server!, "/return-echo") !== undefined && isPaused(sessionAt(server!, "/return-echo")), "the server to stop reading");
    const session = sessionAt(server, "/return-echo");
    expect(session.getOutboundQueueDepth()).toBeLessThanOrEqual(2 * MAX_MESSAGES);
    expect(session.outbound.queuedBytes).toBeLessThanOrEqual(2 * MAX_BYTES);
    expect(await readAll(c, N)).toEqual(inOrder(N));
    expect(server.handle.metrics().endpoints["/return-echo"]!.outboundDropped).toBe(0);
  });

  it("\"drop-newest\": every reply dropped is counted in outboundDropped", async () => {
    server = await TestServer.start([ReturnDrop], limits);
    const c = await floodingReader(server, "/return-drop", N);
    await waitFor(() => server!.handle.metrics().endpoints["/return-drop"]!.messagesIn === N, "every message to be read");
    const dropped = server.handle.metrics().endpoints["/return-drop"]!.outboundDropped;
    expect(dropped).toBeGreaterThan(0);
    const got = await readAll(c, N - dropped);
    expect(got).toEqual([...got].sort((a, b) => a - b));
    c.ws.send("last");
    expect(await c.nextText()).toBe("last");
  });
});
