import "reflect-metadata";
import type { Duplex } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { OnOpen, ServerEndpoint, Session } from "../../src/index.js";
import { TestServer } from "../../src/testing/index.js";

@ServerEndpoint("/feed")
class Feed {
  @OnOpen() open(session: Session): void {
    session.join("feed");
    session.getAsyncRemote().sendText("ready");
  }
}

let server: TestServer | undefined;
afterEach(async () => server?.close());

describe("pre-framed broadcast over real sockets", () => {
  it("lets fast members receive everything while a member that stopped reading falls behind, then catches up in order", async () => {
    // 12.5 MiB is broadcast within a few event-loop turns: give each session's outbound queue room for it
    // (the 1 MiB default would refuse the burst; that bound is tested with the backpressure policies).
    server = await TestServer.start([Feed], { outbound: { maxBytes: 16 * 1024 * 1024, maxMessages: 4096 } });
    const fast = await server.connect("/feed");
    const slow = await server.connect("/feed");
    expect(await fast.nextText()).toBe("ready");
    expect(await slow.nextText()).toBe("ready");
    const socket = (slow.ws as unknown as { _socket: Duplex })._socket;
    socket.pause();

    const count = 200;
    const chunk = Buffer.alloc(64 * 1024);
    for (let i = 0; i < count; i++) {
      chunk.writeUInt32BE(i, 0);
      const r = await server.handle.broadcaster.broadcast(chunk, { room: "feed" });
      expect(r.local).toBe(2);
    }
    for (let i = 0; i < count; i++) {
      const m = await fast.next();
      expect(m.type).toBe("binary");
      expect((m.data as Buffer).readUInt32BE(0)).toBe(i);
    }
    // 12.5 MiB cannot all fit in loopback socket buffers: the rest waits on the server for this member only.
    expect(slow.pending.length).toBeLessThan(count);

    socket.resume();
    for (let i = 0; i < count; i++) {
      const m = await slow.next();
      expect(m.data.length).toBe(64 * 1024);
      expect((m.data as Buffer).readUInt32BE(0)).toBe(i);
    }
  });
});
