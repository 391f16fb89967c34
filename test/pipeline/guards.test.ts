import "reflect-metadata";
import { describe, expect, it } from "vitest";
import { injectable } from "tsyringe";
import { IsString } from "class-validator";
import { CloseCodes, OnMessage, OnOpen, ServerEndpoint, Session, type Logger, silentLogger } from "../../src/index.js";
import { Guard, type PipelineContext } from "../../src/pipeline/index.js";
import { serverPerTest } from "../support/server-per-test.js";

// Issue #22: guards allow or refuse @OnMessage and @OnOpen handlers; what the peer receives on refusal,
// async guards keep each session's order.

const servers = serverPerTest();

class Say {
  @IsString() text!: string;
}
class Ban {
  @IsString() user!: string;
}

const admin = (c: PipelineContext): boolean => (c.session.getRequestParameterMap().get("role") ?? [])[0] === "admin";

@ServerEndpoint({ path: "/typed" })
class Typed {
  @OnMessage({ type: "say" }) say(m: Say) {
    return { type: "said", text: m.text };
  }
  @Guard(admin)
  @OnMessage({ type: "ban" }) ban(m: Ban) {
    return { type: "banned", user: m.user };
  }
}

describe("guards on @OnMessage", () => {
  it("refuse a typed message with a FORBIDDEN error reply that keeps the message id, and allow the rest", async () => {
    const s = await servers.start([Typed]);
    const c = await s.connect("/typed?role=user");
    await c.send(JSON.stringify({ type: "ban", user: "bob", id: 7 }));
    await c.send(JSON.stringify({ type: "say", text: "hi", id: 8 }));
    expect(await c.nextJson()).toEqual({ type: "error", code: "FORBIDDEN", errors: [], id: 7 });
    expect(await c.nextJson()).toEqual({ type: "said", text: "hi", id: 8 });
    const a = await s.connect("/typed?role=admin");
    await a.send(JSON.stringify({ type: "ban", user: "bob", id: 1 }));
    expect(await a.nextJson()).toEqual({ type: "banned", user: "bob", id: 1 });
  });

  it("refuse a plain text message, and close with 1008 under guardRefusal: \"close\"", async () => {
    const seen: PipelineContext[] = [];
    @ServerEndpoint("/text")
    @Guard((c) => {
      seen.push(c);
      return c.payload !== "secret";
    })
    class Text {
      @OnMessage() echo(t: string) {
        return `echo:${t}`;
      }
    }
    const s = await servers.start([Text]);
    const c = await s.connect("/text");
    await c.send("secret");
    await c.send("hello");
    expect(JSON.parse(await c.nextText())).toEqual({ type: "error", code: "FORBIDDEN", errors: [] });
    expect(await c.nextText()).toBe("echo:hello");
    expect(seen.map((x) => [x.event, x.handler, x.payload, x.messageType, x.endpoint])).toEqual([
      ["message", "Text.echo", "secret", undefined, Text],
      ["message", "Text.echo", "hello", undefined, Text],
    ]);

    const closing = await servers.start([Text], { guardRefusal: "close" });
    const d = await closing.connect("/text");
    await d.send("secret");
    expect(await d.closed).toEqual({ code: CloseCodes.VIOLATED_POLICY, reason: "forbidden" });
  });

  it("run async guards without reordering a session's messages, and see the principal", async () => {
    const order: string[] = [];
    @ServerEndpoint("/async")
    @Guard(async (c) => {
      // The first message's guard settles last: were messages not held, "2" would be answered first.
      await new Promise((r) => setTimeout(r, c.payload === "1" ? 30 : 0));
      return c.payload !== "3";
    })
    class Async {
      @OnMessage() m(t: string) {
        order.push(t);
        return `ok:${t}`;
      }
    }
    const s = await servers.start([Async]);
    const c = await s.connect("/async");
    for (const m of ["1", "2", "3", "4"]) await c.send(m);
    expect([await c.nextText(), await c.nextText(), JSON.parse(await c.nextText()).code, await c.nextText()]).toEqual(["ok:1", "ok:2", "FORBIDDEN", "ok:4"]);
    expect(order).toEqual(["1", "2", "4"]);
  });

  it("resolve injectable guard classes through the container, global guards first", async () => {
    const calls: string[] = [];
    @injectable()
    class Audit {
      canActivate(c: PipelineContext) {
        calls.push(`class:${String(c.payload)}`);
        return true;
      }
    }
    @ServerEndpoint("/classes")
    @Guard(Audit)
    class Classes {
      @Guard({ canActivate: (c: PipelineContext) => (calls.push("method"), c.payload !== "no") })
      @OnMessage()
      m(t: string) {
        return t;
      }
    }
    const s = await servers.start([Classes], { guards: [() => (calls.push("global"), true)] });
    const c = await s.connect("/classes");
    await c.send("no");
    await c.send("yes");
    expect(JSON.parse(await c.nextText()).code).toBe("FORBIDDEN");
    expect(await c.nextText()).toBe("yes");
    expect(calls).toEqual(["global", "class:no", "method", "global", "class:yes", "method"]);
  });
});

describe("guards on @OnOpen", () => {
  it("refuse the session with 1008 before @OnOpen runs; messages sent meanwhile reach no handler", async () => {
    const handled: string[] = [];
    @ServerEndpoint("/open")
    class Open {
      @Guard(async (c) => {
        await new Promise((r) => setTimeout(r, 20));
        return c.session.getRequestParameterMap().has("token");
      })
      @OnOpen()
      open(session: Session) {
        handled.push(`open:${session.getId()}`);
      }
      @OnMessage() m(t: string) {
        handled.push(t);
        return t;
      }
    }
    const warned: unknown[] = [];
    const logger: Logger = { ...silentLogger, warn: (o) => warned.push(o) };
    const s = await servers.start([Open], { logger });
    const c = await s.connect("/open");
    await c.send("early-1");
    await c.send("early-2");
    expect(await c.closed).toEqual({ code: CloseCodes.VIOLATED_POLICY, reason: "forbidden" });
    expect(handled).toEqual([]);
    expect(warned).toEqual([]);
    const ok = await s.connect("/open?token=1");
    await ok.send("hi");
    expect(await ok.nextText()).toBe("hi");
    expect(handled).toEqual([`open:${[...s.handle.sessions][0]!.getId()}`, "hi"]);
  });
});
