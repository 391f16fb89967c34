import "reflect-metadata";
import type { ChildProcess } from "node:child_process";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { bootstrap, Configurator, OnOpen, ServerEndpoint, Session, silentLogger, type HandshakeRequest, type ServerHandle } from "../../src/index.js";
import { RedisBroker, RedisRecoveryStore } from "../../src/redis/index.js";
import { RedisProcess } from "../e2e/support/redis-server.js";
import { recordFigures } from "../support/figures.js";
import { redisServer } from "../support/system-packages.js";
import { startChildNode } from "../support/child-node.js";
import { connectClients, publish, settle, tally, until, type ChaosFigures, type CountingClient } from "./chaos-run.js";
import { LaggingStore } from "./lagging-store.js";
import { SwitchProxy } from "./switch-proxy.js";
import { RecoveryRefusals } from "../../src/contract/recovery-wire.js";
import { WireClient } from "./wire-client.js";

@ServerEndpoint({ path: "/chaos", recovery: { window: "10s", maxMessages: 5000, maxBytes: 4 * 1024 * 1024 } })
class ChaosEndpoint {
  @OnOpen() open(session: Session): void {
    if (!session.isRecovered()) session.join("feed");
  }
}

/** Small bounds: 2 KiB of messages per session. */
@ServerEndpoint({ path: "/small", recovery: { window: "10s", maxBytes: 2048 } })
class SmallEndpoint {
  @OnOpen() open(session: Session): void {
    if (!session.isRecovered()) session.join("small");
  }
}

/** The principal is the `user` query parameter. */
class QueryUser extends Configurator {
  override authenticate(request: HandshakeRequest): unknown {
    return { id: request.queryParameters.get("user") ?? "anonymous" };
  }
}

