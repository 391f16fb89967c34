import "reflect-metadata";
import { describe, expect, it } from "vitest";
import { QueueOverflowError } from "../../src/index.js";
import { MockSession } from "../../src/testing/index.js";

/** A session whose reader is far behind: the queue holds everything (policy "await", 4 messages / 1000 bytes). */
function stalled(): MockSession {
  const s = new MockSession();
  s.outbound.configure({ maxMessages: 4, maxBytes: 1000, highWaterMark: 100, policy: "await", sendTimeout: 0 }, s);
  s.memory.bufferedAmount = 1_000_000;
  return s;
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('policy "await": Basic sends past the bound', () => {
  it("are accepted within one more bound, then fail fast with QueueOverflowError; the queue never holds more", async () => {
    const s = stalled();
    const outcomes: string[] = [];
    for (let i = 0; i < 20; i++) {
      s.getBasicRemote()
        .sendText("x".repeat(100))
        .then(
          () => outcomes.push("sent"),
          (e: unknown) => outcomes.push(e instanceof QueueOverflowError ? "overflow" : "other"),
        );
    }
    await tick();
    expect(s.getOutboundQueueDepth()).toBe(8);
    expect(s.outbound.queuedBytes).toBe(800);
    expect(outcomes).toEqual(Array.from({ length: 12 }, () => "overflow"));
    expect(s.outbound.full).toBe(true);
  });

  it("one message larger than maxBytes is still accepted when the queue is not over its byte bound", async () => {
    const s = stalled();
    let error: unknown;
    s.getBasicRemote().sendText("y".repeat(5000)).catch((e: unknown) => (error = e));
    await tick();
    expect(error).toBeUndefined();
    expect(s.outbound.queuedBytes).toBe(5000);
    // Over its byte bound now: a second large one fails fast.
    await expect(s.getBasicRemote().sendText("z".repeat(5000))).rejects.toBeInstanceOf(QueueOverflowError);
  });

  it("calls whoever waits for room once the reader catches up and the queue is below its bounds", async () => {
    const s = stalled();
    for (let i = 0; i < 4; i++) void s.getBasicRemote().sendText("w".repeat(10));
    await tick();
    let woken = 0;
    expect(s.outbound.whenRoom(() => woken++)).toBe(true);
    s.memory.drain();
    await tick();
    expect(woken).toBe(1);
    expect(s.outbound.full).toBe(false);
    expect(s.outbound.whenRoom(() => woken++)).toBe(false);
  });
});

describe("pieces of a fragmented message past the bound", () => {
  it.each(["await", "drop-newest", "drop-oldest"] as const)('policy "%s": a loop of unawaited partial sends stops at the allowance with QueueOverflowError', async (policy) => {
    const s = new MockSession();
    s.outbound.configure({ maxMessages: 4, maxBytes: 1000, highWaterMark: 100, policy, sendTimeout: 0 }, s);
    s.memory.bufferedAmount = 1_000_000;
    let overflowed = 0;
    for (let i = 0; i < 50; i++) s.getBasicRemote().sendText("p".repeat(100), false).catch((e: unknown) => e instanceof QueueOverflowError && overflowed++);
    await tick();
    expect(s.getOutboundQueueDepth()).toBe(8);
    expect(overflowed).toBe(42);
  });
});
