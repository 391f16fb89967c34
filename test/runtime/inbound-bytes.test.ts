import "reflect-metadata";
import { afterEach, describe, expect, it } from "vitest";
import { OnMessage, ServerEndpoint } from "../../src/index.js";
import { EndpointHarness, type HarnessConnection } from "../../src/testing/index.js";

let gate: Promise<void> = Promise.resolve();
let open: () => void = () => {};
const handled: number[] = [];

function closeGate(): void {
  gate = new Promise((r) => (open = r));
}

/** Holds its queue on a gate the test opens: messages behind it wait in the inbound queue. */
@ServerEndpoint("/held")
class Held {
  @OnMessage() async take(data: Buffer) {
    await gate;
    handled.push(data.length);
  }
}

const KIB = 1024;

afterEach(() => {
  open();
  handled.length = 0;
});

function sendBytes(conn: HarnessConnection, n: number, size: number): void {
  for (let i = 0; i < n; i++) conn.session.memory.peerSend(Buffer.alloc(size, i));
}

describe("inbound queue bounded in bytes", () => {
  it("pauses reading once more than inboundQueueBytes wait (far under the message count limit), resumes when half are handled, loses nothing", async () => {
    const harness = EndpointHarness.create(Held, { inboundQueueBytes: 64 * KIB });
    const conn = await harness.connect();
    closeGate();
    // One running (not queued), four of 16 KiB waiting: 64 KiB, not over the bound.
    sendBytes(conn, 5, 16 * KIB);
    await Promise.resolve();
    expect(conn.session.memory.paused).toBe(false);
    expect(harness.metrics().inboundQueuedBytes).toBe(64 * KIB);
    sendBytes(conn, 1, 16 * KIB);
    expect(conn.session.memory.paused).toBe(true);
    open();
    await conn.settled();
    expect(conn.session.memory.paused).toBe(false);
    expect(handled).toEqual(Array.from({ length: 6 }, () => 16 * KIB));
    expect(harness.metrics().inboundQueuedBytes).toBe(0);
  });

  it("the server's inboundBudget pauses the session that queues past it, even under its own bound, and wakes it when the total halves", async () => {
    const harness = EndpointHarness.create(Held, { inboundQueueBytes: 256 * KIB, inboundBudget: 256 * KIB });
    const a = await harness.connect();
    const b = await harness.connect();
    closeGate();
    sendBytes(a, 1 + 8, 16 * KIB); // a: 128 KiB queued
    sendBytes(b, 1 + 8, 16 * KIB); // b: 128 KiB queued: 256 KiB in all, at the budget
    await Promise.resolve();
    expect([a.session.memory.paused, b.session.memory.paused]).toEqual([false, false]);
    sendBytes(b, 1, 16 * KIB);
    expect([a.session.memory.paused, b.session.memory.paused]).toEqual([false, true]);
    expect(harness.metrics().inboundQueuedBytes).toBe(272 * KIB);
    open();
    await a.settled();
    await b.settled();
    expect([a.session.memory.paused, b.session.memory.paused]).toEqual([false, false]);
    expect(handled).toHaveLength(19);
    expect(harness.metrics().inboundQueuedBytes).toBe(0);
  });

  it("a session that drops with messages queued still handles them, and the budget returns to zero for the next session", async () => {
    const harness = EndpointHarness.create(Held, { inboundQueueBytes: 64 * KIB, inboundBudget: 64 * KIB });
    const a = await harness.connect();
    closeGate();
    sendBytes(a, 1 + 5, 16 * KIB);
    expect(a.session.memory.paused).toBe(true);
    a.session.memory.peerDrop();
    open();
    await a.settled();
    expect(harness.metrics().inboundQueuedBytes).toBe(0);
    const b = await harness.connect();
    closeGate();
    sendBytes(b, 1 + 2, 16 * KIB);
    expect(b.session.memory.paused).toBe(false);
  });
});

/** Replies by return value; the queue holds two messages. */
@ServerEndpoint({ path: "/replies", outbound: { maxMessages: 2, maxBytes: 1 << 20, highWaterMark: 16 } })
class Replies {
  @OnMessage() m(t: string) {
    return `re ${t}`;
  }
}

describe("a full outbound queue holds inbound messages back", () => {
  it("the harness does not hang while the peer is behind; once it reads, every reply arrives in order", async () => {
    const conn = await EndpointHarness.create(Replies).connect();
    conn.session.memory.bufferedAmount = 1 << 20;
    for (let i = 0; i < 10; i++) await conn.receive(`m${i}`);
    // Two replies fill the queue; the other eight messages wait unhandled, and the socket is paused.
    expect(conn.session.getOutboundQueueDepth()).toBe(2);
    expect(conn.session.memory.paused).toBe(true);
    expect(conn.sent).toEqual([]);
    conn.session.memory.drain();
    await conn.settled();
    conn.session.memory.drain();
    await conn.settled();
    expect(conn.sent.map((m) => m.data)).toEqual(Array.from({ length: 10 }, (_, i) => `re m${i}`));
    expect(conn.session.memory.paused).toBe(false);
  });
});
