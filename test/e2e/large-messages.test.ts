import "reflect-metadata";
import { afterEach, describe, expect, it } from "vitest";
import { OnMessage, ServerEndpoint, Session } from "../../src/index.js";
import { TestServer } from "../../src/testing/index.js";

const SIZE = 64 * 1024;
const COUNT = 4;
/** Queue depth seen by a setImmediate queued in the handler: it runs before the turn's corked writes leave. */
const depths: number[] = [];

@ServerEndpoint({ path: "/burst", outbound: { highWaterMark: SIZE } })
class Burst {
  @OnMessage() go(_t: string, session: Session) {
    for (let i = 0; i < COUNT; i++) session.getAsyncRemote().sendBinary(Buffer.alloc(SIZE, i));
    setImmediate(() => depths.push(session.getOutboundQueueDepth()));
  }
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  depths.length = 0;
});

describe("large messages to a reader that keeps up", () => {
  it("bytes written in the current turn do not count against the high-water mark: one turn hands every message to the socket", async () => {
    server = await TestServer.start([Burst], { heartbeatInterval: 0 });
    const client = await server.connect("/burst");
    for (let round = 0; round < 3; round++) {
      await client.send("go");
      for (let i = 0; i < COUNT; i++) {
        const m = await client.next();
        expect(m.type).toBe("binary");
        const data = m.data as Buffer;
        expect(data.length).toBe(SIZE);
        expect(data[0]).toBe(i);
        expect(data[SIZE - 1]).toBe(i);
      }
    }
    // Counting the turn's own corked bytes held messages 2..4 until a drain and the next turn (depth 3).
    expect(depths).toEqual([0, 0, 0]);
    await client.close();
  });
});
