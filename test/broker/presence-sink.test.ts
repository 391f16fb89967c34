import { describe, expect, it } from "vitest";
import type { PresenceChange } from "../../src/broker/broker.js";
import { RoomRegistry, userIdResolver, type PresenceSink } from "../../src/broker/rooms.js";
import { silentLogger } from "../../src/metrics/logger.js";
import { MockSession } from "../../src/testing/mock-session.js";

/** A sink that records what it is given; `tracking` as the hub's is while a broker subscription takes changes. */
function sink(tracking: boolean): PresenceSink & { changes: PresenceChange[] } {
  const changes: PresenceChange[] = [];
  return { tracking, changes, track: (c) => void changes.push(c) };
}

function lifeOfASession(registry: RoomRegistry): MockSession {
  const s = new MockSession({ principal: "ann" });
  registry.add(s);
  s.join("red");
  s.getUserProperties().set("x", 1);
  s.leave("red");
  s.join("blue");
  registry.remove(s);
  return s;
}

describe("RoomRegistry presence changes", () => {
  it("builds no change while nothing takes them (no broker): the registry still indexes rooms and users", () => {
    const out = sink(false);
    const registry = new RoomRegistry(userIdResolver("principal"), out, silentLogger);
    const s = new MockSession({ principal: "ann" });
    registry.add(s);
    s.join("red");
    expect([...registry.members("red")]).toEqual([s]);
    expect([...registry.sessionsOf("ann")]).toEqual([s]);
    registry.remove(s);
    lifeOfASession(registry);
    expect(out.changes).toEqual([]);
    expect(registry.members("red").size + registry.members("blue").size + registry.sessionsOf("ann").size).toBe(0);
  });

  it("reports every change, in order, while a broker takes them", () => {
    const out = sink(true);
    const registry = new RoomRegistry(userIdResolver("principal"), out, silentLogger);
    const s = lifeOfASession(registry);
    expect(out.changes.map((c) => c.kind)).toEqual(["open", "join", "leave", "join", "leave", "close"]);
    expect(out.changes.every((c) => c.sessionId === s.getId())).toBe(true);
    expect(out.changes[0]).toMatchObject({ userId: "ann" });
  });
});
