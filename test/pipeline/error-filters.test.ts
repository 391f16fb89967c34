import "reflect-metadata";
import { describe, expect, it } from "vitest";
import { IsString } from "class-validator";
import { CloseCodes, ForbiddenError, OnError, OnMessage, OnOpen, ServerEndpoint, Session, silentLogger, type Logger } from "../../src/index.js";
import { ErrorFilters, errorFilter, Guard, type UnhandledErrorContext } from "../../src/pipeline/index.js";
import { serverPerTest } from "../support/server-per-test.js";

// Issue #22: error filters map error classes (nearest in the class hierarchy wins; the endpoint's before
// the global ones) to replies or close codes before @OnError; the app-wide onError hears the rest.

const servers = serverPerTest();

class DomainError extends Error {}
class NotFound extends DomainError {}
class Gone extends NotFound {}
class Conflict extends DomainError {}

class Get {
  @IsString() what!: string;
}

const toOnError: string[] = [];

@ServerEndpoint("/items")
@ErrorFilters(
  errorFilter([DomainError], (e) => ({ reply: { type: "error", code: "DOMAIN", message: e.message } })),
  errorFilter([NotFound], (e, c) => ({ reply: { type: "error", code: "NOT_FOUND", message: e.message, handler: c.handler } })),
)
class Items {
  @OnMessage({ type: "get" }) get(m: Get) {
    if (m.what === "missing") throw new NotFound("no such item");
    if (m.what === "gone") throw new Gone("deleted");
    if (m.what === "conflict") throw new Conflict("busy");
    if (m.what === "fatal") throw new Error("boom");
    if (m.what === "range") throw new RangeError("bad range");
    return { type: "item", what: m.what };
  }
  @OnError() onError(e: Error, session: Session) {
    toOnError.push(e.message);
    session.getAsyncRemote().sendText(`@OnError:${e.message}`);
  }
}

describe("error filters", () => {
  it("match by class hierarchy: the nearest class wins, subclasses match, the message id is kept", async () => {
    toOnError.length = 0;
    const s = await servers.start([Items]);
    const c = await s.connect("/items");
    await c.send(JSON.stringify({ type: "get", what: "missing", id: 1 }));
    await c.send(JSON.stringify({ type: "get", what: "gone", id: 2 }));
    await c.send(JSON.stringify({ type: "get", what: "conflict", id: 3 }));
    await c.send(JSON.stringify({ type: "get", what: "fatal", id: 4 }));
    await c.send(JSON.stringify({ type: "get", what: "ok", id: 5 }));
    expect(await c.nextJson()).toEqual({ type: "error", code: "NOT_FOUND", message: "no such item", handler: "Items.get", id: 1 });
    expect(await c.nextJson()).toEqual({ type: "error", code: "NOT_FOUND", message: "deleted", handler: "Items.get", id: 2 });
    expect(await c.nextJson()).toEqual({ type: "error", code: "DOMAIN", message: "busy", id: 3 });
    expect(await c.nextText()).toBe("@OnError:boom");
    expect(await c.nextJson()).toEqual({ type: "item", what: "ok", id: 5 });
    expect(toOnError).toEqual(["boom"]);
  });

  it("the endpoint's filters come before the bootstrap's; a global filter can close with its code", async () => {
    toOnError.length = 0;
    const s = await servers.start([Items], {
      errorFilters: [
        errorFilter([Gone], () => ({ reply: "global gone" })),
        errorFilter([RangeError], () => ({ close: 4400, reason: "bad range" })),
      ],
    });
    const c = await s.connect("/items");
    await c.send(JSON.stringify({ type: "get", what: "gone" }));
    // The endpoint's NotFound filter answers: the endpoint's filters are consulted first.
    expect((await c.nextJson<{ code: string }>()).code).toBe("NOT_FOUND");
    await c.send(JSON.stringify({ type: "get", what: "range" }));
    expect(await c.closed).toEqual({ code: 4400, reason: "bad range" });
    expect(toOnError).toEqual([]);
  });

  it("may map a guard's refusal; an unsendable close code falls back to 1011", async () => {
    @ServerEndpoint("/mapped")
    @Guard(() => false)
    class Mapped {
      @OnMessage() m(t: string) {
        return t;
      }
    }
    const s = await servers.start([Mapped], { errorFilters: [errorFilter([ForbiddenError], (e) => ({ reply: `denied:${(e as ForbiddenError).handler}` }))] });
    const c = await s.connect("/mapped");
    await c.send("x");
    expect(await c.nextText()).toBe("denied:Mapped.m");

    const bad = await servers.start([Mapped], { errorFilters: [errorFilter([ForbiddenError], () => ({ close: 1005 }))] });
    const d = await bad.connect("/mapped");
    await d.send("x");
    expect((await d.closed).code).toBe(CloseCodes.UNEXPECTED_CONDITION);
  });
});

describe("the app-wide onError hook", () => {
  it("hears what no filter and no @OnError handled, and what @OnError threw; never what was handled", async () => {
    const heard: Array<[string, UnhandledErrorContext["handler"], string | undefined]> = [];
    @ServerEndpoint("/bare")
    class Bare {
      @OnMessage() m(t: string) {
        if (t === "domain") throw new NotFound("mapped");
        throw new Error(`unhandled ${t}`);
      }
    }
    @ServerEndpoint("/throwing")
    class Throwing {
      @OnOpen() open() {}
      @OnMessage() m(_t: string) {
        throw new Error("first");
      }
      @OnError() e() {
        throw new Error("@OnError failed too");
      }
    }
    const logger: Logger = silentLogger;
    const s = await servers.start([Bare, Throwing], {
      logger,
      errorFilters: [errorFilter([NotFound], () => ({ reply: "mapped" }))],
      onError: (error, ctx) => void heard.push([error.message, ctx.handler, ctx.session?.getId()]),
    });
    const c = await s.connect("/bare");
    await c.send("domain");
    expect(await c.nextText()).toBe("mapped");
    await c.send("x");
    expect((await c.closed).code).toBe(1011);
    const t = await s.connect("/throwing");
    await t.send("y");
    await expect.poll(() => heard.length).toBe(2);
    expect(heard.map(([m, h]) => [m, h])).toEqual([
      ["unhandled x", "Bare.m"],
      ["@OnError failed too", "Throwing.e"],
    ]);
    expect(heard.every(([, , id]) => typeof id === "string")).toBe(true);
  });
});
