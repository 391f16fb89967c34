import "reflect-metadata";
import type { Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { bootstrap, OnMessage, OnOpen, ServerEndpoint, silentLogger, Session, type ServerHandle } from "../../src/index.js";
import { WireClient } from "./wire-client.js";
import { SwitchProxy } from "./switch-proxy.js";
import { connectClients, publish, settle, tally, until } from "./chaos-run.js";

const opened: Array<{ id: string; recovered: boolean; rooms: string[]; nick: unknown }> = [];

@ServerEndpoint({ path: "/feed", recovery: { window: "2s" } })
class FeedEndpoint {
  @OnOpen() open(session: Session): void {
    opened.push({ id: session.getId(), recovered: session.isRecovered(), rooms: [...session.getRooms()], nick: session.getUserProperties().get("nick") });
    if (!session.isRecovered()) {
      session.join("news");
      session.getUserProperties().set("nick", "ada");
    }
  }
  @OnMessage() echo(text: string, session: Session): string {
    return `echo:${text}:${session.getId().length}`;
  }
}

@ServerEndpoint({ path: "/plain" })
class PlainEndpoint {
  @OnMessage() echo(text: string): string {
    return text;
  }
}

const apps: ServerHandle[] = [];
afterEach(async () => {
  opened.length = 0;
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

async function start(): Promise<ServerHandle> {
  const app = await bootstrap({ endpoints: [FeedEndpoint, PlainEndpoint], port: 0, host: "127.0.0.1", logger: silentLogger });
  apps.push(app);
  return app;
}

describe("session recovery on one node (memory store)", () => {
  it("gives a dropped session back with its id, rooms, properties and every missed broadcast, in order, before anything new", async () => {
    const app = await start();
    const client = new WireClient(`ws://127.0.0.1:${app.address.port}/feed`);
    const first = await client.connect(false);
    expect(first).toMatchObject({ recovered: false, offset: 0 });
    await until(() => opened.length === 1);
    for (let i = 0; i < 5; i++) await app.broadcaster.broadcast(`m${i}`, { room: "news" });
    await client.receivedCount(5);
    await client.reset();
    for (let i = 5; i < 10; i++) await app.broadcaster.broadcast(`m${i}`, { room: "news" });
    const again = await client.connect(true);
    expect(again).toMatchObject({ session: first.session, recovered: true, offset: 5 });
    expect(again.token).toBe(first.token);
    client.send("hi");
    await client.receivedCount(11);
    expect(client.received).toEqual([...Array.from({ length: 10 }, (_, i) => `m${i}`), "echo:hi:36"]);
    expect(opened[1]).toEqual({ id: first.session, recovered: true, rooms: ["news"], nick: "ada" });
    await client.close();
  });

  it("numbers what is sent after the connection died but before its close event: replayed, not lost", async () => {
    const app = await start();
    const client = new WireClient(`ws://127.0.0.1:${app.address.port}/feed`);
    await client.connect(false);
    await until(() => opened.length === 1);
    const session = [...app.sessions][0]!;
    // ws answers a reset socket's error by marking itself CLOSING; its close event (which parks the
    // session) comes ticks later. A broadcast in between used to be refused and never numbered.
    const socket = (session as unknown as { transport: { rawSocket: Socket } }).transport.rawSocket;
    const gap: boolean[] = [];
    socket.once("error", () => {
      gap.push(app.sessions.has(session) && !session.isOpen());
      void app.broadcaster.broadcast("in-the-gap", { room: "news" });
    });
    await client.reset();
    await until(() => gap.length === 1);
    expect(gap).toEqual([true]);
    expect(await client.connect(true)).toMatchObject({ recovered: true, offset: 0 });
    client.send("after");
    await client.receivedCount(2);
    expect(client.received).toEqual(["in-the-gap", "echo:after:36"]);
    await client.close();
  });
});

@ServerEndpoint({ path: "/chaos", recovery: { window: "10s" } })
class ChaosEndpoint {
  @OnOpen() open(session: Session): void {
    if (!session.isRecovered()) session.join("feed");
  }
}

describe("Node client with recovery (memory store)", () => {
  it("TCP resets mid-stream: every recovered session gets each message exactly once, in order", async () => {
    const app = await bootstrap({ endpoints: [ChaosEndpoint], port: 0, host: "127.0.0.1", logger: silentLogger });
    apps.push(app);
    const proxy = await SwitchProxy.start(app.address.port);
    try {
      const clients = await connectClients(proxy, "/chaos", 10);
      await until(() => app.sessions.size === 10);
      let resets = 0;
      await publish(app, "a", "feed", 600, 20, async (i) => {
        if (i % 100 !== 99) return;
        // Every client is connected again (recovered), so each reset drops all of them mid-stream.
        await until(() => clients.every((c) => c.session!.isConnected()), 10_000);
        proxy.reset();
        resets++;
      });
      await settle(clients, 600, 10_000, [app]);
      await until(() => clients.every((c) => c.session!.isConnected()), 10_000);
      const figures = tally(clients, ["a"], 600, resets);
      console.log("recovery chaos (memory store, one node):", JSON.stringify(figures));
      expect(figures).toMatchObject({ lost: 0, duplicated: 0, reordered: 0, refused: 0 });
      expect(figures.recovered).toBe(10 * resets);
      for (const c of clients) expect(new Set(c.opens.map((o) => o.sessionId)).size).toBe(1);
      for (const c of clients) c.session!.close();
    } finally {
      await proxy.close();
    }
  }, 60_000);
});
