import "reflect-metadata";
import { afterEach, describe, expect, it } from "vitest";
import { OnClose, OnMessage, OnOpen, PathParam, ServerEndpoint, Session, CloseReason } from "../../src/index.js";
import { TestServer } from "../../src/testing/index.js";

@ServerEndpoint("/echo/{n}")
class Echo {
  log: string[] = [];
  @OnOpen() open(session: Session, @PathParam("n") n: number) {
    session.getAsyncRemote().sendText(`open ${typeof n} ${n}`);
  }
  @OnMessage() text(msg: string) {
    return `echo:${msg}`;
  }
  @OnClose() close(reason: CloseReason) {
    this.log.push(String(reason.getCloseCode()));
  }
}

let server: TestServer | undefined;
afterEach(async () => server?.close());

describe("smoke", () => {
  it("echoes", async () => {
    server = await TestServer.start([Echo]);
    const c = await server.connect("/echo/42");
    expect(await c.nextText()).toBe("open number 42");
    await c.send("hi");
    expect(await c.nextText()).toBe("echo:hi");
    expect((await c.close(1000)).code).toBe(1000);
  });
});
