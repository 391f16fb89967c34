import { describe, expect, it } from "vitest";
import { BYTES_PER_ORIGIN, MessageDedupe, Verdicts, WINDOW } from "../../src/redis/dedupe.js";
import { compareIds, idMs, parseStreamInfo } from "../../src/redis/stream-info.js";

describe("MessageDedupe", () => {
  it("delivers each sequence number of an origin once and drops repeats", () => {
    const d = new MessageDedupe(64 * 1024);
    expect([1, 2, 2, 3, 1, 3].map((s) => d.check("o", s, 0))).toEqual([Verdicts.NEW, Verdicts.NEW, Verdicts.DUPLICATE, Verdicts.NEW, Verdicts.DUPLICATE, Verdicts.DUPLICATE]);
    expect(d.counters).toEqual({ duplicates: 3, reordered: 0, missed: 0, tooOld: 0, evicted: 0 });
  });

  it("takes a late message within the window once, and counts it out of the missed ones", () => {
    const d = new MessageDedupe(64 * 1024);
    d.check("o", 1, 0);
    expect(d.check("o", 4, 0)).toBe(Verdicts.NEW);
    expect(d.counters.missed).toBe(2);
    expect(d.check("o", 3, 0)).toBe(Verdicts.LATE);
    expect(d.check("o", 3, 0)).toBe(Verdicts.DUPLICATE);
    expect(d.check("o", 1, 0)).toBe(Verdicts.DUPLICATE);
    expect(d.counters).toMatchObject({ missed: 1, reordered: 1, duplicates: 2 });
  });

  it("remembers exactly WINDOW numbers below the highest, across jumps of any size", () => {
    for (const jump of [1, WINDOW - 1, WINDOW, WINDOW + 1, 1000]) {
      const d = new MessageDedupe(64 * 1024);
      for (let s = 1; s <= 100; s++) d.check("o", s, 0);
      d.check("o", 100 + jump, 0);
      const high = 100 + jump;
      for (let back = 1; back <= WINDOW; back++) {
        const seq = high - back;
        expect(d.check("o", seq, 0), `jump ${jump}, seq ${seq}`).toBe(seq <= 100 ? Verdicts.DUPLICATE : Verdicts.LATE);
      }
      expect(d.check("o", high - WINDOW - 1, 0)).toBe(Verdicts.TOO_OLD);
    }
  });

  it("drops what predates the first message it saw of an origin (published before this node read it)", () => {
    const d = new MessageDedupe(64 * 1024);
    d.check("o", 50, 0);
    expect(d.check("o", 49, 0)).toBe(Verdicts.TOO_OLD);
    expect(d.counters.missed).toBe(0);
  });

  it("keeps its memory within the byte bound, forgetting the origin heard from least recently", () => {
    const d = new MessageDedupe(3 * BYTES_PER_ORIGIN);
    d.check("a", 1, 1);
    d.check("b", 1, 2);
    d.check("c", 1, 3);
    d.check("a", 2, 4); // a is now the most recent
    d.check("d", 1, 5);
    expect(d.size).toBe(3);
    expect(d.bytes).toBe(3 * BYTES_PER_ORIGIN);
    expect(d.counters.evicted).toBe(1);
    expect(d.check("a", 2, 6)).toBe(Verdicts.DUPLICATE);
    expect(d.check("b", 1, 7)).toBe(Verdicts.NEW); // forgotten: taken as new
  });

  it("forgets origins that went quiet", () => {
    const d = new MessageDedupe(64 * 1024);
    d.check("old", 1, 100);
    d.check("new", 1, 200);
    d.forgetIdle(150);
    expect(d.size).toBe(1);
    expect(d.counters.evicted).toBe(0);
  });
});

describe("stream ids and XINFO", () => {
  it("orders ids numerically, not as text", () => {
    expect(compareIds("9-0", "10-0")).toBe(-1);
    expect(compareIds("10-2", "10-10")).toBe(-1);
    expect(compareIds("1796597239194-3", "1796597239194-3")).toBe(0);
    expect(compareIds("0-0", "5")).toBe(-1);
    expect(idMs("1796597239194-3")).toBe(1796597239194);
  });

  it("reads the ends of a stream from XINFO STREAM, and a missing stream as empty", () => {
    expect(parseStreamInfo(null)).toEqual({ lastId: "0-0", firstId: undefined, maxDeletedId: undefined });
    const reply = ["length", 2, "last-generated-id", "7-1", "max-deleted-entry-id", "3-0", "first-entry", ["5-0", ["o", "x"]], "last-entry", ["7-1", []]];
    expect(parseStreamInfo(reply)).toEqual({ lastId: "7-1", firstId: "5-0", maxDeletedId: "3-0" });
    expect(parseStreamInfo(["last-generated-id", "7-1", "max-deleted-entry-id", "0-0", "first-entry", null])).toEqual({ lastId: "7-1", firstId: undefined, maxDeletedId: undefined });
  });
});
