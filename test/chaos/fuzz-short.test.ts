import { describe, expect, it } from "vitest";
import { runFuzz } from "../support/fuzz.js";

// A few hundred cases; test/fuzz/frames.test.ts runs 10,000.
describe("frame fuzzing (short)", () => {
  it("answers random frame sequences as RFC 6455 requires (echo, pong, or the close code), never crashes, never leaks a session", async () => {
    const stats = await runFuzz(300);
    expect(stats.cases).toBe(300);
    expect(stats.controlEcho).toBe("alive");
    expect(stats.sessionsOpened).toBe(stats.cases + 1);
    expect(stats.onCloseNotOnce).toBe(0);
    expect(stats.sessionsLeft).toBe(0);
    expect(stats.loggedProblems).toEqual([]);
    // The generator must reach every outcome, or the property proves little.
    for (const code of ["1002", "1005", "1007", "1009"]) expect(stats.byCloseCode[code as never]).toBeGreaterThan(0);
  }, 60_000);
});
