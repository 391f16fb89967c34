import "reflect-metadata";
import { afterEach, describe, expect, it } from "vitest";
import { container, injectable, Lifecycle, scoped, singleton } from "tsyringe";
import { OnClose, OnMessage, OnOpen, ServerEndpoint, Session } from "../../src/index.js";
import { EndpointHarness, TestServer } from "../../src/testing/index.js";

@singleton()
class Counter {
  static created = 0;
  disposed = false;
  value = 0;
  constructor() {
    Counter.created++;
  }
  dispose() {
    this.disposed = true;
  }
}

@scoped(Lifecycle.ContainerScoped)
class PerConnection {
  static created = 0;
  readonly id = ++PerConnection.created;
}

@injectable()
class UsesSession {
  constructor(readonly session: Session) {}
}

@ServerEndpoint("/di")
class DiEndpoint {
  constructor(
    private readonly counter: Counter,
    private readonly perConnection: PerConnection,
    private readonly again: PerConnection,
    private readonly usesSession: UsesSession,
  ) {}

  @OnOpen() open(session: Session) {
    session.getAsyncRemote().sendObject({
      count: ++this.counter.value,
      perConnection: this.perConnection.id,
      sameWithinConnection: this.perConnection === this.again,
      sessionInjected: this.usesSession.session === session,
    });
  }
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("dependency injection", () => {
  it("shares @singleton services, scopes container-scoped ones per connection, and injects the Session", async () => {
    server = await TestServer.start([DiEndpoint]);
    const a = await (await server.connect("/di")).nextJson<Record<string, unknown>>();
    const b = await (await server.connect("/di")).nextJson<Record<string, unknown>>();
    expect(b.count).toBe((a.count as number) + 1);
    expect(a.perConnection).not.toBe(b.perConnection);
    expect(a).toMatchObject({ sameWithinConnection: true, sessionInjected: true });
    expect(Counter.created).toBe(1);
  });

  it("releasing a connection never disposes a shared singleton (STYLE rule 15)", async () => {
    server = await TestServer.start([DiEndpoint]);
    const c = await server.connect("/di");
    await c.nextJson();
    await c.close();
    await server.close();
    server = undefined;
    expect(container.resolve(Counter).disposed).toBe(false);
  });
});

@ServerEndpoint("/cycle")
class Cycle {
  static live = 0;
  static finalized = 0;
  static readonly registry = new FinalizationRegistry(() => Cycle.finalized++);
  constructor() {
    Cycle.live++;
    Cycle.registry.register(this, null);
  }
  @OnMessage() m(text: string) {
    return text;
  }
  @OnClose() close() {
    Cycle.live--;
  }
}

describe("per-connection release", () => {
  it("10,000 open/close cycles leave no session, instance or open-session entry behind", async () => {
    const harness = EndpointHarness.create(Cycle);
    for (let i = 0; i < 10_000; i++) {
      const conn = await harness.connect();
      if (i % 1000 === 0) await conn.receive("ping");
      await (i % 2 === 0 ? conn.close(1000) : conn.drop());
    }
    expect(Cycle.live).toBe(0);
    expect(harness.openSessions.size).toBe(0);
    // The server-side registry is what would leak; it must be empty.
    expect((harness as unknown as { server: { sessions: Set<unknown> } }).server.sessions.size).toBe(0);
    const gc = (globalThis as { gc?: () => void }).gc;
    expect(typeof gc, "vitest.config.mts runs tests with --expose-gc").toBe("function");
    // Instances are collectable once released: nearly all must be finalized after a few collections.
    for (let i = 0; i < 5 && Cycle.finalized < 9_000; i++) {
      gc!();
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(Cycle.finalized).toBeGreaterThanOrEqual(9_000);
  });

  it("1,000 real socket open/close cycles return the server to zero sessions", async () => {
    server = await TestServer.start([Cycle]);
    for (let i = 0; i < 1000; i += 50) {
      const batch = await Promise.all(Array.from({ length: 50 }, () => server!.connect("/cycle")));
      await Promise.all(batch.map((c, j) => (j % 2 ? c.close() : c.drop())));
    }
    for (let i = 0; i < 200 && server.handle.sessions.size > 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(server.handle.sessions.size).toBe(0);
  });
});
