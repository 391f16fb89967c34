import "reflect-metadata";
import type { Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { CloseReason, OnClose, OnMessage, OnOpen, ServerEndpoint, Session } from "../../src/index.js";
import { MockSession, TestServer } from "../../src/testing/index.js";
import { rawRequest, upgradeRequest } from "../support/raw-http.js";

const closes: Array<{ endpoint: string; code: number; reason: string }> = [];
let closed: (() => void) | undefined;

function recordClose(endpoint: string, reason: CloseReason): void {
  closes.push({ endpoint, code: reason.getCloseCode(), reason: reason.getReasonPhrase() });
  closed?.();
}

@ServerEndpoint("/beat")
class Beat {
  @OnMessage() echo(t: string) {
    return t;
  }
  @OnClose() close(reason: CloseReason) {
    recordClose("beat", reason);
  }
}

@ServerEndpoint({ path: "/quiet", heartbeatInterval: 0 })
class Quiet {
  @OnMessage() echo(t: string) {
    return t;
  }
  @OnClose() close(reason: CloseReason) {
    recordClose("quiet", reason);
  }
}

@ServerEndpoint({ path: "/idle", maxIdleTimeout: 100 })
class Idle {
  @OnMessage() echo(t: string) {
    return t;
  }
  @OnClose() close(reason: CloseReason) {
    recordClose("idle", reason);
  }
}

@ServerEndpoint("/self-idle")
class SelfIdle {
  @OnOpen() open(session: Session) {
    session.setMaxIdleTimeout(80);
    session.getAsyncRemote().sendText(String(session.getMaxIdleTimeout()));
  }
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  closes.length = 0;
  closed = undefined;
});

/** A raw client that completed the handshake and then never answers anything (no pong). */
async function deafClient(port: number, path: string): Promise<{ socket: Socket; pings: () => number; gone: Promise<void> }> {
  const res = await rawRequest(port, upgradeRequest(path));
  expect(res.status).toBe(101);
  let pings = 0;
  // Server frames are unmasked; a ping with an empty payload is exactly 0x89 0x00.
  res.socket.on("data", (d: Buffer) => {
    for (let i = 0; i + 1 < d.length; i++) if (d[i] === 0x89 && d[i + 1] === 0x00) pings++;
  });
  const gone = new Promise<void>((r) => res.socket.once("close", () => r()));
  return { socket: res.socket, pings: () => pings, gone };
}

function nextClose(): Promise<void> {
  return new Promise((r) => (closed = r));
}

describe("heartbeat", () => {
  it("terminates a peer that ignores pings; its @OnClose sees 1006", async () => {
    server = await TestServer.start([Beat, Quiet], { heartbeatInterval: 40 });
    const onClose = nextClose();
    const deaf = await deafClient(server.handle.address.port, "/beat");
    await deaf.gone;
    await onClose;
    expect(deaf.pings()).toBeGreaterThanOrEqual(1);
    expect(closes).toEqual([{ endpoint: "beat", code: 1006, reason: "" }]);
  });

  it("keeps a peer that answers pings, across several intervals", async () => {
    server = await TestServer.start([Beat], { heartbeatInterval: 30 });
    const c = await server.connect("/beat");
    await new Promise<void>((resolve) => {
      let n = 0;
      c.ws.on("ping", () => ++n === 4 && resolve());
    });
    await c.send("still here");
    expect(await c.nextText()).toBe("still here");
    expect((await c.close(1000)).code).toBe(1000);
    expect(closes).toEqual([{ endpoint: "beat", code: 1000, reason: "" }]);
  });

  it("an endpoint can disable it: its deaf peer is never pinged while another endpoint's is reaped", async () => {
    server = await TestServer.start([Beat, Quiet], { heartbeatInterval: 30 });
    const port = server.handle.address.port;
    const quiet = await deafClient(port, "/quiet");
    const reaped = nextClose();
    const beat = await deafClient(port, "/beat");
    await beat.gone;
    await reaped;
    expect(quiet.pings()).toBe(0);
    expect(quiet.socket.destroyed).toBe(false);
    expect(server.handle.sessions.size).toBe(1);
    quiet.socket.destroy();
  });

  it("heartbeatInterval 0 on the server disables it everywhere", async () => {
    server = await TestServer.start([Beat, Idle], { heartbeatInterval: 0 });
    const port = server.handle.address.port;
    const deaf = await deafClient(port, "/beat");
    // The idle endpoint's timer runs, so ticks happen; the deaf peer is still never pinged.
    const idle = await server.connect("/idle");
    await idle.closed;
    expect(deaf.pings()).toBe(0);
    expect(deaf.socket.destroyed).toBe(false);
    deaf.socket.destroy();
  });
});

describe("idle timeout", () => {
  it("closes an idle session with 1001 and a reason", async () => {
    server = await TestServer.start([Idle], { heartbeatInterval: 0 });
    const onClose = nextClose();
    const c = await server.connect("/idle");
    expect(await c.closed).toEqual({ code: 1001, reason: "idle timeout: no message for 100 ms" });
    await onClose;
    expect(closes).toEqual([{ endpoint: "idle", code: 1001, reason: "idle timeout: no message for 100 ms" }]);
  });

  it("messages keep a session from going idle", async () => {
    server = await TestServer.start([Idle], { heartbeatInterval: 0 });
    const c = await server.connect("/idle");
    // Paced well inside the timeout for about three timeouts' worth of time.
    for (let i = 0; i < 12; i++) {
      await c.send(`m${i}`);
      expect(await c.nextText()).toBe(`m${i}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(c.ws.readyState).toBe(c.ws.OPEN);
    expect((await c.closed).code).toBe(1001);
  });

  it("session.setMaxIdleTimeout applies to that session", async () => {
    server = await TestServer.start([SelfIdle], { heartbeatInterval: 0 });
    const c = await server.connect("/self-idle");
    expect(await c.nextText()).toBe("80");
    expect(await c.closed).toEqual({ code: 1001, reason: "idle timeout: no message for 80 ms" });
  });

  it.each([[-1], [1.5], [Number.NaN]])("setMaxIdleTimeout(%s) throws RangeError", (ms) => {
    expect(() => new MockSession().setMaxIdleTimeout(ms)).toThrow(RangeError);
  });
});
