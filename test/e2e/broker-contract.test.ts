import "reflect-metadata";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { MemoryBroker, type Broker, type ServerHandle } from "../../src/index.js";
import { RedisBroker } from "../../src/redis/index.js";
import type { TestClient } from "../../src/testing/index.js";
import { connect, eventually, expectNothingElse, startNode } from "./support/cluster.js";
import { RedisProcess } from "./support/redis-server.js";
import { redisServer } from "../support/system-packages.js";

/**
 * One contract, two brokers: two nodes (two bootstrap() servers) that share a broker must behave as one
 * server, whether the broker is in memory or Redis.
 */
function brokerContract(name: string, brokers: () => [Broker, Broker], cleanup: () => Promise<void> = async () => {}): void {
  describe(`broker contract: ${name}`, () => {
    let a: ServerHandle;
    let b: ServerHandle;
    const clients: TestClient[] = [];
    const join = async (node: ServerHandle, user: string, rooms: string[] = []): Promise<TestClient> => {
      const c = await connect(node, user, rooms);
      clients.push(c);
      return c;
    };

    afterEach(async () => {
      await Promise.all(clients.splice(0).map((c) => c.drop()));
      await Promise.all([a?.close(), b?.close()]);
      await cleanup();
    });

    const start = async (): Promise<void> => {
      const [ba, bb] = brokers();
      a = await startNode(ba, "node-a");
      b = await startNode(bb, "node-b");
    };

    it("delivers a room broadcast to the room's members on both nodes, exactly once each", async () => {
      await start();
      const a1 = await join(a, "a1", ["red"]);
      const a2 = await join(a, "a2", ["blue"]);
      const b1 = await join(b, "b1", ["red"]);
      const b2 = await join(b, "b2", ["red", "blue"]);
      const b3 = await join(b, "b3");
      const result = await a.broadcaster.broadcast("to red", { room: "red" });
      expect(result).toMatchObject({ local: 1, failed: 0, published: true, error: undefined });
      expect(await a1.nextText()).toBe("to red");
      expect(await b1.nextText()).toBe("to red");
      expect(await b2.nextText()).toBe("to red");
      expect(await expectNothingElse(a, [a1, a2, b1, b2, b3])).toEqual(["fence", "fence", "fence", "fence", "fence"]);
    });

    it("delivers a broadcast without a room to every session of both nodes, skipping except", async () => {
      await start();
      const a1 = await join(a, "a1");
      const b1 = await join(b, "b1");
      const b2 = await join(b, "b2");
      await b.broadcaster.broadcast("all but b2", { except: [...b.sessions].filter((s) => s.getUserProperties().get("user") === "b2") });
      expect(await a1.nextText()).toBe("all but b2");
      expect(await b1.nextText()).toBe("all but b2");
      expect(await expectNothingElse(b, [a1, b1, b2])).toEqual(["fence", "fence", "fence"]);
    });

    it("lets an endpoint broadcast through the injected Broadcaster, excluding the sender on every node", async () => {
      await start();
      const alice = await join(a, "alice", ["lobby"]);
      const bob = await join(b, "bob", ["lobby"]);
      const carol = await join(a, "carol", ["lobby"]);
      await alice.send({ op: "say", text: "hi all", room: "lobby" });
      expect(await alice.nextJson()).toEqual({ said: true });
      expect(await bob.nextJson()).toEqual({ from: "alice", text: "hi all" });
      expect(await carol.nextJson()).toEqual({ from: "alice", text: "hi all" });
      expect(await expectNothingElse(a, [alice, bob, carol])).toEqual(["fence", "fence", "fence"]);
    });

    it("sends to every session of a user on both nodes with sendToUser, once each", async () => {
      await start();
      const bobOnA = await join(a, "bob");
      const bobOnB = await join(b, "bob");
      const alice = await join(a, "alice");
      await alice.send({ op: "dm", to: "bob", text: "psst" });
      expect(await alice.nextJson()).toEqual({ sent: true });
      expect(await bobOnA.nextJson()).toEqual({ from: "alice", dm: "psst" });
      expect(await bobOnB.nextJson()).toEqual({ from: "alice", dm: "psst" });
      const none = await b.broadcaster.sendToUser("nobody", "x");
      expect(none).toMatchObject({ local: 0, published: true });
      expect(await expectNothingElse(a, [bobOnA, bobOnB, alice])).toEqual(["fence", "fence", "fence"]);
    });

    it("keeps one publisher's messages in order on the other node", async () => {
      await start();
      const b1 = await join(b, "b1", ["r"]);
      for (let i = 0; i < 50; i++) void a.broadcaster.broadcast(`m${i}`, { room: "r" });
      const got: string[] = [];
      for (let i = 0; i < 50; i++) got.push(await b1.nextText());
      expect(got).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}`));
    });

    it("carries binary, multi-byte text and objects across nodes intact", async () => {
      await start();
      const b1 = await join(b, "b1");
      const bytes = Buffer.alloc(70_000);
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) & 0xff;
      await a.broadcaster.broadcast(bytes);
      await a.broadcaster.broadcast(new Uint8Array([0, 255, 10, 13, 0]));
      await a.broadcaster.broadcast("héllo ✓ 🎉");
      await a.broadcaster.broadcast({ n: 1, nested: { list: [1, "two", null] } });
      const m1 = await b1.next();
      expect(m1.type).toBe("binary");
      expect(Buffer.compare(m1.data as Buffer, bytes)).toBe(0);
      expect(await b1.next()).toEqual({ type: "binary", data: Buffer.from([0, 255, 10, 13, 0]) });
      expect(await b1.nextText()).toBe("héllo ✓ 🎉");
      expect(await b1.nextJson()).toEqual({ n: 1, nested: { list: [1, "two", null] } });
    });

    it("counts and lists presence across nodes through joins, leaves and abrupt disconnects", async () => {
      await start();
      const a1 = await join(a, "a1", ["room"]);
      const b1 = await join(b, "b1", ["room"]);
      await join(b, "b2");
      expect(await eventually(() => a.presence.count(), 3)).toBe(3);
      expect(await eventually(() => b.presence.count("room"), 2)).toBe(2);
      const listed = await a.presence.list("room");
      expect(listed.map((e) => [e.userId, e.nodeId]).sort()).toEqual([
        ["a1", "node-a"],
        ["b1", "node-b"],
      ]);
      await b1.send({ op: "leave", room: "room" });
      expect(await b1.nextText()).toBe("ok");
      expect(await eventually(() => a.presence.count("room"), 1)).toBe(1);
      await a1.drop();
      expect(await eventually(() => b.presence.count(), 2)).toBe(2);
      expect(await eventually(() => b.presence.count("room"), 0)).toBe(0);
      await b1.send({ op: "join", room: "room" });
      expect(await b1.nextText()).toBe("ok");
      await b1.send({ op: "count", room: "room" });
      expect(await b1.nextJson()).toEqual({ count: 1 });
      expect((await a.presence.list()).map((e) => e.userId).sort()).toEqual(["b1", "b2"]);
    });

    it("stops counting a closed node's sessions once it leaves", async () => {
      await start();
      await join(a, "a1");
      await join(b, "b1");
      expect(await eventually(() => a.presence.count(), 2)).toBe(2);
      await b.close();
      expect(await eventually(() => a.presence.count(), 1)).toBe(1);
    });
  });
}

brokerContract("MemoryBroker", () => {
  const shared = new MemoryBroker();
  return [shared, shared];
});

describe("with a real Redis", () => {
  let redis: RedisProcess;
  let prefix = 0;
  redisServer.guardEach();
  beforeAll(async () => {
    if (redisServer.available) redis = await RedisProcess.start();
  });
  afterAll(async () => redis?.kill());
  brokerContract("RedisBroker", () => {
    const keyPrefix = `contract${++prefix}`;
    return [new RedisBroker({ redis: redis.url, keyPrefix }), new RedisBroker({ redis: redis.url, keyPrefix })];
  });
  brokerContract('RedisBroker, delivery: "at-least-once"', () => {
    const keyPrefix = `contract${++prefix}`;
    const options = { redis: redis.url, keyPrefix, delivery: "at-least-once" } as const;
    return [new RedisBroker(options), new RedisBroker(options)];
  });
});
