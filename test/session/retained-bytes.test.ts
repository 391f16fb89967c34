import "reflect-metadata";
import { describe, expect, it } from "vitest";
import { MockSession } from "../../src/testing/index.js";
import { transportWrites } from "../support/transport-writes.js";

describe("queued binary data does not pin a larger allocation", () => {
  it("copies a small view of a large buffer, so the queue keeps only the view's bytes alive", async () => {
    const s = new MockSession();
    const writes = transportWrites(s);
    const arena = Buffer.alloc(64 * 1024, 7);
    const view = arena.subarray(1000, 1100);
    await s.getBasicRemote().sendBinary(view);
    const sent = writes[0] as Buffer;
    expect(sent.equals(view)).toBe(true);
    expect(sent.buffer).not.toBe(arena.buffer);
    expect(sent.buffer.byteLength).toBeLessThanOrEqual(8 * 1024);
  });

  it("queues whole buffers, small pooled ones and views of most of their allocation as they are", async () => {
    const s = new MockSession();
    const writes = transportWrites(s);
    const whole = Buffer.alloc(64 * 1024, 1);
    const pooled = Buffer.from("small"); // a view of Node's 8 KiB pool slab
    const most = Buffer.alloc(64 * 1024, 2).subarray(0, 40 * 1024);
    for (const b of [whole, pooled, most]) s.getAsyncRemote().sendBinary(b);
    await s.getBasicRemote().sendPing();
    expect(writes).toHaveLength(3);
    expect(writes[0]).toBe(whole);
    expect(writes[1]).toBe(pooled);
    expect(writes[2]).toBe(most);
  });
});
