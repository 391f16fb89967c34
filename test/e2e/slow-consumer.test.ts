import "reflect-metadata";
import { afterEach, describe, expect, it } from "vitest";
import { OnMessage, QueueOverflowError, ServerEndpoint, Session } from "../../src/index.js";
import type { WsSession } from "../../src/session/ws-session.js";
import { TestServer } from "../../src/testing/index.js";
import { clientTextFrame, rawRequest, upgradeRequest } from "../support/raw-http.js";

const CHUNK = "c".repeat(4096);
const FLOOD = 5000;
const HWM = 64 * 1024;
const MAX_BYTES = 256 * 1024;
const MAX_MESSAGES = 64;
const stats = { awaited: 0, accepted: 0, overflowed: 0 };

@ServerEndpoint("/echo")
class Echo {
  @OnMessage() echo(t: string) {
    return t;
  }
}

/** Streams to the peer with awaited Basic sends: the producer itself is held back by a slow reader. */
@ServerEndpoint({ path: "/stream", outbound: { policy: "await" }, sendTimeout: 0 })
class Stream {
  @OnMessage() async start(_t: string, session: Session) {
    for (let i = 0; i < FLOOD && session.isOpen(); i++) {
      await session.getBasicRemote().sendText(CHUNK);
      stats.awaited++;
    }
  }
}

/** Fires Async sends in a tight loop: the bounded queue and its policy must absorb it. */
@ServerEndpoint({ path: "/firehose", outbound: { policy: "drop-oldest" } })
class Firehose {
  @OnMessage() start(_t: string, session: Session) {
    for (let i = 0; i < FLOOD; i++) {
      session.getAsyncRemote().sendText(CHUNK, (r) => {
        if (r.ok) stats.accepted++;
        else if (r.error instanceof QueueOverflowError) stats.overflowed++;
      });
    }
  }
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  Object.assign(stats, { awaited: 0, accepted: 0, overflowed: 0 });
});

/** A peer that asks for data and then never reads from its socket again. */
async function stalledPeer(port: number, path: string) {
  const res = await rawRequest(port, upgradeRequest(path));
  expect(res.status).toBe(101);
  res.socket.pause();
  res.socket.write(clientTextFrame("go"));
  return res.socket;
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

/** Waits until `value()` stops changing for 20 consecutive looks (bounded). */
async function waitForStable(value: () => number, what: string): Promise<void> {
  let last = value();
  let same = 0;
  for (let i = 0; i < 2000 && same < 20; i++) {
    await new Promise((r) => setTimeout(r, 5));
    const v = value();
    same = v === last ? same + 1 : 0;
    last = v;
  }
  if (same < 20) throw new Error(`timed out waiting for ${what}`);
}

function sessionAt(s: TestServer, path: string): WsSession {
  return [...s.handle.sessions].find((x) => x.getRequestPath() === path) as WsSession;
}

async function echoTraffic(s: TestServer, clients: number, messages: number): Promise<string[][]> {
  return Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      const client = await s.connect("/echo");
      const got: string[] = [];
      for (let i = 0; i < messages; i++) {
        await client.send(`${c}:${i}:${"e".repeat(1000)}`);
        got.push((await client.nextText()).slice(0, 16).split(":").slice(0, 2).join(":"));
      }
      await client.close();
      return got;
    }),
  );
}

describe("one slow consumer does not hurt the others", () => {
  const limits = { heartbeatInterval: 0, closeTimeout: 500, outbound: { maxMessages: MAX_MESSAGES, maxBytes: MAX_BYTES, highWaterMark: HWM } } as const;

  it("awaited Basic sends to a reader that stopped hold the producer back; server-side buffering stays bounded", async () => {
    server = await TestServer.start([Echo, Stream], limits);
    const slow = await stalledPeer(server.handle.address.port, "/stream");
    const results = await echoTraffic(server, 5, 60);
    results.forEach((got, c) => expect(got).toEqual(Array.from({ length: 60 }, (_, i) => `${c}:${i}`)));
    const session = sessionAt(server, "/stream");
    await waitForStable(() => stats.awaited, "the producer to park");
    const parked = stats.awaited;
    expect(parked).toBeLessThan(FLOOD);
    // Parked on one send: nothing is queued, and userland holds at most that message.
    expect(session.getOutboundQueueDepth()).toBe(0);
    expect(session.getBufferedAmount()).toBeGreaterThan(0);
    expect(session.getBufferedAmount()).toBeLessThanOrEqual(HWM + 2 * (CHUNK.length + 14));
    // More traffic for the others does not move the parked producer.
    const more = await echoTraffic(server, 2, 30);
    expect(more.flat()).toHaveLength(60);
    expect(stats.awaited).toBe(parked);
    slow.destroy();
  });

  it("a tight loop of Async sends to a reader that stopped is bounded by the queue and its drop policy", async () => {
    server = await TestServer.start([Echo, Firehose], limits);
    const slow = await stalledPeer(server.handle.address.port, "/firehose");
    const session = await (async () => {
      await waitFor(() => sessionAt(server!, "/firehose") !== undefined && stats.overflowed > 0, "the firehose to overflow");
      return sessionAt(server!, "/firehose");
    })();
    const results = await echoTraffic(server, 5, 60);
    results.forEach((got, c) => expect(got).toEqual(Array.from({ length: 60 }, (_, i) => `${c}:${i}`)));
    expect(session.getOutboundQueueDepth()).toBeLessThanOrEqual(MAX_MESSAGES);
    expect(session.outbound.queuedBytes).toBeLessThanOrEqual(MAX_BYTES);
    // Queue (maxBytes) plus socket: earlier turns' backlog below HWM and one turn's writes (maxBytes here).
    expect(session.getBufferedAmount()).toBeLessThanOrEqual(2 * MAX_BYTES + HWM + 2 * (CHUNK.length + 14));
    // Every send was accounted for: handed over, queued, or discarded with QueueOverflowError.
    await waitFor(() => stats.accepted + stats.overflowed + session.getOutboundQueueDepth() >= FLOOD - 64, "send outcomes");
    expect(stats.overflowed).toBeGreaterThan(FLOOD / 2);
    slow.destroy();
  });
});
