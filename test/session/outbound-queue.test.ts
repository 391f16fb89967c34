import "reflect-metadata";
import { describe, expect, it } from "vitest";
import { QueueOverflowError, SendTimeoutError, SessionClosedError } from "../../src/index.js";
import { OUT } from "../../src/session/outbound-entry.js";
import type { OutboundLimits, OverflowPolicy } from "../../src/session/outbound-options.js";
import { OutboundQueue } from "../../src/session/outbound-queue.js";
import { PendingSend } from "../../src/session/pending-send.js";
import { InMemoryTransport } from "../../src/testing/in-memory-transport.js";
import { MockSession } from "../../src/testing/index.js";

function session(limits: Partial<OutboundLimits> & { policy?: OverflowPolicy } = {}): MockSession {
  const s = new MockSession();
  s.outbound.configure(
    { maxMessages: 4, maxBytes: 1000, highWaterMark: 100, policy: "await", sendTimeout: 0, ...limits },
    s,
  );
  return s;
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
const texts = (s: MockSession): string[] => s.memory.sent.flatMap((m) => (m.type === "text" ? [m.data] : []));

describe("outbound queue: holding while the socket is backed up", () => {
  it("hands a message to the transport at once when nothing is queued and the socket is not backed up", () => {
    const s = session({ maxMessages: 100 });
    for (let i = 0; i < 3; i++) s.getAsyncRemote().sendText(`m${i}`);
    expect(texts(s)).toEqual(["m0", "m1", "m2"]);
    expect(s.getOutboundQueueDepth()).toBe(0);
  });

  it("queues a message for the microtask flush when the transport does not coalesce, so a same-turn await sees the write's own callback", async () => {
    // coalesceWrites: false (or a client between connections): nothing says when a hand-over leaves.
    const memory = new InMemoryTransport();
    memory.cork = () => false;
    const q = new OutboundQueue(memory);
    const handle = new PendingSend();
    q.push(OUT.TEXT, "m0", true, undefined, handle);
    expect(q.depth).toBe(1);
    const result = handle.then((r) => r);
    await Promise.resolve();
    expect(memory.sent).toEqual([{ type: "text", data: "m0" }]);
    expect(await result).toEqual({ ok: true });
  });

  it("queues messages behind a queued one and hands them over in one batch, in order", async () => {
    const s = session({ maxMessages: 100, sendTimeout: 1000 });
    // A timed Basic send always takes the queue; what follows it must wait its turn.
    const first = s.getBasicRemote().sendText("m0");
    for (let i = 1; i < 3; i++) s.getAsyncRemote().sendText(`m${i}`);
    expect(texts(s)).toEqual([]);
    expect(s.getOutboundQueueDepth()).toBe(3);
    await first;
    expect(texts(s)).toEqual(["m0", "m1", "m2"]);
    expect(s.getOutboundQueueDepth()).toBe(0);
  });

  it("holds entries while bufferedAmount is at the high-water mark and resumes in order on drain", async () => {
    const s = session({ maxMessages: 100 });
    s.memory.bufferedAmount = 100;
    for (let i = 0; i < 5; i++) s.getAsyncRemote().sendText(`m${i}`);
    await tick();
    expect(texts(s)).toEqual([]);
    expect(s.getOutboundQueueDepth()).toBe(5);
    expect(s.getBufferedAmount()).toBe(100 + 5 * 2);
    s.memory.drain();
    expect(texts(s)).toEqual(["m0", "m1", "m2", "m3", "m4"]);
    expect(s.getOutboundQueueDepth()).toBe(0);
  });

  it("one flush hands the transport at most max(highWaterMark, maxBytes); the rest waits for a drain", async () => {
    const s = session({ maxMessages: 100, maxBytes: 100, highWaterMark: 50 });
    s.memory.bufferedAmount = 1;
    const chunk = "x".repeat(30);
    // Awaited Basic sends are accepted past maxBytes ("await" policy), so the queue holds 186 bytes.
    const sends = Array.from({ length: 6 }, (_, i) => s.getBasicRemote().sendText(chunk + i));
    await tick();
    // 100 bytes: the 4th message crosses it, the rest wait for a drain.
    expect(texts(s)).toHaveLength(4);
    expect(s.getOutboundQueueDepth()).toBe(2);
    s.memory.drain();
    await Promise.all(sends);
    expect(texts(s).map((t) => t.slice(30))).toEqual(["0", "1", "2", "3", "4", "5"]);
  });

  it("a long held queue drained over several flushes keeps every message, in order", async () => {
    // 2,500 one-byte messages, 1,500 bytes a flush: the first flush leaves the queue holding past its
    // 1,024th slot, where it compacts its array; the drain hands over the rest.
    const s = session({ maxMessages: 5000, maxBytes: 1500, highWaterMark: 100 });
    s.memory.bufferedAmount = 1;
    const sends = Array.from({ length: 2500 }, (_, i) => s.getBasicRemote().sendText(String(i % 10)));
    await tick();
    expect(texts(s)).toHaveLength(1500);
    expect(s.getOutboundQueueDepth()).toBe(1000);
    s.memory.drain();
    await Promise.all(sends);
    expect(texts(s).join("")).toBe(Array.from({ length: 2500 }, (_, i) => String(i % 10)).join(""));
    expect(s.getOutboundQueueDepth()).toBe(0);
    // The queue is reusable afterwards.
    s.getAsyncRemote().sendText("after");
    await tick();
    expect(texts(s).at(-1)).toBe("after");
  });

  it("the close frame waits behind accepted Basic sends", async () => {
    const s = session({ maxMessages: 100 });
    s.memory.bufferedAmount = 500;
    const sends = [0, 1, 2].map((i) => s.getBasicRemote().sendText(`b${i}`));
    s.closeWith(1001, "bye");
    await tick();
    expect(s.memory.closeFrame).toBeUndefined();
    s.memory.drain();
    await Promise.all(sends);
    expect(texts(s)).toEqual(["b0", "b1", "b2"]);
    expect(s.memory.closeFrame).toEqual({ code: 1001, reason: "bye" });
  });

  it("sends still queued when the connection drops fail with SessionClosedError", async () => {
    const s = session({ maxMessages: 100 });
    s.memory.bufferedAmount = 500;
    const basic = s.getBasicRemote().sendText("lost");
    const handle = s.getAsyncRemote().sendText("lost too");
    const observed = handle.then((r) => r);
    s.memory.isOpen = false;
    s.markClosed();
    await expect(basic).rejects.toBeInstanceOf(SessionClosedError);
    const r = await observed;
    expect(r.ok).toBe(false);
    expect(s.getOutboundQueueDepth()).toBe(0);
  });
});

describe("outbound queue: overflow policies", () => {
  async function fill(s: MockSession, n: number): Promise<Array<{ ok: boolean; error?: Error }>> {
    s.memory.bufferedAmount = 100;
    const results: Array<{ ok: boolean; error?: Error }> = [];
    for (let i = 0; i < n; i++) s.getAsyncRemote().sendText(`m${i}`, (r) => (results[i] = r));
    await tick();
    return results;
  }

  it("await: Basic sends are accepted past the bound and resolve once flushed; Async sends are refused", async () => {
    const s = session({ policy: "await" });
    const results = await fill(s, 6);
    expect(results[4]!.error).toBeInstanceOf(QueueOverflowError);
    expect(results[5]!.error).toBeInstanceOf(QueueOverflowError);
    const basic = s.getBasicRemote().sendText("waits");
    expect(s.getOutboundQueueDepth()).toBe(5);
    s.memory.drain();
    await basic;
    expect(texts(s)).toEqual(["m0", "m1", "m2", "m3", "waits"]);
  });

  it("drop-newest: the new message is refused, Basic rejects with QueueOverflowError", async () => {
    const s = session({ policy: "drop-newest" });
    const results = await fill(s, 5);
    expect(results[4]!.error).toBeInstanceOf(QueueOverflowError);
    await expect(s.getBasicRemote().sendText("no room")).rejects.toBeInstanceOf(QueueOverflowError);
    s.memory.drain();
    expect(texts(s)).toEqual(["m0", "m1", "m2", "m3"]);
  });

  it("drop-oldest: the oldest queued messages are discarded to make room", async () => {
    const s = session({ policy: "drop-oldest" });
    const results = await fill(s, 7);
    s.memory.drain();
    await tick();
    expect(texts(s)).toEqual(["m3", "m4", "m5", "m6"]);
    expect(results.slice(0, 3).map((r) => r.error)).toEqual([expect.any(QueueOverflowError), expect.any(QueueOverflowError), expect.any(QueueOverflowError)]);
    expect(results.slice(3).every((r) => r.ok)).toBe(true);
  });

  it("drop-oldest also bounds bytes", async () => {
    const s = session({ policy: "drop-oldest", maxMessages: 100, maxBytes: 10 });
    s.memory.bufferedAmount = 100;
    for (let i = 0; i < 5; i++) s.getAsyncRemote().sendText(`abcd${i}`);
    expect(s.outbound.queuedBytes).toBeLessThanOrEqual(10);
    await tick();
    s.memory.drain();
    expect(texts(s)).toEqual(["abcd3", "abcd4"]);
  });

  it("close: queued sends fail and the session closes with 1008", async () => {
    const s = session({ policy: "close" });
    const results = await fill(s, 5);
    expect(results.every((r) => r.error instanceof QueueOverflowError)).toBe(true);
    expect(s.memory.closeFrame?.code).toBe(1008);
    expect(s.isOpen()).toBe(false);
    expect(s.getOutboundQueueDepth()).toBe(0);
  });

  it("control frames and the close frame are never refused", async () => {
    const s = session({ policy: "drop-newest", maxMessages: 1 });
    s.memory.bufferedAmount = 100;
    s.getAsyncRemote().sendText("one");
    s.getAsyncRemote().sendPing(Buffer.from("p"));
    s.closeWith(1000, "");
    expect(s.getOutboundQueueDepth()).toBe(3);
  });
});

describe("outbound queue: sendTimeout", () => {
  it("a Basic send not flushed in time rejects with SendTimeoutError and is not sent later", async () => {
    const s = session({ sendTimeout: 30, maxMessages: 100 });
    s.memory.bufferedAmount = 100;
    const late = s.getBasicRemote().sendText("late");
    await expect(late).rejects.toBeInstanceOf(SendTimeoutError);
    expect(s.getOutboundQueueDepth()).toBe(0);
    s.memory.drain();
    await s.getBasicRemote().sendText("next");
    expect(texts(s)).toEqual(["next"]);
  });

  it("a Basic send flushed in time resolves and its timer does not fire an error", async () => {
    const s = session({ sendTimeout: 30, maxMessages: 100 });
    await s.getBasicRemote().sendText("quick");
    await new Promise((r) => setTimeout(r, 50));
    expect(texts(s)).toEqual(["quick"]);
  });
});
