import "reflect-metadata";
import { afterEach, describe, expect, it } from "vitest";
import { Configurator, OnOpen, ServerEndpoint, Session, bootstrap, EndpointDefinitionError } from "../../src/index.js";
import { firstSupported, parseSubprotocols } from "../../src/handshake/subprotocol.js";
import { TestServer } from "../../src/testing/index.js";
import { rawRequest, upgradeRequest } from "../support/raw-http.js";

describe("subprotocol parsing and default selection", () => {
  it.each([
    [undefined, []],
    ["chat", ["chat"]],
    ["v2, v1", ["v2", "v1"]],
    [" v2 ,v1 ", ["v2", "v1"]],
    ["a b", null],
    ["v1, v1", null],
    ["", null],
    ["v1,", null],
  ])("%j → %j", (header, parsed) => {
    expect(parseSubprotocols(header)).toEqual(parsed);
  });

  it.each([
    [["v1", "v2"], ["v2", "v1"], "v2"], // the client's preference wins
    [["v1"], ["v3", "v1"], "v1"],
    [["v1"], ["v3"], undefined],
    [[], ["v1"], undefined],
  ])("supported %j, requested %j → %s", (supported, requested, selected) => {
    expect(firstSupported(supported, requested)).toBe(selected);
  });
});

class ServerPreference extends Configurator {
  override getNegotiatedSubprotocol(supported: readonly string[], requested: readonly string[]): string | undefined {
    return supported.find((s) => requested.includes(s));
  }
}

@ServerEndpoint({ path: "/chat", subprotocols: ["chat.v2", "chat.v1"] })
class Chat {
  @OnOpen() open(session: Session) {
    session.getAsyncRemote().sendText(`selected:${session.getNegotiatedSubprotocol()}`);
  }
}

@ServerEndpoint({ path: "/pref", subprotocols: ["chat.v2", "chat.v1"], configurator: ServerPreference })
class Pref {
  @OnOpen() open(session: Session) {
    session.getAsyncRemote().sendText(`selected:${session.getNegotiatedSubprotocol()}`);
  }
}

@ServerEndpoint({ path: "/strict", subprotocols: ["chat.v1"], requireSubprotocol: true })
class Strict {
  @OnOpen() open(session: Session) {
    session.getAsyncRemote().sendText(`selected:${session.getNegotiatedSubprotocol()}`);
  }
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("subprotocol negotiation over the wire", () => {
  it.each([
    ["/chat", ["chat.v1", "chat.v2"], "chat.v1"],
    ["/chat", ["other", "chat.v2"], "chat.v2"],
    ["/chat", [], ""],
    ["/pref", ["chat.v1", "chat.v2"], "chat.v2"],
    ["/strict", ["x", "chat.v1"], "chat.v1"],
  ])("%s offered %j → %j", async (path, protocols, selected) => {
    server = await TestServer.start([Chat, Pref, Strict], { heartbeatInterval: 0 });
    const c = await server.connect(path, { protocols });
    expect(c.ws.protocol).toBe(selected);
    expect(await c.nextText()).toBe(`selected:${selected}`);
  });

  it("no match without requireSubprotocol: accepted with no Sec-WebSocket-Protocol in the 101", async () => {
    server = await TestServer.start([Chat], { heartbeatInterval: 0 });
    const res = await rawRequest(server.handle.address.port, upgradeRequest("/chat", { "Sec-WebSocket-Protocol": "other" }));
    expect(res.status).toBe(101);
    expect(res.headers["sec-websocket-protocol"]).toBeUndefined();
    res.socket.destroy();
  });

  it("requireSubprotocol refuses with 400 naming what is supported", async () => {
    server = await TestServer.start([Strict], { heartbeatInterval: 0 });
    const res = await rawRequest(server.handle.address.port, upgradeRequest("/strict", { "Sec-WebSocket-Protocol": "chat.v9" }));
    expect(res.status).toBe(400);
    expect(res.body).toBe("Bad Request: no supported subprotocol (supported: chat.v1)\n");
  });

  it("requireSubprotocol without subprotocols is a bootstrap error", async () => {
    @ServerEndpoint({ path: "/never", requireSubprotocol: true })
    class Never {
      @OnOpen() open() {}
    }
    await expect(bootstrap({ endpoints: [Never], port: 0 })).rejects.toThrow(EndpointDefinitionError);
    await expect(bootstrap({ endpoints: [Never], port: 0 })).rejects.toThrow(/requireSubprotocol is true but subprotocols is empty/);
  });
});
