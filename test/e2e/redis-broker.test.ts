import "reflect-metadata";
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { bootstrap, BrokerError, ErrorCodes, InvalidOptionsError, silentLogger, type ServerHandle } from "../../src/index.js";
import { RedisBroker } from "../../src/redis/index.js";
import type { TestClient } from "../../src/testing/index.js";
import { ClusterEndpoint, connect, eventually, expectNothingElse, startNode } from "./support/cluster.js";
import { freePort, RedisProcess } from "./support/redis-server.js";
import { redisServer } from "../support/system-packages.js";
import { startChildNode } from "../support/child-node.js";

let redis: RedisProcess;
let prefixes = 0;
const handles: ServerHandle[] = [];
const clients: TestClient[] = [];
const children: ChildProcess[] = [];

redisServer.guardEach();
beforeAll(async () => {
  if (redisServer.available) redis = await RedisProcess.start();
});
afterAll(async () => redis?.dispose());
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await Promise.all(clients.splice(0).map((c) => c.drop()));
  await Promise.all(handles.splice(0).map((h) => h.close()));
});

async function node(broker: RedisBroker, id: string): Promise<ServerHandle> {
  const h = await startNode(broker, id);
  handles.push(h);
  return h;
}
async function client(port: ServerHandle | number, user: string, rooms: string[] = []): Promise<TestClient> {
  const c = await connect(port, user, rooms);
  clients.push(c);
  return c;
}

/** Starts a node in a child process (see support/node-process.ts) and resolves with its port. */
/**
 * Sends probes from `from` to `user` (connected to another node as `receiver`) until one arrives, then
 * takes everything up to a final marker: true once the receiving node's subscription is back. Nothing
 * sent before the outage ended may arrive ("during" was never published).
 */
async function subscribedAgain(from: ServerHandle, user: string, receiver: TestClient): Promise<boolean> {
  let through = false;
  for (let i = 0; i < 100 && !through; i++) {
    await from.broadcaster.sendToUser(user, `probe${i}`);
    through = await receiver.next(100).then(
      (m) => {
        expect(m.data).not.toBe("during");
        return true;
      },
      () => false,
    );
  }
  if (!through) return false;
  await from.broadcaster.sendToUser(user, "drained");
  for (let m = await receiver.nextText(); m !== "drained"; m = await receiver.nextText()) expect(m).toMatch(/^probe\d+$/);
  return true;
}

function childNode(keyPrefix: string, nodeId: string): Promise<{ child: ChildProcess; port: number }> {
  return startChildNode("./test/e2e/support/node-process.ts", [redis.url, keyPrefix, nodeId], children);
}

describe("RedisBroker with a node crash", () => {
  it("drops a SIGKILLed node's sessions from presence once its heartbeat expires, and clears its keys", async () => {
    const keyPrefix = `crash${++prefixes}`;
    const a = await node(new RedisBroker({ redis: redis.url, keyPrefix, heartbeatInterval: 100, nodeTimeout: 400 }), "survivor");
    const { child, port } = await childNode(keyPrefix, "doomed");
    await client(a, "a1", ["room"]);
    await client(port, "c1", ["room"]);
    await client(port, "c2");
    expect(await eventually(() => a.presence.count(), 3)).toBe(3);
    expect(await eventually(() => a.presence.count("room"), 2)).toBe(2);

    child.kill("SIGKILL");
    await once(child, "exit");
    expect(await eventually(() => a.presence.count(), 1)).toBe(1);
    expect(await a.presence.count("room")).toBe(1);
    expect((await a.presence.list()).map((e) => e.nodeId)).toEqual(["survivor"]);

    const raw = new Redis(redis.url);
    try {
      const tag = `{${keyPrefix}}`;
      expect(await eventually(() => raw.smembers(`${tag}:nodes`), ["survivor"])).toEqual(["survivor"]);
      expect(await raw.exists(`${tag}:s:doomed`, `${tag}:rooms:doomed`, `${tag}:r:doomed:room`)).toBe(0);
    } finally {
      raw.disconnect();
    }
  });
});

describe("RedisBroker through a Redis outage", () => {
  it("keeps local delivery, fails cross-node publishes visibly, then resumes and rebuilds presence after Redis returns", async () => {
    const keyPrefix = `outage${++prefixes}`;
    const errors: BrokerError[] = [];
    const brokerA = new RedisBroker({ redis: redis.url, keyPrefix, heartbeatInterval: 100, nodeTimeout: 1000, logger: silentLogger, onError: (e) => errors.push(e) });
    const brokerB = new RedisBroker({ redis: redis.url, keyPrefix, heartbeatInterval: 100, nodeTimeout: 1000, logger: silentLogger });
    const a = await node(brokerA, "a");
    const b = await node(brokerB, "b");
    const a1 = await client(a, "a1", ["r"]);
    const a2 = await client(a, "a2", ["r"]);
    const b1 = await client(b, "b1", ["r"]);
    expect(await eventually(() => a.presence.count("r"), 3)).toBe(3);

    await redis.kill();
    expect(await eventually(async () => brokerA.connected || brokerB.connected, false)).toBe(false);

    const during = await a.broadcaster.broadcast("during", { room: "r" });
    expect(during.local).toBe(2);
    expect(during.published).toBe(false);
    expect(during.error).toBeInstanceOf(BrokerError);
    expect((during.error as BrokerError).code).toBe(ErrorCodes.BROKER);
    expect(await a1.nextText()).toBe("during");
    expect(await a2.nextText()).toBe("during");
    // The endpoint's own broadcast fails the same way, as a value: no rejection reaches the handler.
    await a1.send({ op: "say", text: "still here", room: "r" });
    expect(await a1.nextJson()).toEqual({ said: false });
    expect(await a2.nextJson()).toEqual({ from: "a1", text: "still here" });
    await expect(a.presence.count()).rejects.toBeInstanceOf(BrokerError);
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(brokerA.stats.publishFailures).toBe(2);

    // Leaving and joining during the outage must be reflected once presence is rebuilt.
    await a2.drop();
    const a3 = await client(a, "a3", ["r"]);

    await redis.restart();
    expect(await eventually(() => b.presence.count("r"), 3)).toBe(3);
    expect((await b.presence.list("r")).map((e) => e.userId).sort()).toEqual(["a1", "a3", "b1"]);

    // Each node's subscription comes back on its own schedule: probe both ways until messages get through.
    expect(await subscribedAgain(a, "b1", b1)).toBe(true);
    expect(await subscribedAgain(b, "a1", a1)).toBe(true);

    await b.broadcaster.broadcast("back", { room: "r" });
    expect(await a1.nextText()).toBe("back");
    expect(await a3.nextText()).toBe("back");
    expect(await b1.nextText()).toBe("back");
    await a.broadcaster.broadcast("again", { room: "r" });
    expect(await a1.nextText()).toBe("again");
    expect(await a3.nextText()).toBe("again");
    expect(await b1.nextText()).toBe("again");
    expect(await expectNothingElse(b, [a1, a3, b1])).toEqual(["fence", "fence", "fence"]);
  });
});

