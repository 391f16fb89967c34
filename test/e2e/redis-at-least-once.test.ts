import "reflect-metadata";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { silentLogger, type ServerHandle } from "../../src/index.js";
import { RedisBroker } from "../../src/redis/index.js";
import { idMs } from "../../src/redis/stream-info.js";
import type { TestClient } from "../../src/testing/index.js";
import { redisServer } from "../support/system-packages.js";
import { TcpProxy } from "../support/tcp-proxy.js";
import { collectLog } from "../support/redis-delivery.js";
import { connect, eventually, expectNothingElse, startNode } from "./support/cluster.js";
import { RedisProcess } from "./support/redis-server.js";

let redis: RedisProcess;
let prefixes = 0;
const handles: ServerHandle[] = [];
const clients: TestClient[] = [];
const proxies: TcpProxy[] = [];

redisServer.guardEach();
beforeAll(async () => {
  if (redisServer.available) redis = await RedisProcess.start();
});
afterAll(async () => redis?.dispose());
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.drop()));
  await Promise.all(handles.splice(0).map((h) => h.close()));
  await Promise.all(proxies.splice(0).map((p) => p.close()));
});

async function node(broker: RedisBroker, id: string): Promise<ServerHandle> {
  const h = await startNode(broker, id);
  handles.push(h);
  return h;
}
async function client(at: ServerHandle, user: string, rooms: string[] = []): Promise<TestClient> {
  const c = await connect(at, user, rooms);
  clients.push(c);
  return c;
}
async function texts(c: TestClient, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(await c.nextText());
  return out;
}

