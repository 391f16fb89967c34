import "reflect-metadata";
import { afterEach, describe, expect, it } from "vitest";
import { bootstrap, Configurator, EndpointDefinitionError, OnOpen, ServerEndpoint, Session, silentLogger, type HandshakeRequest, type ServerHandle } from "../../src/index.js";
import { MemoryRecoveryStore } from "../../src/recovery/memory-store.js";
import { RecoveryRefusals } from "../../src/contract/recovery-wire.js";
import { WireClient } from "./wire-client.js";
import { until } from "./chaos-run.js";

/** The principal is the `user` query parameter. */
class QueryUser extends Configurator {
  override authenticate(request: HandshakeRequest): unknown {
    return { id: request.queryParameters.get("user") ?? "anonymous" };
  }
}

@ServerEndpoint({ path: "/short", recovery: { window: 300, maxMessages: 5 }, configurator: QueryUser })
class ShortWindow {
  @OnOpen() open(session: Session): void {
    if (!session.isRecovered()) session.join("r");
  }
}

@ServerEndpoint({ path: "/auth", recovery: { window: "1m" }, configurator: QueryUser })
class Authenticated {}

let acceptVerdict = true;
@ServerEndpoint({ path: "/guarded", recovery: { window: "1m", accept: () => acceptVerdict } })
class Guarded {
  @OnOpen() open(session: Session): void {
    session.join("g");
  }
}

@ServerEndpoint({ path: "/none" })
class NoRecovery {}

