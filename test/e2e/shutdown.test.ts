import "reflect-metadata";
import { afterEach, describe, expect, it } from "vitest";
import { CloseReason, OnClose, OnMessage, ServerEndpoint, Session, SessionClosedError } from "../../src/index.js";
import { TestServer, type TestClient } from "../../src/testing/index.js";
import { rawRequest, upgradeRequest } from "../support/raw-http.js";

const CLIENTS = 200;
const BURST = 20;
const counts = { accepted: 0, flushed: 0, refusedAfterClose: 0, otherFailures: 0, onClose: new Map<number, number>() };
let burstsHandled = 0;
let allBursts: () => void = () => {};

@ServerEndpoint("/burst")
class Burst {
  @OnMessage() burst(_t: string, session: Session) {
    for (let i = 0; i < BURST; i++) {
      counts.accepted++;
      session
        .getBasicRemote()
        .sendText(`${i}`)
        .then(
          () => counts.flushed++,
          () => counts.otherFailures++,
        );
    }
    if (++burstsHandled === CLIENTS) allBursts();
  }
  @OnClose() closed(reason: CloseReason, session: Session) {
    counts.onClose.set(reason.getCloseCode(), (counts.onClose.get(reason.getCloseCode()) ?? 0) + 1);
    // Too late: the session is closing; this send is refused, not lost silently.
    session.getBasicRemote().sendText("after close").catch((e: unknown) => e instanceof SessionClosedError && counts.refusedAfterClose++);
  }
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("graceful shutdown", () => {
  // closeTimeout leaves room for 200 close handshakes on a loaded 2-core machine; the deaf peer still hits it.
  it(`delivers every accepted Basic send and then 1001 to ${CLIENTS} clients; new upgrades get 503; a deaf peer is terminated after closeTimeout`, async () => {
    server = await TestServer.start([Burst], { heartbeatInterval: 0, closeTimeout: 3000, maxConnectionsPerIp: 1000 });
    const port = server.handle.address.port;
    const clients: TestClient[] = [];
    for (let i = 0; i < CLIENTS; i += 50) clients.push(...(await Promise.all(Array.from({ length: 50 }, () => server!.connect("/burst")))));
    // A peer that completed the handshake but will never answer the close handshake.
    const deaf = await rawRequest(port, upgradeRequest("/burst"));
    expect(deaf.status).toBe(101);
    deaf.socket.pause();

    const bursts = new Promise<void>((r) => (allBursts = r));
    await Promise.all(clients.map((c) => c.send("go")));
    await bursts;
    // Every burst is accepted (queued) but not necessarily flushed when shutdown starts.
    const closing = server.handle.close();
    const refused = await rawRequest(port, upgradeRequest("/burst"));
    expect(refused.status).toBe(503);
    await closing;

    const outcomes = await Promise.all(
      clients.map(async (c) => {
        const close = await c.closed;
        return { texts: c.pending.map((m) => m.data as string), close };
      }),
    );
    for (const o of outcomes) {
      expect(o.texts).toEqual(Array.from({ length: BURST }, (_, i) => `${i}`));
      expect(o.close).toEqual({ code: 1001, reason: "server shutting down" });
    }
    expect(counts.accepted).toBe(CLIENTS * BURST);
    expect(counts.flushed).toBe(CLIENTS * BURST);
    expect(counts.otherFailures).toBe(0);
    expect(counts.onClose.get(1001)).toBe(CLIENTS);
    expect(counts.onClose.get(1006)).toBe(1); // the deaf peer, terminated
    expect(counts.refusedAfterClose).toBe(CLIENTS + 1);
    expect(server.handle.sessions.size).toBe(0);
    server = undefined;
  }, 60_000);
});
