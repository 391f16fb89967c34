import "reflect-metadata";
import { IsString } from "class-validator";
import { describe, expect, it } from "vitest";
import { CloseReason, OnClose, OnMessage, ServerEndpoint, Session } from "../../src/index.js";
import { serverPerTest } from "../support/server-per-test.js";

// `liveness: true` (issue 20): the browser client's application-level ping, answered before dispatch.

class Echo {
  @IsString() text!: string;
}

let release: (() => void) | undefined;
const handled: string[] = [];

@ServerEndpoint({ path: "/live", liveness: true })
class Live {
  @OnMessage({ type: "echo" }) echo(e: Echo) {
    handled.push(e.text);
    return { type: "echo", text: e.text };
  }
  /** Holds the session's queue until the test lets go. */
  @OnMessage({ type: "hold" }) async hold(_: Echo) {
    await new Promise<void>((r) => (release = r));
    return { type: "released" };
  }
}

@ServerEndpoint({ path: "/dead", liveness: false })
class NoLiveness {
  @OnMessage({ type: "echo" }) echo(e: Echo) {
    return { type: "echo", text: e.text };
  }
}

@ServerEndpoint("/plain")
class PlainText {
  @OnMessage() text(t: string) {
    return `got ${t}`;
  }
}

@ServerEndpoint({ path: "/renamed", liveness: true, envelope: { typeField: "kind" } })
class Renamed {
  @OnMessage({ type: "echo" }) echo(e: Echo) {
    return { kind: "echo", text: e.text };
  }
}

let closedWith: CloseReason | undefined;
@ServerEndpoint({ path: "/idle-live", liveness: true, maxIdleTimeout: 150 })
class IdleLive {
  @OnMessage({ type: "echo" }) echo(e: Echo) {
    return { type: "echo", text: e.text };
  }
  @OnClose() closed(reason: CloseReason) {
    closedWith = reason;
  }
}

const { start } = serverPerTest();

describe("liveness: $ping / $pong", () => {
  it("answers the exact text {\"type\":\"$ping\"} with {\"type\":\"$pong\"}, no handler involved", async () => {
    handled.length = 0;
    const server = await start([Live]);
    const c = await server.connect("/live");
    await c.send('{"type":"$ping"}');
    expect(await c.nextText()).toBe('{"type":"$pong"}');
    expect(handled).toEqual([]);
  });

  it("answers at once even while a handler holds the session's queue", async () => {
    const server = await start([Live]);
    const c = await server.connect("/live");
    await c.send('{"type":"hold","text":"x"}');
    await c.send('{"type":"$ping"}');
    expect(await c.nextText()).toBe('{"type":"$pong"}');
    release!();
    expect(await c.nextJson()).toEqual({ type: "released" });
  });

  it("compares bytes exactly: other spellings of a ping are ordinary messages", async () => {
    const server = await start([Live]);
    const c = await server.connect("/live");
    await c.send('{ "type": "$ping" }');
    expect(await c.nextJson()).toMatchObject({ type: "error", code: "UNKNOWN_MESSAGE_TYPE" });
  });

  it("without liveness, $ping is an ordinary message: UNKNOWN_MESSAGE_TYPE on a typed endpoint, the handler's on a plain one", async () => {
    const server = await start([NoLiveness, PlainText]);
    const typed = await server.connect("/dead");
    await typed.send('{"type":"$ping"}');
    expect(await typed.nextJson()).toMatchObject({ type: "error", code: "UNKNOWN_MESSAGE_TYPE" });
    const plain = await server.connect("/plain");
    await plain.send('{"type":"$ping"}');
    expect(await plain.nextText()).toBe('got {"type":"$ping"}');
  });

  it("with a renamed type field, answers both the literal ping and the renamed one in kind", async () => {
    const server = await start([Renamed]);
    const c = await server.connect("/renamed");
    await c.send('{"kind":"$ping"}');
    expect(await c.nextText()).toBe('{"kind":"$pong"}');
    await c.send('{"type":"$ping"}');
    expect(await c.nextText()).toBe('{"type":"$pong"}');
  });

  it("counts as activity: pings keep a session with maxIdleTimeout open past the timeout", async () => {
    closedWith = undefined;
    const server = await start([IdleLive]);
    const c = await server.connect("/idle-live");
    // 10 rounds of at least 40 ms each: well past the 150 ms idle timeout, with a $ping in every gap.
    let rounds = 0;
    for (; rounds < 10; rounds++) {
      await c.send('{"type":"$ping"}');
      expect(await c.nextText()).toBe('{"type":"$pong"}');
      await new Promise((r) => setTimeout(r, 40));
    }
    expect(rounds).toBe(10);
    expect(closedWith).toBeUndefined();
    await c.send('{"type":"echo","text":"still here"}');
    expect(await c.nextJson()).toEqual({ type: "echo", text: "still here" });
  });

  it("refuses a liveness option that is not a boolean at bootstrap", async () => {
    @ServerEndpoint({ path: "/bad", liveness: "yes" as never })
    class Bad {
      @OnMessage() t(_: string, _s: Session) {}
    }
    await expect(start([Bad])).rejects.toThrow(/Bad: @ServerEndpoint liveness must be a boolean/);
  });
});
