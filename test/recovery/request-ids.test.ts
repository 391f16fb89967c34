import "reflect-metadata";
import { afterEach, describe, expect, it } from "vitest";
import { bootstrap, OnMessage, ServerEndpoint, silentLogger, Session, type ServerHandle } from "../../src/index.js";
import { WireClient } from "./wire-client.js";
import { until } from "./chaos-run.js";

// A server request (`session.request`) that reached the client before its connection dropped can still be
// answered after the session is recovered. Its id must not name a request of the recovered session: each
// recovered session object starts its ids past every message the session sent before.

const answers: unknown[] = [];

@ServerEndpoint({ path: "/ask", recovery: { window: "5s" } })
class Asker {
  @OnMessage() async ask(text: string, session: Session): Promise<void> {
    try {
      answers.push(await session.request("confirm", { question: text }, { timeout: 10_000 }));
    } catch (error) {
      answers.push((error as Error).name);
    }
  }
}

const apps: ServerHandle[] = [];
afterEach(async () => {
  answers.length = 0;
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

const idOf = (text: string): string => (JSON.parse(text) as { id: string }).id;

describe("server request ids across a recovery", () => {
  it("a recovered session's request gets an id the dropped connection never used; a late answer to the old one settles nothing", async () => {
    const app = await bootstrap({ endpoints: [Asker], port: 0, host: "127.0.0.1", logger: silentLogger });
    apps.push(app);
    const client = new WireClient(`ws://127.0.0.1:${app.address.port}/ask`);
    await client.connect(false);
    client.send("before");
    await client.receivedCount(1);
    const old = idOf(client.received[0]!);
    await client.reset();
    // The old session object is gone: its request fails with the session.
    await until(() => answers.length === 1);
    expect(answers).toEqual(["SessionClosedError"]);
    expect(await client.connect(true)).toMatchObject({ recovered: true, offset: 1 });
    client.send("after");
    await client.receivedCount(2);
    const fresh = idOf(client.received[1]!);
    expect(fresh).not.toBe(old);
    // The client answers the request it saw before the drop, then the new one.
    client.send(JSON.stringify({ type: "$reply", id: old, ok: true, data: "answer to before" }));
    client.send(JSON.stringify({ type: "$reply", id: fresh, ok: true, data: "answer to after" }));
    await until(() => answers.length === 2);
    expect(answers).toEqual(["SessionClosedError", "answer to after"]);
  });
});