const apps: ServerHandle[] = [];
afterEach(async () => {
  acceptVerdict = true;
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

async function start(store?: MemoryRecoveryStore): Promise<ServerHandle> {
  const app = await bootstrap({ endpoints: [ShortWindow, Guarded, NoRecovery, Authenticated], port: 0, host: "127.0.0.1", logger: silentLogger, recoveryStore: store });
  apps.push(app);
  return app;
}

async function dropped(app: ServerHandle, path: string, sends = 0, room = "r"): Promise<WireClient> {
  const c = new WireClient(`ws://127.0.0.1:${app.address.port}${path}`);
  await c.connect(false);
  await until(() => app.sessions.size > 0);
  for (let i = 0; i < sends; i++) await app.broadcaster.broadcast(`m${i}`, { room });
  await c.receivedCount(sends);
  await c.reset();
  await until(() => app.sessions.size === 0);
  return c;
}

describe("recovery refusals: the client gets a new session and the reason", () => {
  it("window passed → expired", async () => {
    // The store's clock is moved past the 300 ms window instead of waiting for it.
    let now = Date.now();
    const app = await start(new MemoryRecoveryStore({}, () => now));
    const c = await dropped(app, "/short?user=ada");
    now += 299;
    const d = new WireClient(`ws://127.0.0.1:${app.address.port}/short?user=ada`);
    d.offset = c.offset;
    expect(await d.connect(true, c.control!.token)).toMatchObject({ recovered: true });
    await d.reset();
    await until(() => app.sessions.size === 0);
    now += 400;
    const control = await c.connect(true);
    expect(control).toMatchObject({ recovered: false, refused: RecoveryRefusals.EXPIRED, offset: 0 });
    await c.close();
  });

  it("messages trimmed by maxMessages → trimmed", async () => {
    const app = await start();
    const c = await dropped(app, "/short?user=ada", 1);
    for (let i = 1; i < 10; i++) await app.broadcaster.broadcast(`m${i}`, { room: "r" });
    const control = await c.connect(true);
    expect(control).toMatchObject({ recovered: false, refused: RecoveryRefusals.TRIMMED });
    await c.close();
  });

  it("a token never issued → unknown-token; a bad offset → invalid-offset", async () => {
    const app = await start();
    const c = new WireClient(`ws://127.0.0.1:${app.address.port}/short?user=ada`);
    expect(await c.connect(true, "made-up-token")).toMatchObject({ recovered: false, refused: RecoveryRefusals.UNKNOWN_TOKEN });
    await c.close();
    const d = await dropped(app, "/short?user=ada");
    d.offset = 99;
    expect(await d.connect(true)).toMatchObject({ recovered: false, refused: RecoveryRefusals.INVALID_OFFSET });
    await d.close();
  });

  it("the token of another principal → principal-mismatch, and the owner can still recover", async () => {
    const app = await start();
    const ada = await dropped(app, "/auth?user=ada");
    const token = ada.control!.token;
    const mallory = new WireClient(`ws://127.0.0.1:${app.address.port}/auth?user=mallory`);
    const refused = await mallory.connect(true, token);
    expect(refused).toMatchObject({ recovered: false, refused: RecoveryRefusals.PRINCIPAL_MISMATCH });
    // A new session of mallory's own: nothing of ada's, not even her token.
    expect(refused.session).not.toBe(ada.control!.session);
    expect(refused.token).not.toBe(token);
    await mallory.close();
    const adaSession = ada.control!.session;
    expect(await ada.connect(true)).toMatchObject({ recovered: true, session: adaSession });
    await ada.close();
  });

  it("a token of another endpoint → endpoint-mismatch; recovery.accept false → refused-by-endpoint", async () => {
    const app = await start();
    const g = await dropped(app, "/guarded", 0, "g");
    const other = new WireClient(`ws://127.0.0.1:${app.address.port}/short?user=anonymous`);
    expect(await other.connect(true, g.control!.token)).toMatchObject({ refused: RecoveryRefusals.ENDPOINT_MISMATCH });
    await other.close();
    acceptVerdict = false;
    expect(await g.connect(true)).toMatchObject({ recovered: false, refused: RecoveryRefusals.REFUSED_BY_ENDPOINT });
    await g.close();
  });

  it("an endpoint without recovery answers that it has none; a client that does not ask gets no control message", async () => {
    const app = await start();
    const c = new WireClient(`ws://127.0.0.1:${app.address.port}/none`);
    await expect(c.connect(false)).rejects.toThrow(/"unsupported":true/);
  });

  it("bad recovery options fail bootstrap naming the field", async () => {
    @ServerEndpoint({ path: "/bad", recovery: { window: "soon" as "1m", maxMessages: 0 } })
    class Bad {}
    @ServerEndpoint({ path: "/bad2", recovery: { window: "2m" }, outbound: { policy: "drop-oldest" } })
    class Bad2 {}
    const error = await bootstrap({ endpoints: [Bad, Bad2], port: 0, logger: silentLogger }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EndpointDefinitionError);
    const message = (error as Error).message;
    expect(message).toContain('recovery.window must be a positive duration like "500ms", "30s", "2m" or "1h"');
    expect(message).toContain("recovery.maxMessages must be a positive integer; got 0");
    expect(message).toContain('recovery cannot be combined with outbound.policy "drop-oldest"');
  });
});

describe("memory store bounds", () => {
  it("holds at most maxBytes over all sessions: the oldest parked session is evicted first", async () => {
    const store = new MemoryRecoveryStore({ maxBytes: 4096, maxSessions: 100 });
    const app = await start(store);
    const first = await dropped(app, "/short?user=a", 3);
    await dropped(app, "/short?user=b", 0);
    // 3 × (1 KiB + overhead) parked for the first session; the second fills the store past 4 KiB.
    const big = "x".repeat(1024);
    const c = new WireClient(`ws://127.0.0.1:${app.address.port}/short?user=c`);
    await c.connect(false);
    await until(() => app.sessions.size === 1);
    for (let i = 0; i < 4; i++) await app.broadcaster.broadcast(big, { room: "r" });
    await c.receivedCount(4);
    const stats = app.metrics().recovery;
    expect(stats.storeBytes).toBeLessThanOrEqual(4096);
    expect(stats.storeMaxBytes).toBe(4096);
    expect(stats.evicted).toBeGreaterThan(0);
    expect(await first.connect(true)).toMatchObject({ recovered: false, refused: RecoveryRefusals.TRIMMED });
    await first.close();
    await c.close();
  });
});
