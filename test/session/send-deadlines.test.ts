import { afterEach, describe, expect, it, vi } from "vitest";
import { SendTimeoutError } from "../../src/errors.js";
import { SendDeadlines, type DeadlineHost, type TimedSend } from "../../src/session/send-deadlines.js";

afterEach(() => void vi.useRealTimers());

function host(): DeadlineHost<TimedSend> & { expiredEntries: TimedSend[]; passes: number } {
  return {
    expiredEntries: [],
    passes: 0,
    expireEntry(e) {
      this.expiredEntries.push(e);
    },
    expired() {
      this.passes++;
    },
  };
}

describe("SendDeadlines", () => {
  it("fails a send that outlives its timeout once, after the queue took it out", () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    const h = host();
    const d = new SendDeadlines(h);
    const outcomes: Array<Error | undefined> = [];
    const e: TimedSend = { done: undefined, deadline: 0 };
    d.track(e, (error) => outcomes.push(error), 100);
    vi.advanceTimersByTime(99);
    expect(outcomes).toEqual([]);
    vi.advanceTimersByTime(5);
    expect(h.expiredEntries).toEqual([e]);
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toBeInstanceOf(SendTimeoutError);
    e.done!(); // the late write callback is ignored
    expect(outcomes).toHaveLength(1);
  });

  it("a send written in time is never expired; a stopped set never fires", () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    const h = host();
    const d = new SendDeadlines(h);
    const outcomes: Array<Error | undefined> = [];
    const written: TimedSend = { done: undefined, deadline: 0 };
    const dropped: TimedSend = { done: undefined, deadline: 0 };
    d.track(written, (error) => outcomes.push(error), 100);
    d.track(dropped, (error) => outcomes.push(error), 100);
    written.done!();
    d.stop();
    vi.advanceTimersByTime(500);
    expect(outcomes).toEqual([undefined]);
    expect(h.expiredEntries).toEqual([]);
    expect(h.passes).toBe(0);
  });
});
