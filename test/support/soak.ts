/**
 * The soak scenario, shared by the short run in `npm test` and the full one in `npm run test:reliability`:
 * an echo endpoint and a broadcast endpoint on one server (this process), client load from a child
 * process, then every session must be closed exactly once and the heap back near where it started.
 */
import "reflect-metadata";
import { expect } from "vitest";
import { CloseReason, OnClose, OnError, OnMessage, OnOpen, ServerEndpoint, Session } from "../../src/index.js";
import { TestServer } from "../../src/testing/index.js";
import { collectUntil, settledHeap } from "./heap.js";
import { CountingLogger, LifecycleTracker } from "./lifecycle-tracker.js";
import { LoadGenerator, type LoadSummary } from "./load.js";

let tracker = new LifecycleTracker();

@ServerEndpoint("/soak/echo")
export class SoakEcho {
  @OnOpen() open(session: Session) {
    tracker.open(session.getId(), session, this);
  }
  @OnMessage() text(msg: string): string {
    return msg;
  }
  @OnError() error(e: Error) {
    tracker.error(e);
  }
  @OnClose() close(session: Session, reason: CloseReason) {
    tracker.close(session.getId(), reason.getCloseCode());
  }
}

@ServerEndpoint("/soak/broadcast")
export class SoakBroadcast {
  @OnOpen() open(session: Session) {
    tracker.open(session.getId(), session, this);
  }
  // Until the rooms API lands, the endpoint's open sessions are the room.
  @OnMessage() text(msg: string, session: Session) {
    for (const peer of session.getOpenSessions()) peer.getAsyncRemote().sendText(msg);
  }
  @OnError() error(e: Error) {
    tracker.error(e);
  }
  @OnClose() close(session: Session, reason: CloseReason) {
    tracker.close(session.getId(), reason.getCloseCode());
  }
}

export interface SoakSettings {
  clients: number;
  messages: number;
  /** Broadcast: how many clients publish (the `messages` are split between them). */
  publishers: number;
  deadlineMs: number;
}

export interface SoakResult {
  echo: LoadSummary;
  broadcast: LoadSummary;
  sessionsOpened: number;
  onCloseNotOnce: number;
  sessionsLeft: number;
  handlerErrors: string[];
  loggedProblems: string[];
  loggerCalls: { warn: number; error: number };
  /** Sessions and endpoint instances still alive after all closed and a forced GC. */
  leakedObjects: number;
  heapStart: number;
  heapEnd: number;
  heapRatio: number;
}

/** Runs echo then broadcast; the caller asserts on the figures. */
export async function runSoak(s: SoakSettings): Promise<SoakResult> {
  tracker = new LifecycleTracker();
  const logger = new CountingLogger();
  const server = await TestServer.start([SoakEcho, SoakBroadcast], { logger });
  const load = LoadGenerator.start();
  const runLoad = (c: Parameters<LoadGenerator["run"]>[0]): Promise<LoadSummary> => load.run(c);
  try {
    // Warm-up of both paths: lazily created state (optimised code, buffer pools) must not count as a leak.
    const warmClients = Math.min(100, Math.ceil(s.clients / 2));
    for (const mode of ["echo", "broadcast"] as const) {
      const warm = await runLoad({ url: `${server.url}/soak/${mode}`, mode, clients: warmClients, messages: 100, publishers: 5, deadlineMs: 30_000 });
      if (warm.lost !== 0 || warm.connected !== warmClients) throw new Error(`warm-up failed: ${JSON.stringify(warm)}`);
    }
    await tracker.whenClosed(2 * warmClients);
    tracker = new LifecycleTracker();
    const heapStart = await settledHeap();

    const echo = await runLoad({ url: `${server.url}/soak/echo`, mode: "echo", clients: s.clients, messages: s.messages, deadlineMs: s.deadlineMs });
    await tracker.whenClosed(echo.connected, 30_000);
    const broadcast = await runLoad({
      url: `${server.url}/soak/broadcast`,
      mode: "broadcast",
      clients: s.clients,
      messages: s.messages,
      publishers: s.publishers,
      deadlineMs: s.deadlineMs,
    });
    await tracker.whenClosed(echo.connected + broadcast.connected, 30_000);

    const sessionsOpened = tracker.opened.size;
    const onCloseNotOnce = tracker.unbalanced().length;
    const handlerErrors = tracker.errors.slice(0, 10);
    const sessionsLeft = server.handle.sessions.size;
    const measured = tracker;
    measured.forgetSessions();
    tracker = new LifecycleTracker();
    const heapEnd = await settledHeap();
    // Sessions and endpoint instances still reachable after repeated full GCs are leaks.
    await collectUntil(() => measured.uncollected === 0);
    const leakedObjects = measured.uncollected;
    return {
      echo,
      broadcast,
      sessionsOpened,
      onCloseNotOnce,
      sessionsLeft,
      handlerErrors,
      loggedProblems: logger.problems.slice(0, 10),
      loggerCalls: { warn: logger.counts.warn, error: logger.counts.error },
      leakedObjects,
      heapStart,
      heapEnd,
      heapRatio: heapEnd / heapStart,
    };
  } finally {
    load.stop();
    await server.close();
  }
}

/** The soak's pass criteria: nothing lost, duplicated, reordered or corrupted; every session closed once; no log, no leak. */
export function expectSoakPassed(r: SoakResult, clients: number, messages: number): void {
  for (const load of [r.echo, r.broadcast]) {
    expect(load.errors).toEqual([]);
    expect(load.connected).toBe(clients);
    expect(load.received).toBe(clients * messages);
    expect({ lost: load.lost, duplicates: load.duplicates, reordered: load.reordered, corrupt: load.corrupt, timedOut: load.timedOut }).toEqual({
      lost: 0,
      duplicates: 0,
      reordered: 0,
      corrupt: 0,
      timedOut: false,
    });
    expect(load.closeCodes).toEqual({ 1000: clients });
  }
  expect(r.sessionsOpened).toBe(2 * clients);
  expect(r.onCloseNotOnce).toBe(0);
  expect(r.sessionsLeft).toBe(0);
  expect(r.handlerErrors).toEqual([]);
  expect(r.loggedProblems).toEqual([]);
  expect(r.leakedObjects).toBe(0);
  expect(r.heapRatio).toBeLessThanOrEqual(1.1);
}
