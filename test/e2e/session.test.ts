import "reflect-metadata";
import { afterEach, describe, expect, it } from "vitest";
import type { IncomingHttpHeaders } from "node:http";
import { Configurator, OnMessage, OnOpen, PongMessage, ServerEndpoint, Session, type HandshakeRequest } from "../../src/index.js";
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

// What the handshake hooks saw, copied: the session must give back the same (issue 7 keeps it packed).
let seen: IncomingHttpHeaders[] = [];
class SeeHeaders extends Configurator {
  override modifyHandshake(request: HandshakeRequest): void {
    seen.push(structuredClone(request.headers));
  }
}

@ServerEndpoint({ path: "/headers", configurator: SeeHeaders })
class Headers {
  @OnOpen() open(session: Session) {
    const headers = session.getRequestHeaders();
    session.getAsyncRemote().sendObject({ names: Object.keys(headers), headers, same: session.getRequestHeaders() === headers });
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

  it.each([
    ["plain headers", { "X-Trace": "t-1", Cookie: "sid=1; theme=dark", "x-repeated": ["a", "b"], "x-empty": "" }],
    ["an array-valued header", { "set-cookie": ["a=1", "b=2"], "x-trace": "t-2" }],
  ])("gives back the request headers exactly as the handshake saw them (%s)", async (_what, headers) => {
    seen = [];
    server = await TestServer.start([Headers]);
    // Node sends an array as repeated header lines.
    const c = await server.connect("/headers", { headers: headers as unknown as Record<string, string> });
    const got = (await c.nextJson()) as { names: string[]; headers: IncomingHttpHeaders; same: boolean };
    expect(got.names).toEqual(Object.keys(seen[0]!));
    expect(got.headers).toEqual(seen[0]);
    expect(got.same).toBe(true);
  });

  it("delivers pongs to a PongMessage handler", async () => {
    server = await TestServer.start([Pongs]);
    const c = await server.connect("/pong");
    await c.send("rtt-1");
    expect(await c.nextText()).toBe("pong:rtt-1");
  });
});