describe('RedisBroker delivery: "at-least-once"', () => {
  it("carries room, user and everyone broadcasts between nodes once each, never back to the publisher", async () => {
    const keyPrefix = `alo${++prefixes}`;
    const a = await node(new RedisBroker({ redis: redis.url, keyPrefix, delivery: "at-least-once", logger: silentLogger }), "a");
    const brokerB = new RedisBroker({ redis: redis.url, keyPrefix, delivery: "at-least-once", logger: silentLogger });
    const b = await node(brokerB, "b");
    const a1 = await client(a, "a1", ["r"]);
    const b1 = await client(b, "b1", ["r"]);
    const b2 = await client(b, "b2");

    expect((await a.broadcaster.broadcast("to r", { room: "r" })).published).toBe(true);
    await a.broadcaster.sendToUser("b2", "to b2");
    await a.broadcaster.broadcast("to all");
    expect(await texts(a1, 2)).toEqual(["to r", "to all"]);
    expect(await texts(b1, 2)).toEqual(["to r", "to all"]);
    expect(await texts(b2, 2)).toEqual(["to b2", "to all"]);
    expect(await expectNothingElse(b, [a1, b1, b2])).toEqual(["fence", "fence", "fence"]);
    expect(brokerB.stats.delivery).toBe("at-least-once");
    expect(brokerB.stats.stream).toMatchObject({ limits: { maxLength: 100_000, maxAge: 120_000, dedupeBytes: 1024 * 1024, replicas: 0 }, duplicates: 0, missed: 0 });
  });

  it("delivers what was published while a node was cut off from Redis, once and in order, when it returns", async () => {
    const keyPrefix = `alo${++prefixes}`;
    const proxy = await TcpProxy.start(redis.port);
    proxies.push(proxy);
    const log = collectLog();
    const a = await node(new RedisBroker({ redis: redis.url, keyPrefix, delivery: "at-least-once", logger: silentLogger }), "a");
    const brokerB = new RedisBroker({ redis: proxy.url, keyPrefix, delivery: "at-least-once", logger: log.logger });
    const b = await node(brokerB, "b");
    const b1 = await client(b, "b1", ["r"]);
    await a.broadcaster.broadcast("before", { room: "r" });
    expect(await b1.nextText()).toBe("before");

    proxy.cut();
    expect(await eventually(async () => brokerB.connected, false)).toBe(false);
    for (let i = 0; i < 200; i++) expect((await a.broadcaster.broadcast(`m${i}`, { room: "r" })).published).toBe(true);
    proxy.restore();

    expect(await texts(b1, 200)).toEqual(Array.from({ length: 200 }, (_, i) => `m${i}`));
    expect(await expectNothingElse(a, [b1])).toEqual(["fence"]);
    expect(brokerB.stats.stream).toMatchObject({ catchUps: 1, duplicates: 0, missed: 0, tooLate: 0 });
    expect(brokerB.stats.stream!.caughtUp).toBeGreaterThanOrEqual(200);
    expect(log.lines.some((l) => /reading what was published during \d+ ms away/.test(l))).toBe(true);
  });

  it("counts and logs messages trimmed before a node came back (beyond maxLength), and delivers the rest in order", async () => {
    const keyPrefix = `alo${++prefixes}`;
    const proxy = await TcpProxy.start(redis.port);
    proxies.push(proxy);
    const log = collectLog();
    const stream = { maxLength: 100 };
    const a = await node(new RedisBroker({ redis: redis.url, keyPrefix, delivery: "at-least-once", stream, logger: silentLogger }), "a");
    const brokerB = new RedisBroker({ redis: proxy.url, keyPrefix, delivery: "at-least-once", stream, logger: log.logger });
    const b = await node(brokerB, "b");
    const b1 = await client(b, "b1");
    await a.broadcaster.broadcast("before");
    expect(await b1.nextText()).toBe("before");

    proxy.cut();
    expect(await eventually(async () => brokerB.connected, false)).toBe(false);
    for (let i = 0; i < 1000; i++) await a.broadcaster.broadcast(`m${i}`);
    proxy.restore();

    const fence = await a.broadcaster.broadcast("fence");
    expect(fence.published).toBe(true);
    const got: string[] = [];
    for (let m = await b1.nextText(); m !== "fence"; m = await b1.nextText()) got.push(m);
    const numbers = got.map((m) => Number(m.slice(1)));
    expect(numbers.length).toBeLessThan(1000);
    expect(numbers).toEqual([...numbers].sort((x, y) => x - y));
    expect(numbers.at(-1)).toBe(999);
    const s = brokerB.stats.stream!;
    expect(s.tooLate).toBe(1);
    expect(s.missed).toBe(1000 - numbers.length);
    expect(log.lines.some((l) => /entries it had not read were trimmed/.test(l))).toBe(true);
  });

  it("drops a message whose id it already delivered (a retried append)", async () => {
    const keyPrefix = `alo${++prefixes}`;
    const brokerB = new RedisBroker({ redis: redis.url, keyPrefix, delivery: "at-least-once", logger: silentLogger });
    const a = await node(new RedisBroker({ redis: redis.url, keyPrefix, delivery: "at-least-once", logger: silentLogger }), "a");
    const b = await node(brokerB, "b");
    const b1 = await client(b, "b1");
    await a.broadcaster.broadcast("one");
    expect(await b1.nextText()).toBe("one");
    const raw = new Redis(redis.url);
    try {
      const key = `{${keyPrefix}}:stream`;
      const [[, fields]] = (await raw.xrangeBuffer(key, "-", "+")) as unknown as Array<[Buffer, Buffer[]]>;
      await raw.xadd(key, "*", ...(fields as unknown as string[]));
      await a.broadcaster.broadcast("two");
      expect(await b1.nextText()).toBe("two");
      expect(brokerB.stats.stream).toMatchObject({ duplicates: 1, missed: 0 });
    } finally {
      raw.disconnect();
    }
  });

  it("trims entries older than stream.maxAge, measured on Redis's clock (the newest id read)", async () => {
    const keyPrefix = `alo${++prefixes}`;
    const stream = { maxAge: 1000 };
    const a = await node(new RedisBroker({ redis: redis.url, keyPrefix, delivery: "at-least-once", stream, logger: silentLogger }), "a");
    const b = await node(new RedisBroker({ redis: redis.url, keyPrefix, delivery: "at-least-once", stream, logger: silentLogger }), "b");
    const b1 = await client(b, "b1");
    const raw = new Redis(redis.url);
    try {
      const key = `{${keyPrefix}}:stream`;
      await a.broadcaster.broadcast("old");
      expect(await b1.nextText()).toBe("old");
      const [[oldId]] = await raw.xrange(key, "-", "+");
      expect(await eventually(async () => Date.now() > idMs(oldId!) + 1100, true)).toBe(true);
      await a.broadcaster.broadcast("new");
      expect(await b1.nextText()).toBe("new");
      expect(await eventually(() => raw.xlen(key), 1)).toBe(1);
    } finally {
      raw.disconnect();
    }
  });
});
