import "reflect-metadata";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startChat } from "../../examples/chat/server.js";
import { silentLogger, type ServerHandle } from "../../src/index.js";
import { TestClient } from "../../src/testing/index.js";

let chat: ServerHandle | undefined;
afterEach(async () => {
  await chat?.close();
  chat = undefined;
});

/** Connects to `/chat` and sends the join request (id 1), as the page does. */
async function join(port: number, user: string): Promise<TestClient> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/chat`);
  const client = new TestClient(ws);
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  await client.send({ type: "join", nickname: user, id: 1 });
  return client;
}

type Msg = Record<string, unknown>;

/** Reads messages until one of `type` arrives (earlier ones are returned too, for ordering checks). */
async function until(c: TestClient, type: string): Promise<Msg> {
  for (;;) {
    const m = await c.nextJson<Msg>();
    if (m.type === type) return m;
  }
}

describe("chat demo end to end (real sockets)", () => {
  it("serves the page, broadcasts, delivers private messages, and counts who is online after an abrupt disconnect", async () => {
    chat = await startChat({ port: 0, host: "127.0.0.1", logger: silentLogger });
    const port = chat.address.port;
    const page = await fetch(`http://127.0.0.1:${port}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('import { connect } from "/ws-endpoints/browser.js";');
    const module = await fetch(`http://127.0.0.1:${port}/ws-endpoints/browser.js`);
    expect(module.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(await module.text()).toMatch(/^export \{[^}]*\bconnect\b/m);

    const ada = await join(port, "ada");
    expect(await ada.nextJson()).toEqual({ type: "welcome", user: "ada", online: 1, users: ["ada"], id: 1 });
    const bob = await join(port, "bob");
    expect(await bob.nextJson()).toEqual({ type: "welcome", user: "bob", online: 2, users: ["ada", "bob"], id: 1 });
    const cy = await join(port, "cy");
    expect(await cy.nextJson()).toMatchObject({ type: "welcome", online: 3 });
    expect(await until(ada, "joined")).toEqual({ type: "joined", user: "bob", online: 2 });
    expect(await until(ada, "joined")).toEqual({ type: "joined", user: "cy", online: 3 });
    expect(await until(bob, "joined")).toEqual({ type: "joined", user: "cy", online: 3 });

    await bob.send({ type: "chat", text: "hi all" });
    for (const c of [ada, bob, cy]) expect(await until(c, "chat")).toMatchObject({ from: "bob", text: "hi all" });

    await ada.send({ type: "private", to: "cy", text: "just you" });
    expect(await until(cy, "private")).toMatchObject({ from: "ada", to: "cy", text: "just you" });
    expect(await until(ada, "private")).toMatchObject({ from: "ada", to: "cy", text: "just you" });
    // bob must not see it: the next thing bob gets is the departure notice below.

    await cy.drop();
    expect(await bob.nextJson()).toEqual({ type: "left", user: "cy", online: 2 });
    expect(await until(ada, "left")).toEqual({ type: "left", user: "cy", online: 2 });

    await bob.send("{oops");
    expect(await bob.nextJson()).toMatchObject({ type: "error", code: "INVALID_JSON" });
    expect(chat.sessions.size).toBe(2);
  });

  it("online count stays exact under concurrent joins and leaves", async () => {
    chat = await startChat({ port: 0, host: "127.0.0.1", logger: silentLogger });
    const port = chat.address.port;
    const watcher = await join(port, "watcher");
    await watcher.nextJson();
    const users = Array.from({ length: 30 }, (_, i) => `u${i}`);
    const clients = await Promise.all(users.map((u) => join(port, u)));
    await Promise.all(clients.map((c, i) => (i % 2 ? c.drop() : c.close())));
    const seen: Msg[] = [];
    while (seen.filter((m) => m.type === "left").length < 30) seen.push(await watcher.nextJson<Msg>());
    // Every notice carries the count at that moment: +1 per join, -1 per leave, ending at 1.
    let online = 1;
    for (const m of seen) {
      online += m.type === "joined" ? 1 : -1;
      expect(m.online).toBe(online);
    }
    expect(online).toBe(1);
  });
});
