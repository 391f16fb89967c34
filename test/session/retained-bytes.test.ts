import "reflect-metadata";
import { describe, expect, it } from "vitest";
import { MockSession } from "../../src/testing/index.js";
import { transportWrites } from "../support/transport-writes.js";

const HWM = 1000;

/** A session whose queue holds messages while 1,000 bytes from earlier turns are unsent. */
function session(): MockSession {
  const s = new MockSession();
  s.outbound.configure({ maxMessages: 100, maxBytes: 1 << 20, highWaterMark: HWM, policy: "await", sendTimeout: 0 }, s);
  return s;
}

const ARENA = 64 * 1024;

describe("binary data held for a slow reader does not pin a larger allocation", () => {
  it("writes a small view of a large buffer as it is while the reader keeps up", async () => {
    const s = session();
    const writes = transportWrites(s);
    const arena = Buffer.alloc(ARENA, 7);
    await s.getBasicRemote().sendBinary(arena.subarray(1000, 1100));
    expect((writes[0] as Buffer).buffer).toBe(arena.buffer);
  });

  it("copies it when earlier turns left bytes unsent, so the socket keeps only the view's bytes", async () => {
    const s = session();
    const writes = transportWrites(s);
    s.memory.bufferedAmount = 1;
    const arena = Buffer.alloc(ARENA, 7);
    const view = arena.subarray(1000, 1100);
    s.getAsyncRemote().sendBinary(view);
    const sent = writes[0] as Buffer;
    expect(sent.equals(view)).toBe(true);
    expect(sent.buffer).not.toBe(arena.buffer);
    expect(sent.buffer.byteLength).toBeLessThanOrEqual(8 * 1024);
  });

  it("copies views the queue holds: those queued before it began holding and those queued after", async () => {
    const s = session();
    const writes = transportWrites(s);
    const arena = Buffer.alloc(ARENA, 7);
    // Queued behind a timed Basic send, then held: the socket is at the high-water mark.
    const first = s.getBasicRemote().sendBinary(arena.subarray(0, 10));
    s.getAsyncRemote().sendBinary(arena.subarray(10, 20));
    s.memory.bufferedAmount = HWM;
    await Promise.resolve();
    expect(s.outbound.backedUp).toBe(true);
    s.getAsyncRemote().sendBinary(arena.subarray(20, 30));
    expect(writes).toHaveLength(0);
    s.memory.drain();
    await first;
    expect(writes.map((w) => (w as Buffer)[0])).toEqual([7, 7, 7]);
    for (const w of writes) expect((w as Buffer).buffer).not.toBe(arena.buffer);
  });

  it("keeps whole buffers, small pooled ones and views of most of their allocation as they are", async () => {
    const s = session();
    const writes = transportWrites(s);
    s.memory.bufferedAmount = 1;
    const whole = Buffer.alloc(ARENA, 1);
    const pooled = Buffer.from("small"); // a view of Node's 8 KiB pool slab
    const most = Buffer.alloc(ARENA, 2).subarray(0, 40 * 1024);
    for (const b of [whole, pooled, most]) s.getAsyncRemote().sendBinary(b);
    await s.getBasicRemote().sendPing();
    expect(writes).toHaveLength(3);
    expect(writes[0]).toBe(whole);
    expect(writes[1]).toBe(pooled);
    expect(writes[2]).toBe(most);
  });
});
