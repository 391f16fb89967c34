import "reflect-metadata";
import type { Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { OnMessage, ServerEndpoint, Session } from "../../src/index.js";
import type { WsSession } from "../../src/session/ws-session.js";
import { TestServer } from "../../src/testing/index.js";
import { forceGc } from "../support/heap.js";
import { clientFrame, rawRequest, upgradeRequest } from "../support/raw-http.js";

const MIB = 1024 * 1024;

/** The documented echo: awaits its Basic send, so a peer that never reads parks it on the first send it cannot write. */
@ServerEndpoint("/echo")
class AwaitEcho {
  @OnMessage() async m(t: string, s: Session) {
    await s.getBasicRemote().sendText(t);
  }
}

let release: () => void = () => {};
const held = new Promise<void>((r) => (release = r));

/** A handler that does not finish while the test runs: everything after its first message waits in the inbound queue. */
@ServerEndpoint("/stuck")
class Stuck {
  @OnMessage() m(_t: string) {
    return held;
  }
}

let server: TestServer | undefined;
const peers: Socket[] = [];
afterEach(async () => {
  release();
  for (const p of peers.splice(0)) p.destroy();
  await server?.close();
  server = undefined;
});

/** A connected peer that never reads. */
async function stalledPeer(port: number, path: string): Promise<Socket> {
  const res = await rawRequest(port, upgradeRequest(path));
  expect(res.status).toBe(101);
  res.socket.pause();
  peers.push(res.socket);
  return res.socket;
}

/** Writes `count` copies of one frame. They share one buffer: the peer's pending writes cost this process nothing. */
function flood(peer: Socket, frame: Buffer, count: number): void {
  for (let i = 0; i < count; i++) peer.write(frame);
}

/** Heap plus external memory (Buffers) after full collections. */
async function retained(): Promise<number> {
  let last = Infinity;
  for (let i = 0; i < 6; i++) {
    await new Promise((r) => setImmediate(r));
    forceGc();
    const m = process.memoryUsage();
    const now = m.heapUsed + m.external;
    if (now >= last * 0.99) return Math.min(now, last);
    last = now;
  }
  return last;
}

function isPaused(s: WsSession): boolean {
  return (s.transport as unknown as { ws: { isPaused: boolean } }).ws.isPaused;
}

/** Waits (bounded) until every session has stopped reading or the server has read all `total` messages. */
async function untilServerStopsReading(s: TestServer, path: string, sessions: number, total: number): Promise<void> {
  const read = (): number => s.handle.metrics().endpoints[path]!.messagesIn;
  const stopped = (): boolean => {
    const open = [...s.handle.sessions] as WsSession[];
    return read() >= total || (open.length === sessions && open.every(isPaused));
  };
  for (let i = 0; i < 3000 && !stopped(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(stopped()).toBe(true);
}

describe("a peer that floods and never reads: the server's memory is bounded in bytes", () => {
  it("default options, the documented awaiting echo, 1 MB text frames: one connection retains a few MiB, not every frame", async () => {
    server = await TestServer.start([AwaitEcho], { heartbeatInterval: 0 });
    const FRAMES = 64;
    const frame = clientFrame(Buffer.alloc(1_000_000, 0x61));
    const peer = await stalledPeer(server.handle.address.port, "/echo");
    const before = await retained();
    flood(peer, frame, FRAMES);
    await untilServerStopsReading(server, "/echo", 1, FRAMES);
    const grown = (await retained()) - before;
    // Queue bound (4 MiB) + the parked message and its echo + ws's partial frame; 64 MB read before the fix.
    expect(grown).toBeLessThan(24 * MIB);
    expect(server.handle.metrics().inboundQueuedBytes).toBeLessThanOrEqual(4 * MIB + 1_000_000);
    const session = [...server.handle.sessions][0] as WsSession;
    expect(isPaused(session)).toBe(true);
    expect(server.handle.metrics().endpoints["/echo"]!.messagesIn).toBeLessThan(FRAMES / 4);
  });

  it("many connections, each under its own bound: inboundBudget bounds what they queue together", async () => {
    const BUDGET = 8 * MIB;
    const FRAME = 256 * 1024;
    server = await TestServer.start([Stuck], { heartbeatInterval: 0, handlerTimeout: 0, inboundQueueBytes: 8 * MIB, inboundBudget: BUDGET });
    const CONNS = 12;
    const FRAMES = 40;
    const frame = clientFrame(Buffer.alloc(FRAME, 0x62));
    const stalled: Socket[] = [];
    for (let c = 0; c < CONNS; c++) stalled.push(await stalledPeer(server.handle.address.port, "/stuck"));
    const before = await retained();
    for (const peer of stalled) flood(peer, frame, FRAMES);
    await untilServerStopsReading(server, "/stuck", CONNS, CONNS * FRAMES);
    // Each session may pass the budget by the one message that paused it.
    expect(server.handle.metrics().inboundQueuedBytes).toBeLessThanOrEqual(BUDGET + CONNS * FRAME);
    const grown = (await retained()) - before;
    // Budget + one message over per session + one running per session + ws's partial frames; 120 MiB without a budget.
    expect(grown).toBeLessThan(BUDGET + 3 * CONNS * FRAME + 8 * MIB);
  });
});
