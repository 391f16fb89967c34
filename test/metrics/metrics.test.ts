import "reflect-metadata";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { bootstrap, InvalidOptionsError, OnError, OnMessage, PathParam, ServerEndpoint, Session, silentLogger, type ServerHandle } from "../../src/index.js";
import { metricsSnapshot } from "../../src/server/metrics-snapshot.js";
import { createEndpointServer } from "../../src/server/bootstrap.js";
import { InMemoryTransport } from "../../src/testing/in-memory-transport.js";
import { TestServer } from "../../src/testing/index.js";
import { httpGet as get } from "../support/http-get.js";

@ServerEndpoint("/m/{room}")
class Metered {
  @OnMessage() async text(text: string, session: Session, @PathParam("room") room: string): Promise<string | undefined> {
    if (text === "close") {
      session.close();
      return undefined;
    }
    await Promise.resolve();
    return `${room}:${text}`;
  }
}

@ServerEndpoint("/bin")
class Binary {
  @OnMessage() bin(data: Buffer): Buffer {
    return Buffer.concat([data, data]);
  }
}

let server: TestServer | undefined;
let handle: ServerHandle | undefined;
afterEach(async () => {
  await server?.close();
  await handle?.close();
  server = handle = undefined;
});

describe("ServerHandle.metrics()", () => {
  it("counts handshakes, messages and bytes both ways, and open sessions per endpoint", async () => {
    server = await TestServer.start([Metered, Binary]);
    const a = await server.connect("/m/lobby");
    const b = await server.connect("/m/lobby");
    const bin = await server.connect("/bin");
    await a.send("héllo"); // 6 UTF-8 bytes in; "lobby:héllo" = 12 bytes out
    expect(await a.nextText()).toBe("lobby:héllo");
    await b.send("x");
    expect(await b.nextText()).toBe("lobby:x");
    await bin.send(Buffer.from([1, 2, 3]));
    expect((await bin.next()).data).toEqual(Buffer.from([1, 2, 3, 1, 2, 3]));

    const m = server.handle.metrics();
    expect(m.endpoints["/m/{room}"]).toMatchObject({
      endpoint: "Metered",
      openSessions: 2,
      handshakesAccepted: 2,
      messagesIn: 2,
      bytesIn: 7,
      messagesOut: 2,
      bytesOut: 12 + 7,
      decodeErrors: 0,
      outboundQueued: 0,
      outboundDropped: 0,
      handlerLatency: null,
    });
    expect(m.endpoints["/bin"]).toMatchObject({ openSessions: 1, messagesIn: 1, bytesIn: 3, messagesOut: 1, bytesOut: 6 });
    expect(JSON.parse(JSON.stringify(m))).toEqual(m);
  });

  it("counts closes by code and forgets closed sessions", async () => {
    server = await TestServer.start([Metered]);
    const a = await server.connect("/m/r");
    const b = await server.connect("/m/r");
    const c = await server.connect("/m/r");
    await a.close(4001);
    await b.drop();
    await c.send("close");
    expect((await c.closed).code).toBe(1000);
    // Closes are counted when the server sees the socket close; wait for that via the open count.
    for (let i = 0; i < 100 && Object.values(server.handle.metrics().endpoints["/m/{room}"]!.closes).reduce((x, y) => x + y, 0) < 3; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const m = server.handle.metrics().endpoints["/m/{room}"]!;
    expect(m.closes).toEqual({ 4001: 1, 1006: 1, 1000: 1 });
    expect(m.openSessions).toBe(0);
  });

  it("counts refused handshakes by HTTP status", async () => {
    server = await TestServer.start([Metered]);
    await expect(server.connect("/nowhere")).rejects.toMatchObject({ status: 404 });
    await expect(server.connect("/nowhere/else")).rejects.toMatchObject({ status: 404 });
    expect(server.handle.metrics().handshakesRejected).toEqual({ 404: 2 });
  });

  it("measures handler latency into cumulative buckets only when enabled", async () => {
    server = await TestServer.start([Metered], { metrics: { latency: true } });
    const a = await server.connect("/m/x");
    for (let i = 0; i < 5; i++) {
      await a.send(`m${i}`);
      expect(await a.nextText()).toBe(`x:m${i}`);
    }
    const h = server.handle.metrics().endpoints["/m/{room}"]!.handlerLatency!;
    expect(h.count).toBe(5);
    expect(h.buckets.at(-1)).toEqual({ le: Infinity, count: 5 });
    expect(h.buckets.map((b) => b.count)).toEqual([...h.buckets.map((b) => b.count)].sort((x, y) => x - y));
    expect(h.sum).toBeGreaterThanOrEqual(0);
  });

  it("counts decode failures and sends dropped because the session closed first", async () => {
    class Strict {}
    @ServerEndpoint("/strict")
    class StrictEndpoint {
      @OnMessage() take(value: Strict, session: Session): void {
        void value;
        void session;
      }
      @OnError() failed(): void {}
    }
    const { server: es } = createEndpointServer(
      { endpoints: [StrictEndpoint], logger: silentLogger },
      { payloadFor: () => ({ kind: "text", decode: () => { throw new Error("not a Strict"); } }) },
    );
    const transport = new InMemoryTransport();
    const d = es.attach(es.endpoints[0]!, transport, { path: "/strict", query: "", headers: {}, remoteAddress: "", pathParams: {}, subprotocol: "" })!;
    d.onMessage(Buffer.from("{}"), false);
    await d.whenIdle();
    expect(metricsSnapshot(es).endpoints["/strict"]!.decodeErrors).toBe(1);

    transport.bufferedAmount = 1 << 20; // a reader far behind: the queue holds the next message
    d.session.getAsyncRemote().sendText("late");
    transport.isOpen = false; // the socket went away before the queue flushed
    await Promise.resolve();
    expect(metricsSnapshot(es).endpoints["/strict"]!.outboundDropped).toBe(1);
    d.session.getAsyncRemote().sendText("refused"); // refused at submit: the session is closed
    expect(metricsSnapshot(es).endpoints["/strict"]!.outboundDropped).toBe(2);
  });
});

describe("Prometheus exposition", () => {
  it("serves the metrics on the configured path of the same server", async () => {
    handle = await bootstrap({ endpoints: [Metered], port: 0, host: "127.0.0.1", logger: silentLogger, metrics: { latency: true, prometheusPath: "/metrics" } });
    const ws = new WebSocket(`ws://127.0.0.1:${handle.address.port}/m/p`);
    await new Promise((r) => ws.once("open", r));
    ws.send("hi");
    await new Promise((r) => ws.once("message", r));
    const res = await get(handle.address.port, "/metrics");
    expect(res.status).toBe(200);
    expect(res.type).toContain("text/plain");
    expect(res.body).toContain('ws_endpoints_open_sessions{endpoint="/m/{room}"} 1');
    expect(res.body).toContain('ws_endpoints_messages_received_total{endpoint="/m/{room}"} 1');
    expect(res.body).toContain("# TYPE ws_endpoints_handler_duration_seconds histogram");
    expect(res.body).toContain('ws_endpoints_handler_duration_seconds_bucket{endpoint="/m/{room}",le="+Inf"} 1');
    expect(res.body).toContain('ws_endpoints_handler_duration_seconds_count{endpoint="/m/{room}"} 1');
    ws.close();
    expect((await get(handle.address.port, "/other")).status).toBe(404);
  });

  it.each([
    [{ prometheusPath: "metrics" }, 'metrics.prometheusPath must be a path such as "/metrics"'],
    [{ latency: "yes" }, "metrics.latency must be a boolean"],
    [{ histogram: true }, 'unknown option "metrics.histogram"'],
  ])("rejects bad metrics options (%j)", async (metrics, message) => {
    await expect(bootstrap({ endpoints: [Metered], port: 0, metrics: metrics as never })).rejects.toThrow(InvalidOptionsError);
    await expect(bootstrap({ endpoints: [Metered], port: 0, metrics: metrics as never })).rejects.toThrow(message);
  });
});
