import "reflect-metadata";
import { afterEach, describe, expect, it } from "vitest";
import { OnMessage, ServerEndpoint } from "../../src/index.js";
import type { WsSession } from "../../src/session/ws-session.js";
import { EndpointHarness, TestServer } from "../../src/testing/index.js";

let gate: Promise<void> = Promise.resolve();
let open: () => void = () => {};
const handled: string[] = [];

function closeGate(): void {
  gate = new Promise((r) => (open = r));
}

@ServerEndpoint("/slow-handler")
class SlowHandler {
  @OnMessage() async take(text: string) {
    await gate;
    handled.push(text);
  }
}

let server: TestServer | undefined;
afterEach(async () => {
  open();
  await server?.close();
  server = undefined;
  handled.length = 0;
});

describe("inbound backpressure", () => {
  it("stops reading while more than inboundQueueLimit messages wait, resumes when drained, loses nothing", async () => {
    const harness = EndpointHarness.create(SlowHandler, { inboundQueueLimit: 4 });
    const conn = await harness.connect();
    closeGate();
    for (let i = 0; i < 4; i++) conn.session.memory.peerSend(`m${i}`);
    await Promise.resolve();
    // One running, three waiting: under the limit.
    expect(conn.session.memory.paused).toBe(false);
    for (let i = 4; i < 10; i++) conn.session.memory.peerSend(`m${i}`);
    expect(conn.session.memory.paused).toBe(true);
    open();
    await conn.settled();
    expect(conn.session.memory.paused).toBe(false);
    expect(handled).toEqual(Array.from({ length: 10 }, (_, i) => `m${i}`));
  });

  it("pauses the real socket of a fast sender and resumes it; every message is handled in order", async () => {
    server = await TestServer.start([SlowHandler], { heartbeatInterval: 0, inboundQueueLimit: 16 });
    closeGate();
    const c = await server.connect("/slow-handler");
    const sends = Array.from({ length: 500 }, (_, i) => c.send(`m${i}`));
    const session = [...server.handle.sessions][0] as WsSession;
    const ws = (session.transport as unknown as { ws: { isPaused: boolean } }).ws;
    for (let i = 0; i < 1000 && !ws.isPaused; i++) await new Promise((r) => setImmediate(r));
    expect(ws.isPaused).toBe(true);
    open();
    await Promise.all(sends);
    for (let i = 0; i < 5000 && handled.length < 500; i++) await new Promise((r) => setImmediate(r));
    expect(handled).toEqual(Array.from({ length: 500 }, (_, i) => `m${i}`));
    expect(ws.isPaused).toBe(false);
  });
});
