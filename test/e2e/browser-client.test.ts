import "reflect-metadata";
import { IsString, Length } from "class-validator";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createTcpServer, type AddressInfo, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { BrowserClient } from "../../src/browser/index.js";
import { bootstrap, OnMessage, OnOpen, ServerEndpoint, Session, silentLogger, type ServerHandle } from "../../src/index.js";
import { RawServer } from "../browser/support.js";
import { SwitchProxy } from "../recovery/switch-proxy.js";
import { CHROMIUM, chromium as chromiumPackage } from "../support/system-packages.js";

/**
 * ws-endpoints/browser in headless Chromium: the built ES module (dist/browser/index.js) loaded by a page,
 * against a bootstrap server, raw ws servers for the protocol parts that server does not speak on this
 * branch ($reply), and a raw TCP server that completes the upgrade and then says nothing.
 */
const ROOT = join(__dirname, "..", "..");
let context: BrowserContext;
let profile: string;
let http: Server;
let origin: string;
const cleanups: Array<() => Promise<unknown> | unknown> = [];

beforeAll(async () => {
  if (!chromiumPackage.available) return;
  const client = readFileSync(join(ROOT, "dist", "browser", "index.js"), "utf8");
  http = createHttpServer((req, res) => {
    const js = req.url === "/client.js";
    res.writeHead(200, { "Content-Type": js ? "text/javascript" : "text/html" });
    // The page imports the module as an application would; tests reach it through globalThis.wse.
    res.end(js ? client : '<!DOCTYPE html><title>browser client</title><script type="module">import * as wse from "/client.js"; globalThis.wse = wse;</script>');
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  profile = mkdtempSync(join(tmpdir(), "wse-chromium-"));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    timeout: 60_000,
  });
}, 90_000);

afterAll(async () => {
  await context?.close();
  await new Promise((resolve) => (http ? http.close(resolve) : resolve(undefined)));
  if (profile) rmSync(profile, { recursive: true, force: true });
});

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

class Join {
  @IsString() @Length(1, 16) room!: string;
}
class Say {
  @IsString() text!: string;
}
/** What the restart test's server received, across both server instances. */
const said: string[] = [];

@ServerEndpoint("/app")
class App {
  @OnMessage({ type: "join" }) join(j: Join) {
    return { type: "joined", room: j.room, online: 1 };
  }
  @OnMessage({ type: "stall" }) stall(_j: Join): void {}
  @OnMessage({ type: "say" }) say(s: Say) {
    said.push(s.text);
  }
}

/** Session recovery: a session joins "news" once; a recovered one keeps it. */
@ServerEndpoint({ path: "/news", recovery: { window: "30s" } })
class News {
  @OnOpen() open(session: Session): void {
    if (!session.isRecovered()) session.join("news");
  }
}

async function serve(port = 0): Promise<ServerHandle> {
  // The test page comes from another port: allow its origin, as an app serving its page elsewhere would.
  const handle = await bootstrap({ endpoints: [App, News], port, host: "127.0.0.1", logger: silentLogger, allowedOrigins: [origin] });
  cleanups.push(() => handle.close());
  return handle;
}

/** The page's globals, as the tests use them. */
interface PageGlobals {
  wse: typeof import("../../src/browser/index.js");
  client: BrowserClient & {
    request(type: string, payload: unknown, options?: { timeout?: number }): Promise<unknown>;
    send(type: string, payload: unknown): void;
    handle(type: string, handler: (payload: { question: string }) => unknown): () => void;
  };
  states: Array<Record<string, unknown>>;
}

/**
 * A page with the client connected to `url` as `window.client`; every state change is pushed to
 * `window.states`. `options` are connect's (JSON only).
 */
async function pageWithClient(url: string, options: Record<string, unknown> = {}): Promise<Page> {
  const page = await context.newPage();
  cleanups.push(() => page.close());
  await page.goto(origin);
  await page.waitForFunction(() => "wse" in globalThis);
  await page.evaluate(
    ([u, o]) => {
      const g = globalThis as unknown as PageGlobals;
      g.states = [];
      g.client = g.wse.connect(u, o) as PageGlobals["client"];
      g.client.onState((s) => g.states.push(s));
    },
    [url, options] as const,
  );
  return page;
}

