import "reflect-metadata";
import { container as root } from "tsyringe";
import { describe, expect, it, vi } from "vitest";
import { compileEndpoint } from "../../src/endpoint/compile-server.js";
import { OnMessage, OnOpen, ServerEndpoint, Session } from "../../src/index.js";
import type { Logger } from "../../src/metrics/logger.js";
import { createEndpointInstance, openConnection, type ConnectionPlan, type LivenessTracker } from "../../src/runtime/connection.js";
import type { DispatchEnv } from "../../src/runtime/dispatcher.js";
import { WsSession } from "../../src/session/ws-session.js";
import type { OutboundLimits } from "../../src/session/outbound-options.js";
import { InMemoryTransport } from "../../src/testing/in-memory-transport.js";

@ServerEndpoint("/plan")
class Planned {
  @OnOpen() open(session: Session): void {
    session.getAsyncRemote().sendText("open");
  }
  @OnMessage() echo(msg: string): string {
    return msg;
  }
}

@ServerEndpoint("/broken")
class Broken {
  constructor() {
    throw new Error("no database");
  }
  @OnMessage() echo(msg: string): string {
    return msg;
  }
}

const logger: Logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
const env: DispatchEnv = { logger, handlerTimeouts: null, inboundQueueLimit: 16, inboundQueueBytes: 1 << 20, inboundBudget: null, released: vi.fn() };
const outbound: OutboundLimits = Object.freeze({ maxMessages: 4, maxBytes: 1024, highWaterMark: 512, policy: "drop-oldest", sendTimeout: 0 });

function sessionOf(type: typeof Planned | typeof Broken) {
  const ep = compileEndpoint(type, { maxMessageSize: 1024 });
  const transport = new InMemoryTransport();
  const info = { path: ep.template.source, query: "", headers: {}, remoteAddress: "", pathParams: {}, subprotocol: "" };
  return { ep, transport, session: new WsSession(transport, info, new Set(), ep.encode) };
}

describe("openConnection", () => {
  it("applies the plan's limits, rate limiter and liveness to the session, then runs @OnOpen before the first message", async () => {
    const { ep, transport, session } = sessionOf(Planned);
    const liveness: LivenessTracker = { track: vi.fn() };
    const rateLimiter = { admit: () => 0 };
    const plan: ConnectionPlan = { session, instance: new Planned(), limits: { outbound, heartbeatInterval: 100, maxIdleTimeout: 900 }, rateLimiter, liveness };
    const configure = vi.spyOn(session.outbound, "configure");
    const dispatcher = openConnection(ep, plan, env);
    expect(dispatcher.session).toBe(session);
    expect(configure).toHaveBeenCalledWith(outbound, session);
    expect(session.rateLimiter).toBe(rateLimiter);
    expect(liveness.track).toHaveBeenCalledWith(session, 100, 900);
    transport.peerSend("hi");
    await vi.waitFor(() => expect(transport.sent.map((m) => m.data)).toEqual(["open", "hi"]));
  });

  it("with no limits (a client session) keeps the queue's defaults and tracks nothing", () => {
    const { ep, session } = sessionOf(Planned);
    const configure = vi.spyOn(session.outbound, "configure");
    openConnection(ep, { session, instance: new Planned(), limits: null, rateLimiter: null, liveness: { track: vi.fn() } }, env);
    expect(configure).not.toHaveBeenCalled();
    expect(session.rateLimiter).toBeNull();
  });
});

describe("createEndpointInstance", () => {
  it("resolves the endpoint from a child container by default, or uses the owner's factory", () => {
    const { ep, session } = sessionOf(Planned);
    expect(createEndpointInstance(ep, session, root, logger)).toBeInstanceOf(Planned);
    const made = new Planned();
    expect(createEndpointInstance(ep, session, root, logger, () => made)).toBe(made);
  });

  it("logs a failing constructor, closes the session and the transport with 1011, and yields null", () => {
    const { ep, transport, session } = sessionOf(Broken);
    expect(createEndpointInstance(ep, session, root, logger)).toBeNull();
    expect(session.isOpen()).toBe(false);
    expect(transport.closeFrame).toEqual({ code: 1011, reason: "internal error" });
    expect(logger.error).toHaveBeenCalledWith(expect.objectContaining({ err: expect.objectContaining({ code: "WSE_ERR_HANDLER_FAILED", handler: "Broken.constructor" }) }), "Broken could not be created");
  });

  it("refuses a factory that returns no object, naming the endpoint", () => {
    const { ep, session } = sessionOf(Planned);
    expect(createEndpointInstance(ep, session, root, logger, () => null as unknown as object)).toBeNull();
    expect(logger.error).toHaveBeenLastCalledWith(
      expect.objectContaining({ err: expect.objectContaining({ cause: new TypeError("getEndpointInstance returned null, not an instance of Planned.") }) }),
      "Planned could not be created",
    );
  });
});
