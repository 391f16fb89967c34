import "reflect-metadata";
import { afterEach, describe, expect, it } from "vitest";
import { OnMessage, OnOpen, PongMessage, ServerEndpoint, Session } from "../../src/index.js";
import { TestServer } from "../../src/testing/index.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

@ServerEndpoint({ path: "/info/{room}", subprotocols: ["chat.v2", "chat.v1"] })
class Info {
  @OnOpen() open(session: Session) {
    session.getAsyncRemote().sendObject({
      id: typeof session.getId() === "string" && session.getId().length > 0,
      path: session.getRequestPath(),
      params: session.getPathParameters(),
      query: session.getQueryString(),
      map: Object.fromEntries(session.getRequestParameterMap()),
      header: session.getRequestHeaders()["x-trace"],
      remote: session.getRemoteAddress(),
      protocol: session.getNegotiatedSubprotocol(),
      open: session.isOpen(),
      peers: session.getOpenSessions().size,
      principal: session.getUserPrincipal() ?? null,
    });
  }
}

@ServerEndpoint("/pong")
class Pongs {
  @OnMessage() text(text: string, session: Session) {
    void session.getBasicRemote().sendPing(Buffer.from(text));
  }
  @OnMessage() pong(pong: PongMessage, session: Session) {
    session.getAsyncRemote().sendText(`pong:${pong.getApplicationData().toString()}`);
  }
}

describe("Session", () => {
  it("exposes what the handshake established", async () => {
    server = await TestServer.start([Info]);
    const first = await server.connect("/info/lobby?tag=a&tag=b&n=1", { protocols: ["chat.v1", "chat.v2"], headers: { "x-trace": "t-1" } });
    expect(first.ws.protocol).toBe("chat.v1"); // the first of the client's list that the endpoint supports
    expect(await first.nextJson()).toEqual({
      id: true,
      path: "/info/lobby",
      params: { room: "lobby" },
      query: "tag=a&tag=b&n=1",
      map: { tag: ["a", "b"], n: ["1"] },
      header: "t-1",
      remote: "127.0.0.1",
      protocol: "chat.v1",
      open: true,
      peers: 1,
      principal: null,
    });
    const second = await server.connect("/info/other");
    expect(await second.nextJson()).toMatchObject({ peers: 2, protocol: "", map: {}, query: "" });
  });

  it("delivers pongs to a PongMessage handler", async () => {
    server = await TestServer.start([Pongs]);
    const c = await server.connect("/pong");
    await c.send("rtt-1");
    expect(await c.nextText()).toBe("pong:rtt-1");
  });
});
