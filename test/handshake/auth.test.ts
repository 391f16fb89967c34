import "reflect-metadata";
import { inject, type DependencyContainer } from "tsyringe";
import WebSocket from "ws";
import { afterEach, describe, expect, it } from "vitest";
import {
  Configurator,
  HandshakeRejectedError,
  OnMessage,
  OnOpen,
  PRINCIPAL,
  Principal,
  ServerEndpoint,
  Session,
  type EndpointClass,
  type HandshakeRequest,
  type ResponseHeaders,
} from "../../src/index.js";
import { serverPerTest } from "../support/server-per-test.js";
import { rawRequest, upgradeRequest } from "../support/raw-http.js";

interface User {
  readonly name: string;
}

const TOKENS = new Map([["t-alice", { name: "alice" }], ["t-bob", { name: "bob" }]]);
let created = 0;

/** Looks the token up asynchronously, from the Authorization header, the `token` query parameter or the `sid` cookie. */
class TokenAuth extends Configurator {
  override async authenticate(request: HandshakeRequest): Promise<User> {
    const header = request.headers.authorization?.replace(/^Bearer /, "");
    const token = header ?? request.queryParameters.get("token") ?? request.cookies.get("sid");
    await new Promise((r) => setImmediate(r)); // a real lookup would hit a store
    const user = token === undefined ? undefined : TOKENS.get(token);
    if (user === undefined) throw new HandshakeRejectedError(401, "invalid or missing token");
    return user;
  }

  override modifyHandshake(request: HandshakeRequest, headers: ResponseHeaders): void {
    headers.set("X-Served-User", (request.principal as User).name);
    headers.set("Set-Cookie", ["a=1", "b=2"]);
    headers.set("Connection", "keep-alive"); // would break the handshake: skipped
    request.userProperties.set("joinedVia", request.queryParameters.has("token") ? "query" : "other");
  }
}

@ServerEndpoint({ path: "/me", configurator: TokenAuth })
class Me {
  constructor(@inject(PRINCIPAL) private readonly injected: User) {
    created++;
  }
  @OnOpen() open(session: Session, @Principal() user: User) {
    session.getAsyncRemote().sendText(
      JSON.stringify({
        param: user.name,
        session: (session.getUserPrincipal() as User).name,
        injected: this.injected.name,
        via: session.getUserProperties().get("joinedVia"),
      }),
    );
  }
  @OnMessage() say(text: string, @Principal() user: User) {
    return `${user.name}: ${text}`;
  }
}

@ServerEndpoint("/anon")
class Anon {
  constructor(@inject(PRINCIPAL) private readonly injected: unknown) {}
  @OnOpen() open(session: Session) {
    session.getAsyncRemote().sendText(`injected ${String(this.injected)}`);
  }
  @OnMessage() who(_text: string, @Principal() user: unknown, session: Session) {
    return `${String(user)} ${String(session.getUserPrincipal())}`;
  }
}

const instances: string[] = [];
class Tracking extends Configurator {
  override getEndpointInstance<T>(type: EndpointClass<T>, container: DependencyContainer): T {
    instances.push(type.name);
    return container.resolve(type);
  }
}

@ServerEndpoint("/tracked")
class Tracked {
  @OnMessage() echo(t: string) {
    return t;
  }
}

const servers = serverPerTest();
afterEach(() => {
  created = 0;
});

describe("authentication at the handshake", () => {
  it.each([
    ["header", "/me", { headers: { Authorization: "Bearer t-alice" } }, "other"],
    ["query", "/me?token=t-alice", {}, "query"],
    ["cookie", "/me", { headers: { Cookie: "theme=dark; sid=t-alice" } }, "other"],
  ])("token in the %s: principal on the session, in @Principal and injectable", async (_where, path, options, via) => {
    const server = await servers.start([Me], { heartbeatInterval: 0 });
    const c = await server.connect(path, options);
    expect(await c.nextJson()).toEqual({ param: "alice", session: "alice", injected: "alice", via });
    await c.send("hi");
    expect(await c.nextText()).toBe("alice: hi");
  });

  it("each connection has its own principal", async () => {
    const server = await servers.start([Me], { heartbeatInterval: 0 });
    const a = await server.connect("/me?token=t-alice");
    const b = await server.connect("/me?token=t-bob");
    await a.nextJson();
    await b.nextJson();
    await Promise.all([a.send("1"), b.send("2")]);
    expect([await a.nextText(), await b.nextText()]).toEqual(["alice: 1", "bob: 2"]);
  });

  it.each([["/me"], ["/me?token=nope"]])("%s without a valid token → 401 and no instance", async (path) => {
    const server = await servers.start([Me], { heartbeatInterval: 0 });
    const res = await rawRequest(server.handle.address.port, upgradeRequest(path));
    expect(res.status).toBe(401);
    expect(res.body).toBe("Unauthorized: invalid or missing token\n");
    expect(created).toBe(0);
  });

  it("modifyHandshake adds response headers; handshake-breaking ones are skipped", async () => {
    const server = await servers.start([Me], { heartbeatInterval: 0 });
    const ws = new WebSocket(`${server.url}/me?token=t-bob`);
    const headers = await new Promise<Record<string, string | string[] | undefined>>((resolve, reject) => {
      ws.once("upgrade", (res) => resolve(res.headers));
      ws.once("error", reject);
    });
    expect(headers["x-served-user"]).toBe("bob");
    expect(headers["set-cookie"]).toEqual(["a=1", "b=2"]);
    expect(headers.connection).toBe("Upgrade");
    ws.terminate();
  });

  it("without authentication the principal is undefined", async () => {
    const server = await servers.start([Anon], { heartbeatInterval: 0 });
    const c = await server.connect("/anon");
    expect(await c.nextText()).toBe("injected undefined");
    await c.send("?");
    expect(await c.nextText()).toBe("undefined undefined");
  });

  it("a global configurator applies to endpoints without their own; getEndpointInstance creates instances", async () => {
    instances.length = 0;
    const server = await servers.start([Tracked, Me], { configurator: Tracking, heartbeatInterval: 0 });
    const c = await server.connect("/tracked");
    await c.send("x");
    expect(await c.nextText()).toBe("x");
    const me = await server.connect("/me?token=t-alice"); // own configurator: not tracked
    await me.nextJson();
    expect(instances).toEqual(["Tracked"]);
  });

  it("a plain object configurator gets the defaults for hooks it does not define", async () => {
    const server = await servers.start([Anon], {
      heartbeatInterval: 0,
      configurator: { authenticate: (r: HandshakeRequest) => r.queryParameters.get("u") ?? undefined } as unknown as Configurator,
    });
    const c = await server.connect("/anon?u=zoe");
    expect(await c.nextText()).toBe("injected zoe");
    await c.send("?");
    expect(await c.nextText()).toBe("zoe zoe");
    const res = await rawRequest(server.handle.address.port, upgradeRequest("/anon", { Origin: "https://evil.example" }));
    expect(res.status).toBe(403);
  });
});
