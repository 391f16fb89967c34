import { describe, expect, it } from "vitest";
import { recordFigures } from "../support/figures.js";
import { runSoak } from "../support/soak.js";

const CLIENTS = 1000;
const MESSAGES = 1000;

describe("soak (full)", () => {
  it(`${CLIENTS} clients × ${MESSAGES} messages through echo and broadcast: nothing lost, nothing reordered, no leak, nothing logged`, async () => {
    const r = await runSoak({ clients: CLIENTS, messages: MESSAGES, publishers: 10, deadlineMs: 240_000 });
    recordFigures("soak", [
      ...[r.echo, r.broadcast].map((l) => ({
        scenario: `soak ${l.mode}`,
        figures: {
          clients: l.connected,
          "msgs/client": l.messagesPerClient,
          delivered: l.received,
          lost: l.lost,
          dup: l.duplicates,
          reordered: l.reordered,
          corrupt: l.corrupt,
          seconds: +(l.exchangeMs / 1000).toFixed(1),
        },
      })),
      {
        scenario: "soak server",
        figures: {
          sessions: r.sessionsOpened,
          "onClose!=1": r.onCloseNotOnce,
          left: r.sessionsLeft,
          "warn+error logs": r.loggerCalls.warn + r.loggerCalls.error,
          "heap start MB": +(r.heapStart / 2 ** 20).toFixed(1),
          "heap end MB": +(r.heapEnd / 2 ** 20).toFixed(1),
          "heap ratio": +r.heapRatio.toFixed(3),
          "objects leaked": r.leakedObjects,
          crashes: 0,
        },
      },
    ]);
    for (const load of [r.echo, r.broadcast]) {
      expect(load.errors).toEqual([]);
      expect(load.connected).toBe(CLIENTS);
      expect(load.received).toBe(CLIENTS * MESSAGES);
      expect({ lost: load.lost, duplicates: load.duplicates, reordered: load.reordered, corrupt: load.corrupt, timedOut: load.timedOut }).toEqual({
        lost: 0,
        duplicates: 0,
        reordered: 0,
        corrupt: 0,
        timedOut: false,
      });
      expect(load.closeCodes).toEqual({ 1000: CLIENTS });
    }
    expect(r.sessionsOpened).toBe(2 * CLIENTS);
    expect(r.onCloseNotOnce).toBe(0);
    expect(r.sessionsLeft).toBe(0);
    expect(r.handlerErrors).toEqual([]);
    expect(r.loggedProblems).toEqual([]);
    expect(r.leakedObjects).toBe(0);
    expect(r.heapRatio).toBeLessThanOrEqual(1.1);
  });
});
