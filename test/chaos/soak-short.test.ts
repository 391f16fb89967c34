import { describe, expect, it } from "vitest";
import { runSoak } from "../support/soak.js";

describe("soak (short; the full 1,000 × 1,000 run is npm run test:reliability)", () => {
  it("delivers every echo and broadcast exactly once and in order, closes every session once, logs nothing and leaks no heap", async () => {
    const r = await runSoak({ clients: 50, messages: 100, publishers: 5, deadlineMs: 30_000 });
    for (const load of [r.echo, r.broadcast]) {
      expect(load.errors).toEqual([]);
      expect(load.connected).toBe(50);
      expect(load.received).toBe(50 * 100);
      expect({ lost: load.lost, duplicates: load.duplicates, reordered: load.reordered, corrupt: load.corrupt, timedOut: load.timedOut }).toEqual({
        lost: 0,
        duplicates: 0,
        reordered: 0,
        corrupt: 0,
        timedOut: false,
      });
      expect(load.closeCodes).toEqual({ 1000: 50 });
    }
    expect(r.sessionsOpened).toBe(100);
    expect(r.onCloseNotOnce).toBe(0);
    expect(r.sessionsLeft).toBe(0);
    expect(r.handlerErrors).toEqual([]);
    expect(r.loggedProblems).toEqual([]);
    expect(r.leakedObjects).toBe(0);
    expect(r.heapRatio).toBeLessThanOrEqual(1.1);
  }, 60_000);
});