type Outcome = { ok: true; value: unknown } | { ok: false; name: string; code: string; message: string; errors?: unknown; accepted?: unknown };

/** Runs client.request in the page and reports how it settled. */
function request(page: Page, type: string, payload: unknown, timeout?: number): Promise<Outcome> {
  return page.evaluate(
    async ([t, p, ms]) => {
      const client = (globalThis as unknown as PageGlobals).client;
      try {
        return { ok: true as const, value: await client.request(t, p, ms === undefined ? undefined : { timeout: ms }) };
      } catch (e) {
        const x = e as { name: string; code: string; message: string; errors?: unknown; accepted?: unknown };
        return { ok: false as const, name: x.name, code: x.code, message: x.message, errors: x.errors, accepted: x.accepted };
      }
    },
    [type, payload, timeout] as const,
  );
}

const statesOf = (page: Page) => page.evaluate(() => (globalThis as unknown as PageGlobals).states);

describe("ws-endpoints/browser in headless Chromium", () => {
  chromiumPackage.guardEach();

  it("request/response: a reply, an error reply with the server's details, and a timeout", async () => {
    const server = await serve();
    const page = await pageWithClient(`ws://127.0.0.1:${server.address.port}/app`);
    expect(await request(page, "join", { room: "lobby" })).toEqual({ ok: true, value: { room: "lobby", online: 1 } });
    const invalid = await request(page, "join", { room: "" });
    expect(invalid).toMatchObject({ ok: false, name: "RequestError", code: "VALIDATION_FAILED", errors: [{ path: "room" }] });
    expect(await request(page, "nope", {})).toMatchObject({ ok: false, code: "UNKNOWN_MESSAGE_TYPE", accepted: ["join", "stall", "say"] });
    expect(await request(page, "stall", { room: "x" }, 200)).toEqual({
      ok: false, name: "RequestTimeoutError", code: "REQUEST_TIMEOUT", message: 'No reply to "stall" within 200 ms.', errors: undefined, accepted: undefined,
    });
  }, 60_000);

  it("answers a server → client request through the page's handler ($reply)", async () => {
    const raw = await RawServer.start();
    cleanups.push(() => raw.close());
    const page = await pageWithClient(raw.url);
    await page.evaluate(() => {
      const g = globalThis as unknown as PageGlobals & { navigator: { userAgent: string } };
      g.client.handle("confirm", async (p) => ({ yes: p.question.endsWith("?"), by: g.navigator.userAgent.includes("Chrome") ? "chromium" : "?" }));
    });
    const ws = await raw.connection(1);
    ws.send(JSON.stringify({ type: "confirm", id: "s1", question: "delete?" }));
    ws.send(JSON.stringify({ type: "unhandled", id: "s2" }));
    expect(JSON.parse(await raw.message(1))).toEqual({ type: "$reply", id: "s1", ok: true, data: { yes: true, by: "chromium" } });
    expect(JSON.parse(await raw.message(2))).toMatchObject({ type: "$reply", id: "s2", ok: false, error: { code: "NO_HANDLER" } });
  }, 60_000);

  it("detects a dead connection: the server completed the upgrade and went silent", async () => {
    const sockets: Socket[] = [];
    let bytesAfterUpgrade = 0;
    const tcp = createTcpServer((socket) => {
      sockets.push(socket);
      let upgraded = false;
      socket.on("data", (chunk) => {
        if (upgraded) return void (bytesAfterUpgrade += chunk.length);
        const key = /sec-websocket-key:\s*(\S+)/i.exec(chunk.toString("latin1"))?.[1] ?? "";
        const accept = createHash("sha1").update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
        socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
        upgraded = true; // from here on: read everything, answer nothing
      });
      socket.on("error", () => {});
    });
    await new Promise<void>((resolve) => tcp.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      tcp.close(resolve);
    }));
    const url = `ws://127.0.0.1:${(tcp.address() as AddressInfo).port}/`;
    const page = await pageWithClient(url, { liveness: { interval: 300, timeout: 300 }, reconnect: { initialDelay: 100, jitter: 0 } });
    await expect.poll(async () => (await statesOf(page)).find((s) => s.state === "reconnecting"), { timeout: 10_000 }).toEqual({
      state: "reconnecting", attempt: 1, delay: 100, code: 4000, reason: "liveness timeout",
    });
    expect((await statesOf(page)).map((s) => s.state).slice(0, 2)).toEqual(["open", "reconnecting"]);
    expect(bytesAfterUpgrade).toBeGreaterThan(0); // the $ping frame, unanswered
    await expect.poll(() => sockets.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2); // and it reconnected
  }, 60_000);

  it("reconnects after a server restart; sends made during the outage arrive in order", async () => {
    said.length = 0;
    let server = await serve();
    const port = server.address.port;
    const page = await pageWithClient(`ws://127.0.0.1:${port}/app`, { reconnect: { initialDelay: 100, maxDelay: 400 } });
    await expect.poll(async () => (await statesOf(page)).at(-1)?.state).toBe("open");
    await page.evaluate(() => (globalThis as unknown as PageGlobals).client.send("say", { text: "before" }));
    await expect.poll(() => said.length).toBe(1);
    await server.close();
    await expect.poll(async () => (await statesOf(page)).some((s) => s.state === "reconnecting")).toBe(true);
    const buffered = await page.evaluate(() => {
      const client = (globalThis as unknown as PageGlobals).client;
      for (let i = 1; i <= 5; i++) client.send("say", { text: `during ${i}` });
      return client.buffered.count;
    });
    expect(buffered).toBe(5);
    server = await serve(port);
    await expect.poll(() => said.length, { timeout: 15_000 }).toBe(6);
    expect(said).toEqual(["before", "during 1", "during 2", "during 3", "during 4", "during 5"]);
    expect((await statesOf(page)).at(-1)).toEqual({ state: "open" });
  }, 60_000);

  it("session recovery: after a drop, what was published meanwhile arrives once and in order, in the same session", async () => {
    const server = await serve();
    const proxy = await SwitchProxy.start(server.address.port);
    cleanups.push(() => proxy.close());
    const page = await pageWithClient(`ws://127.0.0.1:${proxy.port}/news`, { recovery: true, reconnect: { initialDelay: 50, maxDelay: 400, jitter: 0 } });
    await page.evaluate(() => {
      const g = globalThis as unknown as PageGlobals & { ticks: number[] };
      g.ticks = [];
      g.client.on("tick", (m) => g.ticks.push((m as { n: number }).n));
    });
    const ticks = () => page.evaluate(() => (globalThis as unknown as { ticks: number[] }).ticks);
    const opens = async () => (await statesOf(page)).filter((s) => s.state === "open").map((s) => s["recovery"] as { sessionId: string; recovered: boolean });
    await expect.poll(async () => (await opens()).length, { timeout: 10_000 }).toBe(1);
    await expect.poll(() => server.sessions.size).toBe(1);
    const publish = async (from: number, to: number) => {
      for (let n = from; n < to; n++) await server.broadcaster.broadcast(JSON.stringify({ type: "tick", n }), { room: "news" });
    };
    await publish(0, 10);
    await expect.poll(async () => (await ticks()).length).toBe(10);
    // The server keeps writing, but nothing reaches the page; then the connection is cut (RST both ways).
    proxy.freeze();
    await publish(10, 20);
    proxy.reset();
    await expect.poll(async () => (await statesOf(page)).some((s) => s.state === "reconnecting")).toBe(true);
    await publish(20, 30);
    await expect.poll(async () => (await opens()).length, { timeout: 15_000 }).toBe(2);
    await publish(30, 31);
    await expect.poll(async () => (await ticks()).includes(30), { timeout: 10_000 }).toBe(true);
    expect(await ticks()).toEqual(Array.from({ length: 31 }, (_, n) => n));
    const [first, second] = await opens();
    expect(first).toMatchObject({ recovered: false, offset: 0 });
    expect(second).toEqual({ sessionId: first!.sessionId, recovered: true, refused: undefined, offset: 10 });
  }, 60_000);
});
