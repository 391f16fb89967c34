import "reflect-metadata";
import { IsString } from "class-validator";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { connect, ConnectionClosedError, LIVENESS_TIMEOUT, type BrowserClient, type BrowserConnectOptions, type ClientState } from "../../src/browser/index.js";
import { defineContract, payloadType } from "../../src/contract/index.js";
import { bootstrap, OnMessage, OnOpen, ServerEndpoint, Session, silentLogger, type ServerHandle } from "../../src/index.js";
import { until } from "../recovery/chaos-run.js";
import { SwitchProxy } from "../recovery/switch-proxy.js";
import { RawServer, stateOf } from "./support.js";

/**
 * The browser client's session recovery against a real server (the `ws` WebSocket under Node): TCP
 * resets through a proxy that can also hold back what the server sends, so the server numbers messages
 * the client never received, as on a real network.
 */
const contract = defineContract({
  client: {
    say: { payload: payloadType<{ text: string }>() },
    join: { payload: payloadType<{ room: string }>(), reply: payloadType<{ room: string }>() },
    stall: { payload: payloadType<{ text: string }>(), reply: payloadType<{ never: true }>() },
  },
  server: { tick: { payload: payloadType<{ n: number }>() } },
});
type Contract = typeof contract;

class Say {
  @IsString() text!: string;
}
class Join {
  @IsString() room!: string;
}

/** What the endpoints saw: each @OnOpen and each client message, in order. */
const opened: Array<{ id: string; recovered: boolean; rooms: string[] }> = [];
const heard: string[] = [];

@ServerEndpoint({ path: "/feed", recovery: { window: "10s" } })
class Feed {
  @OnOpen() open(session: Session): void {
    opened.push({ id: session.getId(), recovered: session.isRecovered(), rooms: [...session.getRooms()] });
    if (!session.isRecovered()) session.join("news");
  }
  @OnMessage({ type: "say" }) say(s: Say): void {
    heard.push(s.text);
  }
  @OnMessage({ type: "join" }) join(j: Join) {
    heard.push(`join:${j.room}`);
    return { type: "joined", room: j.room };
  }
  @OnMessage({ type: "stall" }) stall(s: Say): void {
    heard.push(`stall:${s.text}`);
  }
}

/** The same with application-level liveness: every `$pong` it sends is a numbered message of the session. */
@ServerEndpoint({ path: "/live", recovery: { window: "10s" }, liveness: true })
class LiveFeed extends Feed {}

@ServerEndpoint({ path: "/plain" })
class Plain {
  @OnOpen() open(session: Session): void {
    session.join("news");
  }
}

const apps: ServerHandle[] = [];
const proxies: SwitchProxy[] = [];
const raws: RawServer[] = [];
const clients: BrowserClient<Contract>[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(proxies.splice(0).map((p) => p.close()));
  await Promise.all(raws.splice(0).map((r) => r.close()));
  await Promise.all(apps.splice(0).map((a) => a.close()));
  opened.length = 0;
  heard.length = 0;
});

async function start(): Promise<ServerHandle> {
  const app = await bootstrap({ endpoints: [Feed, LiveFeed, Plain], port: 0, host: "127.0.0.1", logger: silentLogger });
  apps.push(app);
  return app;
}

async function proxyTo(app: ServerHandle): Promise<SwitchProxy> {
  const proxy = await SwitchProxy.start(app.address.port);
  proxies.push(proxy);
  return proxy;
}

function client(url: string, options: BrowserConnectOptions = {}): BrowserClient<Contract> {
  const c = connect<Contract>(url, { WebSocket, recovery: true, reconnect: { initialDelay: 20, maxDelay: 100, jitter: 0 }, ...options });
  clients.push(c);
  return c;
}

/** The next time `client` enters `state` (the current state does not count). */
function next<S extends ClientState["state"]>(c: BrowserClient<Contract>, state: S, ms = 5000): Promise<Extract<ClientState, { state: S }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${state}" within ${ms} ms (now ${JSON.stringify(c.state)})`)), ms);
    const stop = c.onState((s) => {
      if (s.state !== state) return;
      clearTimeout(timer);
      stop();
      resolve(s as Extract<ClientState, { state: S }>);
    });
  });
}

const tick = (n: number): string => JSON.stringify({ type: "tick", n });

/** Broadcasts ticks `from` … `to - 1` to the room. */
async function publish(app: ServerHandle, from: number, to: number): Promise<void> {
  for (let n = from; n < to; n++) await app.broadcaster.broadcast(tick(n), { room: "news" });
}

