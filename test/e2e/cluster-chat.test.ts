import "reflect-metadata";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startClusterNode } from "../../examples/cluster-chat/node.js";
import { silentLogger, type ServerHandle } from "../../src/index.js";
import type { TestClient } from "../../src/testing/index.js";
import { openClient } from "./support/cluster.js";
import { RedisProcess } from "./support/redis-server.js";
import { redisServer } from "../support/system-packages.js";

let redis: RedisProcess;
const nodes: ServerHandle[] = [];
redisServer.guardEach();
beforeAll(async () => {
  if (redisServer.available) redis = await RedisProcess.start();
});
afterAll(async () => redis?.kill());
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.close()));
});

let prefix = 0;
async function twoNodes(): Promise<[ServerHandle, ServerHandle]> {
  const keyPrefix = `chat${++prefix}`;
  for (const name of ["A", "B"]) {
    nodes.push(await startClusterNode({ port: 0, host: "127.0.0.1", name, redis: redis.url, logger: silentLogger, broker: { keyPrefix } }));
  }
  return [nodes[0]!, nodes[1]!];
}

/** Connects to `/chat` and sends the join request (id 1), as the page does. */
async function join(node: ServerHandle, user: string): Promise<TestClient> {
  const client = await openClient(`ws://127.0.0.1:${node.address.port}/chat`);
  await client.send({ type: "join", nickname: user, id: 1 });
  return client;
}

type Msg = Record<string, unknown>;
async function until(c: TestClient, type: string): Promise<Msg> {
  for (let i = 0; i < 50; i++) {
    const m = await c.nextJson<Msg>();
    if (m.type === type) return m;
  }
  throw new Error(`no ${type} message`);
}

describe("cluster chat example: two nodes over Redis", () => {
  it("serves the chat page on each node, naming the node", async () => {
    const [a, b] = await twoNodes();
    for (const [node, name] of [[a, "A"], [b, "B"]] as const) {
      const res = await fetch(`http://127.0.0.1:${node.address.port}/`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain(`· node ${name}</title>`);
    }
  });

  it("shows a message typed on node A on node B, counts users globally and delivers private messages across nodes", async () => {
    const [a, b] = await twoNodes();
    const ada = await join(a, "ada");
    expect(await ada.nextJson()).toEqual({ type: "welcome", user: "ada", online: 1, users: ["ada"], id: 1 });
    const bob = await join(b, "bob");
    // ada's "joined" notice travels through Redis and may still be on its way: bob, already in the
    // lobby while his welcome is computed, can receive it first.
    expect(await until(bob, "welcome")).toEqual({ type: "welcome", user: "bob", online: 2, users: ["ada", "bob"], id: 1 });
    expect(await until(ada, "joined")).toEqual({ type: "joined", user: "bob", online: 2 });

    await ada.send({ type: "chat", text: "hello from A" });
    expect(await until(bob, "chat")).toMatchObject({ from: "ada", text: "hello from A" });
    expect(await until(ada, "chat")).toMatchObject({ from: "ada", text: "hello from A" });

    const cy = await join(a, "cy");
    expect(await until(cy, "welcome")).toMatchObject({ online: 3, users: ["ada", "bob", "cy"] });
    await bob.send({ type: "private", to: "cy", text: "psst" });
    expect(await until(cy, "private")).toMatchObject({ from: "bob", to: "cy", text: "psst" });
    expect(await until(bob, "private")).toMatchObject({ from: "bob", to: "cy", text: "psst" });

    await bob.send({ type: "private", to: "nobody", text: "?" });
    expect(await until(bob, "error")).toMatchObject({ code: "USER_OFFLINE" });

    await cy.drop();
    expect(await until(bob, "left")).toEqual({ type: "left", user: "cy", online: 2 });
    expect(await until(ada, "left")).toEqual({ type: "left", user: "cy", online: 2 });
    // ada never saw the private message: the next chat message is the next thing after the notices.
    await bob.send({ type: "chat", text: "bye" });
    expect(await ada.nextJson()).toMatchObject({ type: "chat", from: "bob", text: "bye" });
    await Promise.all([ada.drop(), bob.drop()]);
  });

  it("answers a join with a nickname already online on the other node with NICKNAME_TAKEN", async () => {
    const [a, b] = await twoNodes();
    const ada = await join(a, "ada");
    await until(ada, "welcome");
    const again = await join(b, "ada");
    expect(await again.nextJson()).toEqual({ type: "error", code: "NICKNAME_TAKEN", message: 'nickname "ada" is already in use', id: 1 });
    await Promise.all([ada.drop(), again.drop()]);
  });
});
