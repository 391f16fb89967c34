import "reflect-metadata";
import { describe, expect, it } from "vitest";
import { bootstrap, InvalidOptionsError, OnClose, OnMessage, OnOpen, PathParam, ServerEndpoint, Session, type UserIdSource } from "../../src/index.js";
import { EndpointHarness, MockSession } from "../../src/testing/index.js";

const closedWithRooms: string[][] = [];

@ServerEndpoint("/rooms/{user}")
class RoomsEndpoint {
  @OnOpen() open(session: Session, @PathParam("user") user: string): void {
    session.getUserProperties().set("user", user);
  }
  @OnMessage() command(text: string, session: Session): string {
    const [op, room] = text.split(" ");
    if (op === "join") session.join(room!);
    else if (op === "leave") session.leave(room!);
    return [...session.getRooms()].join(",");
  }
  @OnClose() close(session: Session): void {
    closedWithRooms.push([...session.getRooms()]);
    session.join("after-close");
  }
}

describe("session rooms", () => {
  it("joins and leaves rooms, ignoring a repeated join and leaving a room it is not in", async () => {
    const h = EndpointHarness.create(RoomsEndpoint);
    const c = await h.connect({ path: "/rooms/ann" });
    await c.receive("join red");
    await c.receive("join red");
    await c.receive("join blue");
    await c.receive("leave green");
    await c.receive("leave red");
    expect(c.session.sentTexts()).toEqual(["red", "red", "red,blue", "red,blue", "blue"]);
    expect(await h.presence.count("blue")).toBe(1);
    expect(await h.presence.count("red")).toBe(0);
  });

  it("leaves every room when the session closes, while @OnClose still sees them and cannot join more", async () => {
    closedWithRooms.length = 0;
    const h = EndpointHarness.create(RoomsEndpoint);
    const ann = await h.connect({ path: "/rooms/ann" });
    const bob = await h.connect({ path: "/rooms/bob" });
    await ann.receive("join red");
    await ann.receive("join blue");
    await bob.receive("join red");
    expect(await h.presence.count("red")).toBe(2);
    await ann.drop();
    expect(closedWithRooms).toEqual([["red", "blue"]]);
    expect(await h.presence.count("red")).toBe(1);
    expect(await h.presence.count("blue")).toBe(0);
    expect(await h.presence.count("after-close")).toBe(0);
    expect((await h.presence.list()).map((e) => e.sessionId)).toEqual([bob.session.getId()]);
    const sent = await h.broadcaster.broadcast("to red", { room: "red" });
    expect(sent.local).toBe(1);
    expect(ann.session.sentTexts()).not.toContain("to red");
  });

  it("leaves presence as soon as the server starts closing the session", async () => {
    const h = EndpointHarness.create(RoomsEndpoint);
    const c = await h.connect({ path: "/rooms/ann" });
    await c.receive("join red");
    c.session.close();
    expect(await h.presence.count("red")).toBe(0);
    expect(await h.presence.count()).toBe(0);
  });

  it.each([
    ["", TypeError, 'session.join: room must be a non-empty string; got "".'],
    [42, TypeError, "session.join: room must be a non-empty string; got number."],
    ["x".repeat(257), RangeError, "session.join: room name is 257 characters; the limit is 256."],
  ])("rejects the room name %j with %s", (room, type, message) => {
    const s = new MockSession();
    expect(() => s.join(room as string)).toThrow(type);
    expect(() => s.join(room as string)).toThrow(message);
  });

  it("keeps rooms on a MockSession without a server", () => {
    const s = new MockSession();
    s.join("a");
    s.join("b");
    s.leave("a");
    expect([...s.getRooms()]).toEqual(["b"]);
  });
});

@ServerEndpoint("/users/{name}")
class UsersEndpoint {
  @OnOpen() open(session: Session, @PathParam("name") name: string): void {
    if (name !== "-") session.getUserProperties().set("name", name);
  }
  @OnMessage() rename(text: string, session: Session): void {
    session.getUserProperties().set("name", text);
  }
}

describe("user ids for sendToUser and presence", () => {
  const cases: Array<[string, UserIdSource | undefined, { path?: string; principal?: unknown }, string]> = [
    ["a string principal (default)", undefined, { principal: "u1" }, "u1"],
    ["a numeric principal", "principal", { principal: 7 }, "7"],
    ["an object principal's id", "principal", { principal: { id: "u2", sub: "no" } }, "u2"],
    ["an object principal's sub", "principal", { principal: { sub: "u3" } }, "u3"],
    ["a user property set in @OnOpen", { property: "name" }, { path: "/users/u4" }, "u4"],
    ["a function", (s: Session) => `fn-${s.getPathParameters().name}`, { path: "/users/u5" }, "fn-u5"],
  ];
  it.each(cases)("takes the user id from %s", async (_label, userId, connect, expected) => {
    const h = EndpointHarness.create(UsersEndpoint, { userId });
    const c = await h.connect({ path: "/users/-", ...connect });
    const r = await h.broadcaster.sendToUser(expected, "hello");
    expect(r.local).toBe(1);
    expect(c.session.sentTexts()).toEqual(["hello"]);
    expect((await h.presence.list()).map((e) => e.userId)).toEqual([expected]);
  });

  it("follows a user id that changes during the session", async () => {
    const h = EndpointHarness.create(UsersEndpoint, { userId: { property: "name" } });
    const c = await h.connect({ path: "/users/old" });
    await c.receive("new");
    expect((await h.broadcaster.sendToUser("old", "x")).local).toBe(0);
    expect((await h.broadcaster.sendToUser("new", "y")).local).toBe(1);
    expect(c.session.sentTexts()).toEqual(["y"]);
  });

  it("treats a session without a user id as anonymous", async () => {
    const h = EndpointHarness.create(UsersEndpoint);
    await h.connect({ path: "/users/-" });
    expect((await h.presence.list())[0]!.userId).toBeUndefined();
  });
});

describe("cluster bootstrap options", () => {
  it.each([
    [{ broker: {} }, "broker must implement Broker (a subscribe(node) method)"],
    [{ userId: 5 }, 'userId must be "principal", { property: "name" } or a function (session) => id'],
    [{ nodeId: "a:b" }, 'nodeId must be 1 to 64 letters, digits, ".", "_" or "-"; got "a:b"'],
  ])("rejects %j", async (options, message) => {
    const attempt = bootstrap({ endpoints: [UsersEndpoint], port: 0, ...(options as object) });
    await expect(attempt).rejects.toBeInstanceOf(InvalidOptionsError);
    await expect(attempt).rejects.toThrow(message);
  });
});
