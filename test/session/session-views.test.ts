import "reflect-metadata";
import { afterEach, describe, expect, it } from "vitest";
import { OnMessage, PathParam, ServerEndpoint, Session } from "../../src/index.js";
import { MockSession, TestServer } from "../../src/testing/index.js";

// Issue #18: getOpenSessions() is a copy (spec: "a copy of the Set"); request data is read-only at run time.

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function attempt(f: () => unknown): string {
  try {
    f();
    return "allowed";
  } catch (error) {
    return (error as Error).constructor.name;
  }
}

@ServerEndpoint("/views/{room}")
class Views {
  @OnMessage() m(text: string, session: Session, @PathParam("room") _room: string): string {
    if (text === "count") return String(session.getOpenSessions().size);
    const open = session.getOpenSessions() as Set<Session>;
    open.clear();
    const params = session.getRequestParameterMap() as Map<string, string[]>;
    const path = session.getPathParameters() as Record<string, string>;
    const headers = session.getRequestHeaders() as Record<string, string | string[]>;
    return JSON.stringify({
      openAfterClear: session.getOpenSessions().size,
      paramSet: attempt(() => params.set("a", ["x"])),
      paramDelete: attempt(() => params.delete("a")),
      paramClear: attempt(() => params.clear()),
      paramValuePush: attempt(() => (params.get("a") as string[]).push("y")),
      pathSet: attempt(() => (path.room = "other")),
      headerSet: attempt(() => (headers.host = "evil")),
      headerAdd: attempt(() => (headers["x-new"] = "1")),
      after: { a: session.getRequestParameterMap().get("a"), room: session.getPathParameters().room, host: session.getRequestHeaders().host, added: session.getRequestHeaders()["x-new"] ?? null },
    });
  }
}

describe("session views", () => {
  it("getOpenSessions() returns a snapshot: clearing it leaves the server's registry intact", async () => {
    server = await TestServer.start([Views]);
    const a = await server.connect("/views/r?a=1");
    const b = await server.connect("/views/r?a=1");
    await a.send("mutate");
    const result = JSON.parse(await a.nextText()) as Record<string, unknown>;
    expect(result.openAfterClear).toBe(2);
    await b.send("count");
    expect(await b.nextText()).toBe("2");
  });

  it("the request parameter map, path parameters and headers refuse changes at run time", async () => {
    server = await TestServer.start([Views]);
    const a = await server.connect("/views/r?a=1");
    await a.send("mutate");
    expect(JSON.parse(await a.nextText())).toEqual({
      openAfterClear: 1,
      paramSet: "TypeError",
      paramDelete: "TypeError",
      paramClear: "TypeError",
      paramValuePush: "TypeError",
      pathSet: "TypeError",
      headerSet: "TypeError",
      headerAdd: "TypeError",
      after: { a: ["1"], room: "r", host: `127.0.0.1:${new URL(server.url).port}`, added: null },
    });
  });

  it("MockSession follows the same rules without freezing the caller's objects", () => {
    const headers = { host: "h", "set-cookie": ["a=1"] };
    const open = new Set<Session>();
    const session = new MockSession({ headers, query: "", openSessions: open });
    expect(() => (session.getRequestParameterMap() as Map<string, string[]>).set("x", [])).toThrow(TypeError);
    expect(() => ((session.getRequestHeaders()["set-cookie"] as string[]).push("b=2"))).toThrow(TypeError);
    (session.getOpenSessions() as Set<Session>).clear();
    expect(open.has(session)).toBe(true);
    headers.host = "changed by the test";
    expect(Object.isFrozen(headers) || Object.isFrozen(headers["set-cookie"])).toBe(false);
    expect(session.getRequestHeaders().host).toBe("h");
  });

  it("getRooms() is a read-only copy: no room leaks into other sessions, join/leave stay in step", () => {
    const a = new MockSession();
    const b = new MockSession();
    expect(() => (a.getRooms() as Set<string>).add("x")).toThrow(TypeError);
    expect([...b.getRooms()]).toEqual([]);
    a.join("r");
    const before = a.getRooms();
    expect(() => (before as Set<string>).delete("r")).toThrow(TypeError);
    a.join("s");
    expect([...before]).toEqual(["r"]);
    expect([...a.getRooms()]).toEqual(["r", "s"]);
  });
});
