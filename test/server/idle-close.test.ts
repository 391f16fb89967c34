/**
 * Issue #18: after an idle timeout, `@OnClose` sees the code and reason the server sent (1001, "idle
 * timeout: …"), whatever the peer answers: the echo of a well-behaved peer, another code, or nothing at
 * all (then the server drops the connection after `closeTimeout`). One rule in docs, wire and callback.
 */
import "reflect-metadata";
import { afterEach, describe, expect, it } from "vitest";
import { CloseReason, OnClose, ServerEndpoint } from "../../src/index.js";
import { TestServer } from "../../src/testing/index.js";
import { OP } from "../support/frames.js";
import { RawClient } from "../support/raw-client.js";

const REASON = "idle timeout: no message for 60 ms";
let closes: Array<{ code: number; reason: string }> = [];
let onClose: (() => void) | undefined;

@ServerEndpoint({ path: "/idle", maxIdleTimeout: 60 })
class Idle {
  @OnClose() close(reason: CloseReason): void {
    closes.push({ code: reason.getCloseCode(), reason: reason.getReasonPhrase() });
    onClose?.();
  }
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  closes = [];
});

function nextClose(): Promise<void> {
  return new Promise((resolve) => (onClose = resolve));
}

describe("idle timeout close code", () => {
  it("a peer that never answers the close frame: the wire carries 1001 and @OnClose sees 1001, not 1006", async () => {
    server = await TestServer.start([Idle], { heartbeatInterval: 0, closeTimeout: 150 });
    const closed = nextClose();
    const client = await RawClient.connect(server.handle.address.port, "/idle");
    const { frames } = await client.closed;
    await closed;
    const close = frames.find((f) => f.opcode === OP.CLOSE)!;
    expect([close.payload.readUInt16BE(0), close.payload.subarray(2).toString()]).toEqual([1001, REASON]);
    expect(closes).toEqual([{ code: 1001, reason: REASON }]);
  });

  it("a peer that answers with another code: @OnClose still sees the 1001 that was sent", async () => {
    server = await TestServer.start([Idle], { heartbeatInterval: 0 });
    const closed = nextClose();
    const client = await RawClient.connect(server.handle.address.port, "/idle");
    await client.until((f) => f.some((x) => x.opcode === OP.CLOSE));
    await client.sendClose(1000, "bye");
    expect((await client.closed).closeCode).toBe(1001);
    await closed;
    expect(closes).toEqual([{ code: 1001, reason: REASON }]);
  });

  it("a peer that echoes the close frame: both sides see 1001 and the reason", async () => {
    server = await TestServer.start([Idle], { heartbeatInterval: 0 });
    const closed = nextClose();
    const c = await server.connect("/idle");
    expect(await c.closed).toEqual({ code: 1001, reason: REASON });
    await closed;
    expect(closes).toEqual([{ code: 1001, reason: REASON }]);
  });
});