@ServerEndpoint({ path: "/auth", recovery: { window: "10s" }, configurator: QueryUser })
class AuthEndpoint {
  @OnOpen() open(session: Session): void {
    if (!session.isRecovered()) session.join("auth");
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

interface NodeOptions {
  prefix?: string;
  delivery?: "pub-sub" | "at-least-once";
  /** Node i's store writes reach Redis this late (ms): a slow node. */
  lag?: readonly number[];
  /** The store's bound over the sessions of its node. */
  maxBytes?: number;
}

async function nodes(n: number, { prefix = `rec${++prefixes}`, delivery = "pub-sub", lag = [], maxBytes }: NodeOptions = {}): Promise<ServerHandle[]> {
  const out: ServerHandle[] = [];
  for (let i = 0; i < n; i++) {
    const store = new RedisRecoveryStore({ redis: redis.url, keyPrefix: prefix, logger: silentLogger, maxBytes });
    stores.push(store);
    await store.ready();
    const app = await bootstrap({
      endpoints: [ChaosEndpoint, SmallEndpoint, AuthEndpoint], port: 0, host: "127.0.0.1", logger: silentLogger, nodeId: `node-${i}`,
      broker: new RedisBroker({ redis: redis.url, keyPrefix: prefix, logger: silentLogger, delivery }),
      recoveryStore: (lag[i] ?? 0) > 0 ? new LaggingStore(store, lag[i]!) : store,
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
    // Published on B while the client is away: A's parked session records it (through the broker). No
    // wait: B asks A to let go after these, so A has stored them when B claims the session.
    for (let i = 5; i < 10; i++) await b!.broadcaster.broadcast(`m:${i}`, { room: "feed" });
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

  it("a holder whose store writes lag 300 ms behind: the hand-over waits for them, nothing lost or repeated", async () => {
    // Node A's writes reach Redis 300 ms late. Before the hand-over protocol, B claimed the session at
    // once: A's late writes were refused and the messages B had delivered before it held the session
    // were lost.
    const [a, b] = await nodes(2, { lag: [300, 0] });
    const client = new WireClient(`ws://127.0.0.1:${a!.address.port}/chaos`);
    const first = await client.connect(false);
    await until(() => a!.sessions.size === 1);
    await a!.broadcaster.broadcast("m:0", { room: "feed" });
    await client.receivedCount(1);
    await client.reset();
    await until(() => a!.sessions.size === 0);
    for (let i = 1; i < 6; i++) await b!.broadcaster.broadcast(`m:${i}`, { room: "feed" });
    const moved = new WireClient(`ws://127.0.0.1:${b!.address.port}/chaos`);
    moved.offset = client.offset;
    expect(await moved.connect(true, first.token)).toMatchObject({ session: first.session, recovered: true, offset: 1 });
    for (let i = 6; i < 9; i++) await b!.broadcaster.broadcast(`m:${i}`, { room: "feed" });
    await a!.broadcaster.broadcast("fence", { room: "feed" });
    await moved.receivedCount(9);
    expect(moved.received).toEqual(["m:1", "m:2", "m:3", "m:4", "m:5", "m:6", "m:7", "m:8", "fence"]);
    await moved.close();
  });

  it("another principal presenting the token on the other node is refused and moves nothing: the owner recovers with every message", async () => {
    const [a, b] = await nodes(2);
    const ada = new WireClient(`ws://127.0.0.1:${a!.address.port}/auth?user=ada`);
    const first = await ada.connect(false);
    await until(() => a!.sessions.size === 1);
    await ada.reset();
    await until(() => a!.sessions.size === 0);
    const mallory = new WireClient(`ws://127.0.0.1:${b!.address.port}/auth?user=mallory`);
    expect(await mallory.connect(true, first.token)).toMatchObject({ recovered: false, refused: RecoveryRefusals.PRINCIPAL_MISMATCH });
    // A still holds ada's session: what B publishes now reaches it.
    for (let i = 0; i < 3; i++) await b!.broadcaster.broadcast(`m:${i}`, { room: "auth" });
    const back = new WireClient(`ws://127.0.0.1:${b!.address.port}/auth?user=ada`);
    expect(await back.connect(true, first.token)).toMatchObject({ session: first.session, recovered: true });
    await back.receivedCount(3);
    expect(back.received).toEqual(["m:0", "m:1", "m:2"]);
    await Promise.all([mallory.close(), back.close()]);
  });

  for (const delivery of ["pub-sub", "at-least-once"] as const) {
    it(`TCP resets mid-stream, each time reconnecting to the other node (${delivery}): lost = duplicated = reordered = 0`, async () => {
      const figures = await twoNodeChaos({ clients: 10, perPublisher: 400, resetEvery: 100, delivery });
      console.log(`recovery chaos (Redis store, two nodes, ${delivery}):`, JSON.stringify(figures));
    }, 90_000);
  }

  // The long run, in `npm run test:reliability` (test/reliability/recovery-two-node.test.ts).
  for (const delivery of ["pub-sub", "at-least-once"] as const) {
    it.runIf(process.env.WSE_RECOVERY_LONG === "1")(`long run (${delivery}): 30 clients, 2 × 2,000 messages, 20 resets across both nodes: lost = duplicated = reordered = 0`, async () => {
      const figures = await twoNodeChaos({ clients: 30, perPublisher: 2000, resetEvery: 100, delivery });
      console.log(`recovery chaos long (Redis store, two nodes, ${delivery}):`, JSON.stringify(figures));
      recordFigures(`recovery-two-node-${delivery}`, [{ scenario: `recovery two nodes (${delivery})`, figures: { ...figures } }]);
    }, 300_000);
  }
});

/**
 * Two nodes publish `perPublisher` numbered messages each to the clients' room; every `resetEvery` of A's
 * messages the proxy resets every connection and sends the clients to the other node. Asserts the
 * figures: the hand-over is exact (docs/internals.md, "Session hand-over"), so there is no tolerance.
 */
async function twoNodeChaos(o: { clients: number; perPublisher: number; resetEvery: number; delivery: "pub-sub" | "at-least-once" }): Promise<ChaosFigures> {
  const [a, b] = await nodes(2, { delivery: o.delivery });
  const proxy = await SwitchProxy.start(a!.address.port);
  try {
    const clients = await connectClients(proxy, "/chaos", o.clients);
    await until(() => a!.sessions.size === o.clients);
    let resets = 0;
    const publishing = [a!, b!].map((node, i) =>
      publish(node, i === 0 ? "a" : "b", "feed", o.perPublisher, 20, async (k) => {
        if (i !== 0 || k % o.resetEvery !== o.resetEvery - 1) return;
        await until(() => clients.every((c) => c.session!.isConnected()), 10_000);
        proxy.target = proxy.target === a!.address.port ? b!.address.port : a!.address.port;
        proxy.reset();
        resets++;
      }),
    );
    await Promise.all(publishing);
    await until(() => clients.every((c) => c.session!.isConnected()), 10_000);
    await settle(clients, 2 * o.perPublisher, 30_000, [a!, b!]);
    const figures = tally(clients, ["a", "b"], o.perPublisher, resets);
    expect(figures).toMatchObject({ lost: 0, duplicated: 0, reordered: 0, refused: 0 });
    expect(figures.recovered).toBe(o.clients * resets);
    for (const c of clients) expect(new Set(c.opens.map((op) => op.sessionId)).size).toBe(1);
    for (const c of clients) c.session!.close();
    return figures;
  } finally {
    await proxy.close();
  }
}

describe("Redis store bounds (a real Redis)", () => {
  async function droppedOn(app: ServerHandle, path: string): Promise<WireClient> {
    const c = new WireClient(`ws://127.0.0.1:${app.address.port}${path}`);
    await c.connect(false);
    await until(() => app.sessions.size === 1);
    await c.reset();
    await until(() => app.sessions.size === 0 && app.metrics().recovery.parkedNow >= 1);
    return c;
  }

  it("recovery.maxBytes bounds each session: what fits is replayed, a session whose missed messages were cut is refused trimmed", async () => {
    const [a] = await nodes(1);
    const kib = "x".repeat(1024);
    const fits = await droppedOn(a!, "/small");
    await a!.broadcaster.broadcast(`1:${kib}`, { room: "small" });
    await until(() => a!.metrics().recovery.storeMessages === 1);
    expect(await fits.connect(true)).toMatchObject({ recovered: true });
    await fits.receivedCount(1);
    await fits.reset();
    await until(() => a!.sessions.size === 0);
    // Three more KiB while away: past 2 KiB (payload + 64 bytes each), the oldest are cut.
    for (let i = 2; i < 5; i++) await a!.broadcaster.broadcast(`${i}:${kib}`, { room: "small" });
    await until(() => a!.metrics().recovery.trimmed === 3);
    const stats = a!.metrics().recovery;
    expect(stats.storeBytes).toBeLessThanOrEqual(2048);
    expect(stats.storeBytes).toBe(1024 + 2 + 64);
    expect(stats.storeMessages).toBe(1);
    expect(await fits.connect(true)).toMatchObject({ recovered: false, refused: RecoveryRefusals.TRIMMED, offset: 0 });
    await fits.close();
  });

  it("maxBytes bounds the sessions of a node: past it the oldest parked session is evicted (refused trimmed); the bytes are in metrics", async () => {
    const [a] = await nodes(1, { maxBytes: 4096 });
    const kib = "y".repeat(1024);
    const first = await droppedOn(a!, "/chaos");
    for (let i = 0; i < 2; i++) await a!.broadcaster.broadcast(`${i}:${kib}`, { room: "feed" });
    const second = await droppedOn(a!, "/chaos");
    // Both parked: every broadcast is held twice; the fourth KiB for each passes 4 KiB in all.
    for (let i = 2; i < 4; i++) await a!.broadcaster.broadcast(`${i}:${kib}`, { room: "feed" });
    await until(() => a!.metrics().recovery.evicted === 1 && a!.metrics().recovery.storeMessages === 2);
    const stats = a!.metrics().recovery;
    expect(stats.storeBytes).toBe(2 * (1024 + 2 + 64));
    expect(stats.storeMaxBytes).toBe(4096);
    expect(stats.storeBytes).toBeLessThanOrEqual(4096);
    expect(await first.connect(true)).toMatchObject({ recovered: false, refused: RecoveryRefusals.TRIMMED });
    expect(await second.connect(true)).toMatchObject({ recovered: true });
    await second.receivedCount(2);
    expect(second.received.map((m) => m.slice(0, 2))).toEqual(["2:", "3:"]);
    await first.close();
    await second.close();
  });
});

function childNode(keyPrefix: string, nodeId: string, delivery: "pub-sub" | "at-least-once"): Promise<{ child: ChildProcess; port: number }> {
  return startChildNode("./test/recovery/recovery-node.ts", [redis.url, keyPrefix, nodeId, delivery], children, true);
}

describe("a node SIGKILLed mid-stream", () => {
  it("at-least-once broker: its clients are recovered on the other node with what it sent and what was published while they were away, once, in order", async () => {
    const prefix = `kill${++prefixes}`;
    const [b] = await nodes(1, { prefix, delivery: "at-least-once" });
    const { child, port } = await childNode(prefix, "doomed", "at-least-once");
    const proxy = await SwitchProxy.start(port);
    try {
      const clients = await connectClients(proxy, "/chaos", 10);
      child.stdin!.write("publish 3000\n");
      await until(() => clients.every((c) => (c.seen.get("k")?.length ?? 0) >= 300), 20_000);
      const before = clients.map((c) => c.seen.get("k")!.length);
      const died = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await died;
      // Nobody holds the sessions now (their node is dead, their clients cannot connect yet): B's
      // broadcasts reach them only through the broker's stream, replayed at recovery.
      for (let i = 0; i < 50; i++) await b!.broadcaster.broadcast(`b:${i}`, { room: "feed" });
      proxy.target = b!.address.port;
      // B holds all ten sessions while it waits for the dead node's answer (the hand-over timeout): its
      // broadcasts now go to them, to be sent after the replay.
      await until(() => b!.metrics().recovery.parkedNow === 10, 10_000);
      for (let i = 50; i < 100; i++) await b!.broadcaster.broadcast(`b:${i}`, { room: "feed" });
      await until(() => clients.every((c) => c.opens.length === 2 && c.session!.isConnected()), 20_000);
      expect(clients.map((c) => c.opens[1]!.refused ?? "recovered")).toEqual(clients.map(() => "recovered"));
      // The recovered sessions are in their room on B: B's broadcasts reach each of them once.
      for (let i = 100; i < 150; i++) await b!.broadcaster.broadcast(`b:${i}`, { room: "feed" });
      await settleOn(clients, "b", 150, 10_000, b!);
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
      console.log("recovery after SIGKILL (Redis store, at-least-once):", JSON.stringify({ clients: clients.length, deliveredBeforeKill: before.reduce((x, y) => x + y, 0), delivered, lost, duplicated, reordered, recovered, replayed, refused: clients.map((c) => c.opens[1]?.refused).filter(Boolean) }));
      expect({ lost, duplicated, reordered, recovered }).toEqual({ lost: 0, duplicated: 0, reordered: 0, recovered: 10 });
      // Everything B published, before, during and after the recovery, once and in order.
      for (const c of clients) expect(c.seen.get("b")).toEqual(Array.from({ length: 150 }, (_, i) => i));
      for (const c of clients) c.session!.close();
    } finally {
      await proxy.close();
    }
  }, 90_000);
});

/** Waits until every client has `n` messages of `publisher`, then for a fence from `node` behind them. */
async function settleOn(clients: readonly CountingClient[], publisher: string, n: number, ms: number, node: ServerHandle): Promise<void> {
  await until(() => clients.every((c) => (c.seen.get(publisher)?.length ?? 0) >= n), ms);
  await node.broadcaster.broadcast("fence:0", { room: "feed" });
  await until(() => clients.every((c) => c.seen.has("fence")), ms);
}

