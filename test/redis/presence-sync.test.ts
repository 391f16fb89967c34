import { describe, expect, expectTypeOf, it, vi } from "vitest";
import { PRESENCE_CHANGE, type BrokerNode } from "../../src/broker/broker.js";
import { BrokerError } from "../../src/errors.js";
import { silentLogger } from "../../src/metrics/logger.js";
import { PresenceSync, type SyncedNode } from "../../src/redis/presence-sync.js";
import type { RedisBroker } from "../../src/redis/redis-broker.js";
import type { LinkCounters, RedisLink } from "../../src/redis/redis-link.js";
import { resolveRedisOptions } from "../../src/redis/redis-options.js";
import { PresenceKeys } from "../../src/redis/redis-presence.js";

const options = resolveRedisOptions({ logger: silentLogger, keyPrefix: "t" });
const keys = new PresenceKeys("t");

/** A link whose command client is `client` when ready, null otherwise; failures are collected. */
function fakeLink(client: object | null) {
  const failures: BrokerError[] = [];
  const counters: LinkCounters = { published: 0, publishFailures: 0, received: 0, malformed: 0, rebuilds: 0 };
  const link = {
    readyClient: client,
    client,
    status: client === null ? "reconnecting" : "ready",
    counters,
    failed: (e: BrokerError) => (failures.push(e), e),
  };
  return { link: link as unknown as RedisLink, failures };
}

function syncedNode(): SyncedNode {
  return { nodeId: "n1", node: { nodeId: "n1", snapshot: () => [], deliver: () => {} } as unknown as BrokerNode, dirty: false };
}

const open = { kind: PRESENCE_CHANGE.OPEN, sessionId: "s1", userId: "u1" } as const;

describe("PresenceSync", () => {
  it("marks a node dirty instead of writing while Redis is unreachable", () => {
    const { link } = fakeLink(null);
    const s = syncedNode();
    new PresenceSync(link, keys, new Map([["n1", s]]), options).track(s, open);
    expect(s.dirty).toBe(true);
  });

  it("writes a change to the node's session hash, and marks the node dirty when the write fails", async () => {
    const hset = vi.fn(() => Promise.reject(new Error("READONLY")));
    const { link } = fakeLink({ hset });
    const s = syncedNode();
    new PresenceSync(link, keys, new Map([["n1", s]]), options).track(s, open);
    expect(hset).toHaveBeenCalledWith("{t}:s:n1", "s1", "u1");
    await vi.waitFor(() => expect(s.dirty).toBe(true));
  });

  it("rejects a query with BrokerError, reported through the link, while Redis is unreachable", async () => {
    const { link, failures } = fakeLink(null);
    const sync = new PresenceSync(link, keys, new Map(), options);
    await expect(sync.count(undefined)).rejects.toThrow(new BrokerError("Redis is unreachable (reconnecting); presence is unknown."));
    expect(failures.map((f) => f.message)).toEqual(["Redis is unreachable (reconnecting); presence is unknown."]);
  });

  it("counts across nodes and clears each node the query found dead, only if it is still dead", async () => {
    const wseClear = vi.fn(() => Promise.resolve(1));
    const { link } = fakeLink({ wseCount: () => Promise.resolve([3, ["gone"]]), wseClear });
    expect(await new PresenceSync(link, keys, new Map(), options).count("lobby")).toBe(3);
    expect(wseClear).toHaveBeenCalledWith("{t}:nodes", "{t}:", "gone", "1");
  });
});

describe("RedisBroker", () => {
  it("has no public members beyond the Broker contract, stats and connected (issue 19)", () => {
    expectTypeOf<keyof RedisBroker>().toEqualTypeOf<"subscribe" | "close" | "stats" | "connected">();
  });
});