/** Collects the tick numbers `c` receives. */
function ticks(c: BrowserClient<Contract>): number[] {
  const got: number[] = [];
  c.on("tick", (m) => got.push(m.n));
  return got;
}

/** Sends a last tick and waits for it: anything repeated or missing before it shows in the list. */
async function fenced(app: ServerHandle, got: number[], last: number): Promise<void> {
  await publish(app, last, last + 1);
  await until(() => got.includes(last));
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/**
 * Ticks `from` … `mid - 1` are numbered but never reach the client, its link is reset, and ticks `mid` …
 * `to - 1` are published while it comes back; resolves with the `open` state it comes back in.
 */
async function dropMidStream(proxy: SwitchProxy, c: BrowserClient<Contract>, app: ServerHandle, from: number, mid: number, to: number): Promise<Extract<ClientState, { state: "open" }>> {
  proxy.freeze();
  await publish(app, from, mid);
  const back = next(c, "open");
  proxy.reset();
  await publish(app, mid, to);
  return back;
}

describe("browser client: session recovery", () => {
  it("TCP resets mid-stream: same session, its rooms, every message once and in order; held sends go out after the replay", async () => {
    const app = await start();
    const proxy = await proxyTo(app);
    const c = client(`ws://127.0.0.1:${proxy.port}/feed`);
    const got = ticks(c);
    const first = await stateOf(c, "open");
    expect(first.recovery).toMatchObject({ recovered: false, refused: undefined, offset: 0 });
    const sessionId = first.recovery!.sessionId;
    expect(c.recovery?.sessionId).toBe(sessionId);
    await until(() => opened.length === 1);
    let n = 0;
    const heldAtOpen: number[] = [];
    for (let round = 0; round < 3; round++) {
      await publish(app, n, (n += 10));
      await until(() => got.length >= n).catch(() => undefined); // the assertion shows what is missing
      expect(got).toEqual(range(n));
      // What the server sends from here on is numbered but never reaches the client, then the link dies.
      proxy.freeze();
      await publish(app, n, (n += 10));
      const away = next(c, "reconnecting");
      const back = next(c, "open");
      proxy.reset();
      expect(await away).toMatchObject({ code: 1006 });
      c.send("say", { text: `held-${round}` });
      await publish(app, n, (n += 10));
      const stop = c.onState((s) => s.state === "open" && heldAtOpen.push(c.buffered.count));
      const reopened = await back;
      stop();
      expect(reopened.recovery).toMatchObject({ sessionId, recovered: true, refused: undefined });
    }
    await fenced(app, got, n);
    expect(got).toEqual(range(n + 1));
    // The held send was still held when `open` was announced: it left after the control message.
    expect(heldAtOpen).toEqual([1, 1, 1]);
    await until(() => heard.length === 3);
    expect(heard).toEqual(["held-0", "held-1", "held-2"]);
    expect(opened.map((o) => [o.id, o.recovered, o.rooms])).toEqual([
      [sessionId, false, []],
      [sessionId, true, ["news"]],
      [sessionId, true, ["news"]],
      [sessionId, true, ["news"]],
    ]);
    expect(c.recovery).toEqual({ sessionId, recovered: true, refused: undefined, offset: n + 1 });
  });

  it("counts $pong and binary messages as the server numbers them (a miscount would repeat or skip ticks)", async () => {
    const app = await start();
    const proxy = await proxyTo(app);
    const errors: unknown[] = [];
    // Counts the `$pong`s on the wire, apart from the client under test.
    let pongs = 0;
    class Spy extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols);
        this.on("message", (data) => String(data) === '{"type":"$pong"}' && pongs++);
      }
    }
    const c = client(`ws://127.0.0.1:${proxy.port}/live`, { WebSocket: Spy, liveness: { interval: 10, timeout: 600 }, onError: (e) => errors.push(e) });
    const got = ticks(c);
    await stateOf(c, "open");
    await until(() => opened.length === 1);
    await publish(app, 0, 2);
    await app.broadcaster.broadcast(Buffer.from([1, 2, 3]), { room: "news" });
    await publish(app, 2, 4);
    await until(() => got.length === 4);
    // Liveness pings answered by the server between the ticks: each `$pong` is one offset.
    const before = pongs;
    await until(() => pongs >= before + 2);
    expect(c.recovery!.offset).toBeGreaterThanOrEqual(5 + pongs - 1);
    await publish(app, 4, 6);
    await until(() => got.length === 6);
    expect((await dropMidStream(proxy, c, app, 6, 8, 10)).recovery).toMatchObject({ recovered: true });
    await fenced(app, got, 10);
    expect(got).toEqual(range(11));
    // The binary message is not for the JSON client: reported once, and counted.
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toContain("Unreadable message");
  });

  it("a request whose reply the server sent while the link was dying is answered from the replay", async () => {
    const app = await start();
    const proxy = await proxyTo(app);
    const c = client(`ws://127.0.0.1:${proxy.port}/feed`);
    await stateOf(c, "open");
    await until(() => opened.length === 1);
    proxy.freeze();
    const reply = c.request("join", { room: "lobby" }, { timeout: 5000 });
    await until(() => heard.includes("join:lobby"));
    const back = next(c, "open");
    proxy.reset();
    expect((await back).recovery).toMatchObject({ recovered: true });
    await expect(reply).resolves.toEqual({ room: "lobby" });
  });

  it("a refused recovery (unknown-token on another node) surfaces its reason; the fresh session works and recovers in turn", async () => {
    const a = await start();
    const b = await start();
    const proxy = await proxyTo(a);
    const c = client(`ws://127.0.0.1:${proxy.port}/feed`);
    const got = ticks(c);
    const first = (await stateOf(c, "open")).recovery!;
    await until(() => opened.length === 1);
    await publish(a, 0, 3);
    await until(() => got.length === 3);
    // Never answered: with the session gone, it fails when the refusal is known.
    const stalled = c.request("stall", { text: "x" }, { timeout: 0 });
    await until(() => heard.includes("stall:x"));
    // b has its own memory store: it never issued the token.
    proxy.target = b.address.port;
    const fresh = next(c, "open");
    proxy.reset();
    const refused = (await fresh).recovery!;
    expect(refused).toMatchObject({ recovered: false, refused: "unknown-token", offset: 0 });
    expect(refused.sessionId).not.toBe(first.sessionId);
    expect(c.recovery).toEqual({ sessionId: refused.sessionId, recovered: false, refused: "unknown-token", offset: 0 });
    const error = await stalled.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect((error as ConnectionClosedError).closeCode).toBe(1006);
    await until(() => opened.length === 2);
    expect(opened[1]).toMatchObject({ id: refused.sessionId, recovered: false });
    // The new session on b: joined again by @OnOpen, and recoverable with the token b issued.
    await publish(b, 3, 6);
    await until(() => got.length === 6);
    expect((await dropMidStream(proxy, c, b, 6, 8, 10)).recovery).toMatchObject({ sessionId: refused.sessionId, recovered: true, refused: undefined });
    await fenced(b, got, 10);
    expect(got).toEqual(range(11));
  });

  it("an endpoint without recovery, and a server that does not speak it: recovery is null, messages flow", async () => {
    const app = await start();
    const c = client(`ws://127.0.0.1:${app.address.port}/plain`);
    const got = ticks(c);
    expect((await stateOf(c, "open")).recovery).toBeNull();
    expect(c.recovery).toBeNull();
    await until(() => app.sessions.size === 1);
    await publish(app, 0, 2);
    await until(() => got.length === 2);
    expect(got).toEqual([0, 1]);

    const raw = await RawServer.start();
    raws.push(raw);
    const d = client(raw.url);
    const dGot = ticks(d);
    const ws = await raw.connection(1);
    ws.send(tick(7));
    // Its first message is data, not a control message: delivered, and the client is open without recovery.
    expect((await stateOf(d, "open")).recovery).toBeNull();
    await until(() => dGot.length === 1);
    expect(dGot).toEqual([7]);
  });

  it("holds sends until the control message, and drops a connection without one after requestTimeout", async () => {
    const raw = await RawServer.start();
    raws.push(raw);
    const c = client(raw.url, { requestTimeout: 100 });
    const ws = await raw.connection(1);
    c.send("say", { text: "early" });
    expect(c.buffered.count).toBe(1);
    expect(c.state.state).toBe("connecting");
    const lost = await next(c, "reconnecting");
    expect(lost).toMatchObject({ code: LIVENESS_TIMEOUT, reason: "no recovery control message" });
    expect(raw.received).toEqual([]);
    // The next connection presents no token (none was issued) and gets the held send once its control message came.
    const second = await raw.connection(2);
    second.send(JSON.stringify({ $wse: "recovery", session: "s-1", token: "t-1", offset: 0, recovered: false }));
    expect((await stateOf(c, "open")).recovery).toEqual({ sessionId: "s-1", recovered: false, refused: undefined, offset: 0 });
    expect(JSON.parse(await raw.message(1))).toEqual({ type: "say", text: "early" });
  });
});
