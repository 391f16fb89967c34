import { describe, expect, it } from "vitest";
import { CloseReason, CloseCodes } from "../../src/close-reason.js";
import type { RoomMembership } from "../../src/session/room-membership.js";
import { checkRoom, MAX_ROOM_NAME } from "../../src/session/room-name.js";
import type { Session } from "../../src/session/session.js";
import { MockSession } from "../../src/testing/index.js";

/** Records what a session reports; stands in for broker/rooms.ts:RoomRegistry. */
function recorder(): RoomMembership & { calls: string[] } {
  const calls: string[] = [];
  const id = (s: Session) => s.getId();
  return {
    calls,
    joined: (s, room) => void calls.push(`joined ${id(s)} ${room}`),
    left: (s, room) => void calls.push(`left ${id(s)} ${room}`),
    userMayHaveChanged: (s) => void calls.push(`user ${id(s)}`),
    remove: (s) => void calls.push(`remove ${id(s)}`),
  };
}

describe("a session reports room membership through RoomMembership (no broker needed)", () => {
  it("reports each join and leave once, user property changes, and its close", () => {
    const session = new MockSession({ id: "s1" });
    const rooms = recorder();
    session.bindRegistry(rooms);
    session.join("lobby");
    session.join("lobby");
    session.leave("lobby");
    session.leave("lobby");
    session.getUserProperties().set("user", "ann");
    session.close(new CloseReason(CloseCodes.NORMAL_CLOSURE, "bye"));
    expect(rooms.calls).toEqual(["joined s1 lobby", "left s1 lobby", "user s1", "remove s1"]);
  });

  it("keeps its rooms before a registry binds, for the registry to read then", () => {
    const session = new MockSession({ id: "s2" });
    session.join("a");
    expect([...session.getRooms()]).toEqual(["a"]);
  });
});

describe("checkRoom", () => {
  it.each([
    ["", TypeError, /room must be a non-empty string; got ""/],
    [42, TypeError, /room must be a non-empty string; got number/],
    ["x".repeat(MAX_ROOM_NAME + 1), RangeError, new RegExp(`is ${MAX_ROOM_NAME + 1} characters; the limit is ${MAX_ROOM_NAME}`)],
  ])("refuses %#", (room, type, message) => {
    expect(() => checkRoom(room, "session.join")).toThrow(type);
    expect(() => checkRoom(room, "session.join")).toThrow(message);
  });

  it("accepts a name of the longest length", () => {
    expect(() => checkRoom("x".repeat(MAX_ROOM_NAME), "session.join")).not.toThrow();
  });
});
