import { afterAll, afterEach, describe, expect, it } from "vitest";
import { ErrorCodes } from "../../src/index.js";
import {
  closeWithoutFrame,
  dropMidFrame,
  failingHandler,
  halfFrameStall,
  health,
  openCloseMany,
  pingFlood,
  resetDuringBasicSend,
  startRig,
  stopRig,
  type ChaosRig,
  type Health,
} from "../support/chaos.js";
import { recordFigures, type FigureRow } from "../support/figures.js";

// Full-size chaos; test/chaos/chaos.test.ts runs the same scenarios small in npm test.
let rig: ChaosRig | undefined;
const rows: FigureRow[] = [];
afterEach(async () => {
  await stopRig(rig);
  rig = undefined;
});
afterAll(() => recordFigures("chaos", rows));

function check(scenario: string, h: Health, sessions: number, extra: Record<string, number | string | boolean> = {}): void {
  rows.push({
    scenario: `chaos ${scenario}`,
    figures: {
      sessions: h.opened - 1,
      "control served": h.controlEcho === "echo:still there?",
      "onClose!=1": h.onCloseNotOnce,
      left: h.sessionsLeft,
      "objects leaked": h.leakedObjects,
      crashes: 0,
      ...extra,
    },
  });
  expect(h).toEqual({ controlEcho: "echo:still there?", opened: sessions + 1, onCloseNotOnce: 0, sessionsLeft: 0, leakedObjects: 0 });
}

describe("chaos (full)", () => {
  it("500 clients drop TCP mid-frame", async () => {
    rig = await startRig();
    await dropMidFrame(rig, 500);
    check("drop mid-frame", await health(rig), 500);
    expect(rig.logger.problems).toEqual([]);
  });

  it("300 clients stall on half a frame, then go", async () => {
    rig = await startRig();
    const stalled = await halfFrameStall(rig, 300);
    await rig.control.send("during stall");
    expect(await rig.control.nextText()).toBe("echo:during stall");
    for (const c of stalled) c.socket.destroy();
    check("half frame, stall", await health(rig), 300);
  });

  it("200 stalled clients at graceful shutdown", async () => {
    rig = await startRig({ closeTimeout: 500 });
    await halfFrameStall(rig, 200);
    await rig.server.handle.close();
    await rig.tracker.whenClosed(201);
    rows.push({ scenario: "chaos stalled at shutdown", figures: { sessions: 200, "onClose!=1": rig.tracker.unbalanced().length, left: rig.server.handle.sessions.size, crashes: 0 } });
    expect(rig.tracker.unbalanced()).toEqual([]);
    expect(rig.server.handle.sessions.size).toBe(0);
  });

  it("100 resets during Basic sends", async () => {
    rig = await startRig();
    await resetDuringBasicSend(rig, 100);
    const h = await health(rig);
    check("reset during Basic send", h, 100, { "sends settled": rig.basicOutcomes.length });
    expect(rig.basicOutcomes).toHaveLength(100);
  });

  it("500 clients close without a close frame", async () => {
    rig = await startRig();
    await closeWithoutFrame(rig, 500);
    check("no close frame", await health(rig), 500);
    expect(rig.logger.problems).toEqual([]);
  });

  it("10,000 paced pings, then burst floods", async () => {
    rig = await startRig();
    const r = await pingFlood(rig, 10_000);
    check("ping flood", await health(rig), 3, { "pongs in order": r.pongsInOrder, "flooder cut off": r.burstCutOff });
    expect(r.pongsInOrder).toBe(10_000);
    expect(r.burstCutOff).toBe(true);
  });

  it("10,000 open/close cycles", async () => {
    rig = await startRig();
    const { closedNormally } = await openCloseMany(rig, 10_000, 50);
    check("open/close", await health(rig), 10_000, { "closed 1000": closedNormally });
    expect(closedNormally).toBe(10_000);
    expect(rig.logger.problems).toEqual([]);
  });

  it("200 sessions whose handler throws", async () => {
    rig = await startRig();
    const { answers } = await failingHandler(rig, 200, "throw");
    check("handler throws", await health(rig), 200);
    expect(answers).toEqual(Array.from({ length: 200 }, () => ["error:Error", "echo:after"]));
  });

  it("200 sessions whose handler never resolves (handlerTimeout 200 ms)", async () => {
    rig = await startRig({ handlerTimeout: 200 });
    const { answers } = await failingHandler(rig, 200, "hang");
    check("handler never resolves", await health(rig), 200);
    expect(answers).toEqual(Array.from({ length: 200 }, () => [`error:${ErrorCodes.HANDLER_TIMEOUT}`, "echo:after"]));
  });

  // Redis restarted and Redis fail-overs during broadcast, in both delivery modes: redis-delivery.test.ts.
});
