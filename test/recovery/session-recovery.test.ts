import "reflect-metadata";
import { afterEach, describe, expect, it } from "vitest";
import { bootstrap, OnMessage, OnOpen, ServerEndpoint, silentLogger, Session, type ServerHandle } from "../../src/index.js";
import { WireClient } from "./wire-client.js";

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
    await expectEventually(() => opened.length === 1);
    for (let i = 0; i < 5; i++) await app.broadcaster.broadcast(`m${i}`, { room: "news" });
    await client.receivedCount(5);
    await client.reset();
    for (let i = 5; i < 10; i++) await app.broadcaster.broadcast(`m${i}`, { room: "news" });
    const again = await client.connect(true);
    expect(again).toMatchObject({ session: first.session, recovered: true, offset: 5 });
    expect(again.token).not.toBe(first.token);
    client.send("hi");
    await client.receivedCount(11);
    expect(client.received).toEqual([...Array.from({ length: 10 }, (_, i) => `m${i}`), "echo:hi:36"]);
    expect(opened[1]).toEqual({ id: first.session, recovered: true, rooms: ["news"], nick: "ada" });
    await client.close();
  });
});

async function expectEventually(check: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}
