import { describe, expect, it } from "vitest";
import { recordFigures } from "../support/figures.js";
import { runFuzz } from "../support/fuzz.js";

const RUNS = Number(process.env.WSE_FUZZ_RUNS ?? 10_000);

describe("frame fuzzing (full)", () => {
  it(`answers ${RUNS} random frame sequences as RFC 6455 requires, never crashes, never leaks a session`, async () => {
    const stats = await runFuzz(RUNS);
    recordFigures("fuzz", [
      {
        scenario: "fuzz raw frames",
        figures: {
          cases: stats.cases,
          "echoes checked": stats.messagesEchoed,
          ...Object.fromEntries(Object.entries(stats.byCloseCode).map(([code, n]) => [`close ${code}`, n])),
          crashes: 0,
          "sessions leaked": stats.sessionsLeft,
          "onClose!=1": stats.onCloseNotOnce,
        },
      },
    ]);
    expect(stats.cases).toBe(RUNS);
    expect(stats.controlEcho).toBe("alive");
    expect(stats.sessionsOpened).toBe(RUNS + 1);
    expect(stats.onCloseNotOnce).toBe(0);
    expect(stats.sessionsLeft).toBe(0);
    expect(stats.loggedProblems).toEqual([]);
  });
});
