/**
 * Issue #18: a message over an endpoint's `maxMessageSize` (ws's maxPayload, enforced while reading)
 * closes with 1009 and a reason naming the limit; the endpoint's @OnClose sees that 1009, not the 1006
 * ws reports once it stops reading, and @OnError hears nothing, as for a handler's own limit.
 */
import "reflect-metadata";
import { afterEach, describe, expect, it } from "vitest";
import { CloseReason, OnClose, OnError, OnMessage, ServerEndpoint } from "../../src/index.js";
import { TestServer } from "../../src/testing/index.js";
import { Inbox } from "../client/signals.js";

let log = new Inbox<string>();

@ServerEndpoint({ path: "/limited", maxMessageSize: 64 })
class Limited {
  @OnMessage() echo(text: string): string {
    return text;
  }
  @OnError() error(error: Error): void {
    log.push(`error ${(error as { code?: string }).code ?? error.name}`);
  }
  @OnClose() close(reason: CloseReason): void {
    log.push(`close ${reason.getCloseCode()} ${reason.getReasonPhrase()}`);
  }
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  log = new Inbox<string>();
});

describe("server maxMessageSize", () => {
  it("a larger message: the peer gets 1009 with the limit, @OnClose sees the same, @OnError nothing", async () => {
    server = await TestServer.start([Limited]);
    const c = await server.connect("/limited");
    await c.send("x".repeat(64));
    expect(await c.nextText()).toBe("x".repeat(64));
    await c.send("x".repeat(65));
    expect(await c.closed).toEqual({ code: 1009, reason: "message exceeds the limit of 64 bytes" });
    expect(await log.next()).toBe("close 1009 message exceeds the limit of 64 bytes");
    expect(log.all).toEqual(["close 1009 message exceeds the limit of 64 bytes"]);
    expect(server.handle.metrics().endpoints["/limited"]?.closes).toEqual({ 1009: 1 });
  });
});
