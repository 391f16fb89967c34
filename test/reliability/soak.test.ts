import { describe, it } from "vitest";
import { recordFigures } from "../support/figures.js";
import { expectSoakPassed, runSoak } from "../support/soak.js";

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
    expectSoakPassed(r, CLIENTS, MESSAGES);
  });
});
