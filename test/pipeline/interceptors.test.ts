import "reflect-metadata";
import { describe, expect, it } from "vitest";
import { injectable } from "tsyringe";
import { OnMessage, OnOpen, ServerEndpoint, Session } from "../../src/index.js";
import { Guard, Intercept, type CallNext, type PipelineContext } from "../../src/pipeline/index.js";
import { compileEndpoint } from "../../src/endpoint/compile-server.js";
import { ARG_SHAPE } from "../../src/endpoint/arguments.js";
import { createEndpointServer } from "../../src/server/bootstrap.js";
import { silentLogger } from "../../src/metrics/logger.js";
import { serverPerTest } from "../support/server-per-test.js";

// Issue #22: interceptors wrap handlers global → class → method (outermost first, as Nest composes
// them), may transform the reply or answer without the handler, and run after the guards.

const servers = serverPerTest();

const log: string[] = [];
const tag = (name: string) => async (_c: PipelineContext, next: CallNext) => {
  log.push(`${name}>`);
  const r = await next();
  log.push(`<${name}`);
  return `${name}(${String(r)})`;
};

@injectable()
class ClassInterceptor {
  intercept(_c: PipelineContext, next: CallNext) {
    log.push("class>");
    const r = next();
    log.push("<class");
    return r;
  }
}

@ServerEndpoint("/order")
@Intercept(ClassInterceptor, tag("class2"))
@Guard(() => (log.push("guard"), true))
class Ordered {
  @Intercept(tag("method"))
  @OnMessage()
  m(t: string) {
    log.push("handler");
    return t;
  }
}

describe("interceptors", () => {
  it("compose global → class → method around the handler, after the guards, and transform the reply", async () => {
    log.length = 0;
    const s = await servers.start([Ordered], { interceptors: [tag("global")] });
    const c = await s.connect("/order");
    await c.send("x");
    expect(await c.nextText()).toBe("global(class2(method(x)))");
    expect(log).toEqual(["guard", "global>", "class>", "class2>", "method>", "handler", "<class", "<method", "<class2", "<global"]);
  });

  it("short-circuit: an interceptor's own answer is the reply and the handler does not run", async () => {
    let ran = 0;
    @ServerEndpoint("/cache")
    @Intercept((c, next) => (c.payload === "cached" ? "from cache" : next()))
    class Cached {
      @OnMessage() m(t: string) {
        ran++;
        return `handled:${t}`;
      }
    }
    const s = await servers.start([Cached]);
    const c = await s.connect("/cache");
    await c.send("cached");
    await c.send("fresh");
    expect([await c.nextText(), await c.nextText()]).toEqual(["from cache", "handled:fresh"]);
    expect(ran).toBe(1);
  });

  it("wrap @OnOpen too (event \"open\") and time an async handler", async () => {
    const events: string[] = [];
    const timings: number[] = [];
    @ServerEndpoint("/timed")
    @Intercept(async (c, next) => {
      events.push(c.event);
      const t0 = performance.now();
      try {
        return await next();
      } finally {
        timings.push(performance.now() - t0);
      }
    })
    class Timed {
      @OnOpen() open(session: Session) {
        session.getAsyncRemote().sendText("welcome");
      }
      @OnMessage() async m(t: string) {
        await new Promise((r) => setTimeout(r, 15));
        return t;
      }
    }
    const s = await servers.start([Timed]);
    const c = await s.connect("/timed");
    await c.send("a");
    expect([await c.nextText(), await c.nextText()]).toEqual(["welcome", "a"]);
    expect(events).toEqual(["open", "message"]);
    expect(timings[1]).toBeGreaterThanOrEqual(10);
  });
});

describe("compiled at bootstrap", () => {
  it("leaves a handler nothing applies to as it was (its own shape, no pipeline), and wraps only the guarded one", () => {
    @ServerEndpoint("/plain")
    class Plain {
      @OnMessage() m(t: string, s: Session) {
        return [t, s];
      }
    }
    @ServerEndpoint("/guarded")
    class Guarded {
      @Guard(() => true) @OnMessage() m(t: string, s: Session) {
        return [t, s];
      }
    }
    const { server } = createEndpointServer({ endpoints: [Plain, Guarded], logger: silentLogger });
    const [plain, guarded] = server.endpoints;
    const alone = compileEndpoint(Plain, { maxMessageSize: 1024 * 1024 });
    expect(plain!.onText!.direct).toEqual(alone.onText!.direct);
    expect(plain!.onText!.direct!.shape).toBe(ARG_SHAPE.PAYLOAD_SESSION);
    expect("pipeline" in plain!.onText!.direct!).toBe(false);
    expect(plain!.pipeline).toBeNull();
    expect(guarded!.onText!.direct!.shape).toBe(ARG_SHAPE.PIPELINE);
  });
});

describe("client endpoints", () => {
  it("refuse @Guard and @Intercept at compile time instead of ignoring them", async () => {
    const { ClientEndpoint } = await import("../../src/index.js");
    const { compileClientEndpoint } = await import("../../src/endpoint/compile-client.js");
    @ClientEndpoint()
    class Guarded {
      @Guard(() => true) @OnMessage() m(_t: string) {}
    }
    expect(() => compileClientEndpoint(Guarded, { maxMessageSize: 1024 })).toThrow(/@Guard, @Intercept and @ErrorFilters apply to server endpoints/);
  });
});