describe("RedisBroker: a broadcast in flight when Redis dies", () => {
  for (const delivery of ["pub-sub", "at-least-once"] as const) {
    it(`${delivery}: returns published: false while Redis is still down, not once it is back`, async () => {
      const errors: BrokerError[] = [];
      const broker = new RedisBroker({ redis: redis.url, keyPrefix: `inflight${++prefixes}`, delivery, logger: silentLogger, onError: (e) => errors.push(e) });
      const a = await node(broker, "a");
      const a1 = await client(a, "a1", ["r"]);
      // Redis holds write commands (PUBLISH, XADD) unanswered: the broadcast is in flight when it dies.
      const admin = new Redis(redis.port, "127.0.0.1");
      await admin.call("CLIENT", "PAUSE", "20000", "WRITE");
      admin.disconnect();
      const inFlight = a.broadcaster.broadcast("cut off", { room: "r" });
      await new Promise((r) => setImmediate(r));
      await redis.kill();
      let timer: NodeJS.Timeout | undefined;
      const stillPending = new Promise<"still pending">((r) => (timer = setTimeout(() => r("still pending"), 10_000)));
      try {
        const r = await Promise.race([inFlight, stillPending]);
        expect(r === "still pending" ? r : { published: r.published, local: r.local }).toEqual({ published: false, local: 1 });
        expect(await a1.nextText()).toBe("cut off");
        expect(errors.map((e) => e.message).find((m) => m.includes("closed before Redis answered"))).toBeDefined();
      } finally {
        clearTimeout(timer);
        await redis.restart();
      }
    });
  }
});

describe("RedisBroker edge cases", () => {
  it("refuses to start with a BrokerError naming the fix when Redis is unreachable", async () => {
    const port = await freePort();
    const attempt = bootstrap({
      endpoints: [ClusterEndpoint],
      port: 0,
      host: "127.0.0.1",
      logger: silentLogger,
      broker: new RedisBroker({ redis: `redis://127.0.0.1:${port}`, connectTimeout: 300, logger: silentLogger }),
    });
    await expect(attempt).rejects.toBeInstanceOf(BrokerError);
    await expect(attempt).rejects.toThrow(/was not ready within 300 ms.*Fix: check that Redis runs/);
  });

  it("ignores a malformed message on its channel and keeps delivering", async () => {
    const keyPrefix = `malformed${++prefixes}`;
    const brokerB = new RedisBroker({ redis: redis.url, keyPrefix, logger: silentLogger });
    const a = await node(new RedisBroker({ redis: redis.url, keyPrefix, logger: silentLogger }), "a");
    const b = await node(brokerB, "b");
    const b1 = await client(b, "b1");
    const raw = new Redis(redis.url);
    try {
      await raw.publish(`{${keyPrefix}}:bus`, Buffer.from([9, 9, 9]));
      await a.broadcaster.broadcast("fine");
      expect(await b1.nextText()).toBe("fine");
      expect(brokerB.stats.malformed).toBe(1);
      expect(brokerB.stats.received).toBe(1);
    } finally {
      raw.disconnect();
    }
  });

  it.each([
    [{ redis: "redis://x", cluster: { nodes: [{ host: "h", port: 1 }] } }, "pass either redis (single server or Sentinel) or cluster, not both"],
    [{ heartbeatInterval: 1000, nodeTimeout: 1000 }, "nodeTimeout (1000) must be longer than heartbeatInterval (1000)"],
    [{ keyPrefix: "bad prefix" }, 'keyPrefix must be 1 to 64 letters, digits, ".", "_", ":" or "-"; got "bad prefix"'],
    [{ redis: { keyPrefix: "x:" } }, "redis.keyPrefix is not supported; use the keyPrefix option of RedisBroker"],
    [{ connectTimeout: -1 }, "connectTimeout must be a positive integer of ms; got -1"],
  ])("rejects invalid options %j", (options, message) => {
    expect(() => new RedisBroker(options as never)).toThrow(InvalidOptionsError);
    expect(() => new RedisBroker(options as never)).toThrow(message);
  });
});
