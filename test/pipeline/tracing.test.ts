import "reflect-metadata";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { IsString } from "class-validator";
import WebSocket from "ws";
import { bootstrap, Broadcaster, CloseCodes, CloseReason, OnClose, OnMessage, ServerEndpoint, Session, silentLogger, type ServerHandle } from "../../src/index.js";
import { Guard } from "../../src/pipeline/index.js";
import { RedisBroker } from "../../src/redis/index.js";
import { TestClient } from "../../src/testing/index.js";
import { installTestTracing, type TestTracing } from "../support/otel.js";
import { serverPerTest } from "../support/server-per-test.js";

// Issue #22: with bootstrap({ tracing: true }) and @opentelemetry/api, a span per handshake and per
// handled message (collected by the SDK's in-memory exporter), and a broadcast delivered on another
// node (over the real Redis on 127.0.0.1:6379) joins the sender's trace.

let otel: TestTracing;
beforeAll(() => void (otel = installTestTracing()));
afterAll(() => otel.uninstall());
beforeEach(() => otel.exporter.reset());

const servers = serverPerTest();

class Say {
  @IsString() text!: string;
}

@ServerEndpoint("/rooms/{room}")
class Traced {
  @OnMessage({ type: "say" }) say(m: Say) {
    if (m.text === "fail") throw new Error("handler failed");
    return { type: "said", text: m.text };
  }
  @Guard(() => false)
  @OnMessage({ type: "admin" }) admin(_m: Say) {
    return "never";
  }
  @OnClose() closed(_reason: CloseReason) {}
}

/** A test client whose handshake carried `headers`, once open. */
async function open(url: string, headers: Record<string, string> = {}): Promise<TestClient> {
  const c = new TestClient(new WebSocket(url, { headers }));
  await new Promise<void>((resolve, reject) => {
    c.ws.once("open", () => resolve());
    c.ws.once("error", reject);
  });
  return c;
}

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_SPAN = "00f067aa0ba902b7";

describe("spans", () => {
  it("one per handshake (joining the request's traceparent) and per handled message, with outcome and close event", async () => {
    const s = await servers.start([Traced], { tracing: true });
    const c = await open(`${s.url}/rooms/lobby`, { traceparent: `00-${TRACE_ID}-${PARENT_SPAN}-01` });
    await c.send(JSON.stringify({ type: "say", text: "hi", id: 1 }));
    expect(await c.nextJson()).toEqual({ type: "said", text: "hi", id: 1 });
    await c.send(JSON.stringify({ type: "admin", text: "x" }));
    expect((await c.nextJson<{ code: string }>()).code).toBe("FORBIDDEN");
    await c.send(JSON.stringify({ type: "say", text: "fail" }));
    expect((await c.closed).code).toBe(1011);
    await expect.poll(() => otel.spans().length).toBe(5);

    const [handshake, ok, refused, failed, close] = otel.spans();
    expect(handshake!.name).toBe("ws.handshake");
    expect(handshake!.spanContext().traceId).toBe(TRACE_ID);
    expect(handshake!.parentSpanContext?.spanId).toBe(PARENT_SPAN);
    expect(handshake!.attributes).toMatchObject({ "ws.endpoint": "Traced", "ws.path_template": "/rooms/{room}", "http.response.status_code": 101, "ws.outcome": "accepted" });
    expect(typeof handshake!.attributes["ws.session_id"]).toBe("string");
    const common = { "ws.endpoint": "Traced", "ws.path_template": "/rooms/{room}", "ws.session_id": handshake!.attributes["ws.session_id"] };
    expect([ok!.name, ok!.attributes]).toEqual(["Traced.say", { ...common, "ws.event": "message", "ws.message_type": "say", "ws.outcome": "ok" }]);
    expect([refused!.name, refused!.attributes["ws.outcome"], refused!.attributes["ws.message_type"]]).toEqual(["Traced.admin", "refused", "admin"]);
    expect([failed!.attributes["ws.outcome"], failed!.status.code, failed!.events.map((e) => e.name)]).toEqual(["error", 2, ["exception"]]);
    expect(close!.name).toBe("Traced.closed");
    expect(close!.events.map((e) => [e.name, e.attributes?.["ws.close_code"]])).toEqual([["ws.close", 1011]]);
  });

  it("a refused handshake's span carries its HTTP status", async () => {
    const s = await servers.start([Traced], { tracing: true, allowedOrigins: [] });
    const c = new TestClient(new WebSocket(`${s.url}/rooms/x`, { headers: { origin: "https://evil.example" } }));
    expect((await c.closed).code).toBe(1006);
    await expect.poll(() => otel.spans().length).toBe(1);
    expect(otel.spans()[0]!.attributes).toMatchObject({ "http.response.status_code": 403, "ws.outcome": "refused" });
  });

  it("are not created without tracing: true", async () => {
    const s = await servers.start([Traced]);
    const c = await s.connect("/rooms/a");
    await c.send(JSON.stringify({ type: "say", text: "hi" }));
    await c.nextJson();
    c.ws.close(CloseCodes.NORMAL_CLOSURE);
    await c.closed;
    expect(otel.spans()).toEqual([]);
  });
});

describe("across nodes over Redis", () => {
  const handles: ServerHandle[] = [];
  afterAll(async () => {
    await Promise.all(handles.map((h) => h.close()));
  });

  it("a broadcast delivered on another node is a child span of the sender's message span", async () => {
    @ServerEndpoint("/cluster")
    class Cluster {
      constructor(private readonly broadcaster: Broadcaster) {}
      @OnMessage() async m(text: string, session: Session) {
        if (text === "ready?") return "ready";
        await this.broadcaster.broadcast(`fanout:${text}`, { except: [session] });
        return "sent";
      }
    }
    const keyPrefix = `wse-trace-${process.pid}-${Date.now()}:`;
    for (const nodeId of ["node-a", "node-b"]) {
      handles.push(
        await bootstrap({
          endpoints: [Cluster],
          port: 0,
          host: "127.0.0.1",
          logger: silentLogger,
          nodeId,
          tracing: true,
          broker: new RedisBroker({ redis: "redis://127.0.0.1:6379", keyPrefix, logger: silentLogger }),
        }),
      );
    }
    const [a, b] = handles;
    const onB = await open(`ws://127.0.0.1:${b!.address.port}/cluster`);
    await onB.send("ready?");
    expect(await onB.nextText()).toBe("ready");
    const onA = await open(`ws://127.0.0.1:${a!.address.port}/cluster`);
    await onA.send("hello");
    expect(await onA.nextText()).toBe("sent");
    expect(await onB.nextText()).toBe("fanout:hello");
    await expect.poll(() => otel.spans().some((s) => s.name === "ws.broadcast.deliver")).toBe(true);

    const delivered = otel.spans().filter((s) => s.name === "ws.broadcast.deliver");
    expect(delivered).toHaveLength(1);
    expect(delivered[0]!.attributes["ws.node_id"]).toBe("node-b");
    const trace = delivered[0]!.spanContext().traceId;
    const sent = otel.spans().filter((s) => s.spanContext().traceId === trace && s !== delivered[0]);
    // The trace holds the sender's message span on node A and, as its child, the delivery on node B.
    expect(sent.map((s) => s.name)).toEqual(["Cluster.m"]);
    expect(sent[0]!.parentSpanContext).toBeUndefined();
    expect(delivered[0]!.parentSpanContext?.spanId).toBe(sent[0]!.spanContext().spanId);
    onA.ws.close();
    onB.ws.close();
    await Promise.all([onA.closed, onB.closed]);
  });
});
