import "reflect-metadata";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { bootstrap, OnMessage, ServerEndpoint, type ServerHandle } from "../../src/index.js";
import { TestServer } from "../../src/testing/index.js";
import { serveOnExistingServer } from "../../examples/handshake/attached-server.js";
import { hardened } from "../../examples/handshake/hardened-options.js";
import { MeEndpoint } from "../../examples/handshake/token-auth.js";
import { OrdersEndpoint } from "../../examples/reliability/orders.js";
import { exitGracefully } from "../../examples/reliability/shutdown.js";
import { TickerEndpoint } from "../../examples/reliability/ticker.js";
import { rawRequest, upgradeRequest } from "../support/raw-http.js";

const ROOT = pathToFileURL(`${resolve(__dirname, "../..")}/`);

/** Every `<!-- snippet: path -->` block in a guide, with the file it claims to show. */
function snippets(doc: string): Array<{ path: string; shown: string }> {
  const text = readFileSync(new URL(doc, ROOT), "utf8");
  return [...text.matchAll(/<!-- snippet: (\S+) -->\n```ts\n([\s\S]*?)\n```/g)].map((m) => ({ path: m[1]!, shown: m[2]! }));
}

describe("guides show the example files verbatim (the files are compiled by lint and run below)", () => {
  it.each([["docs/security.md"], ["docs/reliability.md"]])("%s", (doc) => {
    const found = snippets(doc);
    expect(found.length).toBeGreaterThanOrEqual(3);
    for (const { path, shown } of found) {
      const source = readFileSync(new URL(path, ROOT), "utf8").replaceAll('"../../src/index.js"', '"ws-endpoints"').trimEnd();
      expect(shown, path).toBe(source);
    }
  });
});

let server: TestServer | undefined;
let app: ServerHandle | undefined;
afterEach(async () => {
  await server?.close();
  await app?.close();
  server = undefined;
  app = undefined;
});

describe("the snippets work", () => {
  it("token-auth: 401 without a token; the principal answers with a cookie or query token", async () => {
    server = await TestServer.start([MeEndpoint], { heartbeatInterval: 0 });
    expect((await rawRequest(server.handle.address.port, upgradeRequest("/me"))).status).toBe(401);
    for (const [path, headers] of [["/me", { Cookie: "session=secret-token" }], ["/me?token=secret-token", {}]] as const) {
      const c = await server.connect(path, { headers });
      await c.send("?");
      expect(await c.nextText()).toBe("you are Ada");
      await c.close();
    }
  });

  it("hardened-options: valid, and a foreign origin is refused", async () => {
    @ServerEndpoint("/h")
    class H {
      @OnMessage() echo(t: string) {
        return t;
      }
    }
    app = await bootstrap({ ...hardened, endpoints: [H], port: 0, host: "127.0.0.1", heartbeatInterval: 0 });
    expect((await rawRequest(app.address.port, upgradeRequest("/h", { Origin: "https://evil.example" }))).status).toBe(403);
    const ok = await rawRequest(app.address.port, upgradeRequest("/h", { Origin: "https://shop.example.com" }));
    expect(ok.status).toBe(101);
    ok.socket.destroy();
  });

  it("attached-server: plain HTTP and WebSockets share the server", async () => {
    app = await serveOnExistingServer(0);
    const port = app.address.port;
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe("hello over plain HTTP");
    const ws = new WebSocket(`ws://127.0.0.1:${port}/me?token=secret-token`);
    const reply = await new Promise<string>((resolve, reject) => {
      ws.once("open", () => ws.send("?"));
      ws.once("message", (d) => resolve(String(d)));
      ws.once("error", reject);
    });
    expect(reply).toBe("you are Ada");
    ws.terminate();
    await app.close();
    await new Promise<void>((r) => app!.server.close(() => r()));
    app = undefined;
  });

  it("ticker and orders: published prices and confirmations arrive", async () => {
    server = await TestServer.start([TickerEndpoint, OrdersEndpoint], { heartbeatInterval: 0 });
    const t = await server.connect("/ticker");
    const o = await server.connect("/orders");
    for (let i = 0; i < 50 && TickerEndpoint.subscribers.size === 0; i++) await new Promise((r) => setImmediate(r));
    TickerEndpoint.publish(101.5);
    expect(await t.nextText()).toBe("101.5");
    await o.send("A-1");
    expect(await o.nextText()).toBe("confirmed A-1");
  });

  it("shutdown: registers one listener per signal", () => {
    const before = process.listeners("SIGUSR2");
    exitGracefully({} as ServerHandle, ["SIGUSR2"]);
    const added = process.listeners("SIGUSR2").filter((l) => !before.includes(l));
    expect(added).toHaveLength(1);
    process.off("SIGUSR2", added[0]!);
  });
});
