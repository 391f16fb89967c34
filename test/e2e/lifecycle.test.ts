import "reflect-metadata";
import { afterEach, describe, expect, it } from "vitest";
import {
  CloseReason,
  OnClose,
  OnError,
  OnMessage,
  OnOpen,
  PathParam,
  QueryParam,
  ServerEndpoint,
  Session,
  silentLogger,
  type Logger,
} from "../../src/index.js";
import { TestServer } from "../../src/testing/index.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const events: string[] = [];
const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

@ServerEndpoint("/life")
class Life {
  static instances = 0;
  readonly n = ++Life.instances;
  private count = 0;

  @OnOpen() async open(session: Session) {
    events.push(`open#${this.n}`);
    await delay(30); // a slow @OnOpen must still finish before the first message
    events.push(`opened#${this.n}`);
    session.getUserProperties().set("n", this.n);
  }
  @OnMessage() message(text: string) {
    events.push(`message#${this.n}:${text}`);
    return `${this.n}:${++this.count}:${text}`;
  }
  @OnClose() close(reason: CloseReason) {
    events.push(`close#${this.n}:${reason.getCloseCode()}:${reason.getReasonPhrase()}`);
  }
}

describe("lifecycle", () => {
  it("runs @OnOpen to completion before the first message and @OnClose once, last, with the peer's code", async () => {
    events.length = 0;
    server = await TestServer.start([Life]);
    const c = await server.connect("/life");
    await c.send("a"); // sent while @OnOpen is still awaiting
    const n = Life.instances;
    expect(await c.nextText()).toBe(`${n}:1:a`);
    await c.close(4000, "done");
    await waitFor(() => events.some((e) => e.startsWith(`close#${n}`)));
    expect(events).toEqual([`open#${n}`, `opened#${n}`, `message#${n}:a`, `close#${n}:4000:done`]);
  });

  it("gives two clients two independent endpoint instances", async () => {
    server = await TestServer.start([Life]);
    const a = await server.connect("/life");
    const b = await server.connect("/life");
    await a.send("x");
    await a.send("y");
    await b.send("z");
    const [ra1, ra2, rb] = [await a.nextText(), await a.nextText(), await b.nextText()];
    const na = Number(ra1.split(":")[0]);
    const nb = Number(rb.split(":")[0]);
    expect(na).not.toBe(nb);
    expect([ra1, ra2]).toEqual([`${na}:1:x`, `${na}:2:y`]);
    expect(rb).toBe(`${nb}:1:z`);
  });

  it("reports 1005 when the peer's close frame has no status and 1006 for an abrupt drop", async () => {
    events.length = 0;
    server = await TestServer.start([Life]);
    const quiet = await server.connect("/life");
    quiet.ws.close(); // close frame without a status code
    await quiet.closed;
    const dropped = await server.connect("/life");
    await dropped.drop();
    await waitFor(() => events.filter((e) => e.startsWith("close#")).length === 2);
    const codes = events.filter((e) => e.startsWith("close#")).map((e) => e.split(":")[1]);
    expect(codes.sort()).toEqual(["1005", "1006"]);
  });
});

@ServerEndpoint("/typed/{id}/{flag}/{name}")
class Typed {
  @OnOpen() open(
    session: Session,
    @PathParam("id") id: number,
    @PathParam("flag") flag: boolean,
    @PathParam("name") name: string,
    @QueryParam("limit") limit: number,
  ) {
    session.getAsyncRemote().sendObject({ id, flag, name, limit, query: session.getQueryString(), params: session.getPathParameters() });
  }
}

describe("path and query parameters", () => {
  it("arrive converted to their declared types", async () => {
    server = await TestServer.start([Typed]);
    const c = await server.connect("/typed/42/true/J%C3%BCrgen?limit=7&x=1");
    expect(await c.nextJson()).toEqual({
      id: 42,
      flag: true,
      name: "Jürgen",
      limit: 7,
      query: "limit=7&x=1",
      params: { id: "42", flag: "true", name: "Jürgen" },
    });
  });

  it("a value that does not convert is refused with HTTP 400 before any upgrade", async () => {
    server = await TestServer.start([Typed]);
    await expect(server.connect("/typed/forty-two/true/x")).rejects.toMatchObject({ status: 400 });
    await expect(server.connect("/typed/1/yes/x")).rejects.toMatchObject({ status: 400 });
  });
});

const errors: string[] = [];

@ServerEndpoint("/faulty")
class Faulty {
  @OnMessage() async message(text: string) {
    if (text === "throw") throw new Error("boom");
    if (text === "reject") {
      await delay(5);
      throw new TypeError("async boom");
    }
    return `ok:${text}`;
  }
  @OnError() error(session: Session, error: Error) {
    errors.push(`${error.name}:${error.message}`);
    session.getAsyncRemote().sendText(`error:${error.message}`);
  }
}

@ServerEndpoint("/no-on-error")
class NoOnError {
  @OnMessage() message(text: string) {
    if (text === "throw") throw new Error("secret detail");
    return text;
  }
}

describe("errors", () => {
  it("a throwing or rejecting handler goes to @OnError as thrown and the session keeps working", async () => {
    errors.length = 0;
    server = await TestServer.start([Faulty]);
    const c = await server.connect("/faulty");
    for (const m of ["throw", "1", "reject", "2"]) await c.send(m);
    expect([await c.nextText(), await c.nextText(), await c.nextText(), await c.nextText()]).toEqual([
      "error:boom",
      "ok:1",
      "error:async boom",
      "ok:2",
    ]);
    expect(errors).toEqual(["Error:boom", "TypeError:async boom"]);
  });

  it("without @OnError the session is closed with 1011 and a generic reason, and the error is logged", async () => {
    const logged: string[] = [];
    const logger: Logger = { ...silentLogger, warn: (_o, msg) => logged.push(String(msg)) };
    server = await TestServer.start([NoOnError], { logger });
    const c = await server.connect("/no-on-error");
    const other = await server.connect("/no-on-error");
    await c.send("throw");
    expect(await c.closed).toEqual({ code: 1011, reason: "internal error" });
    expect(logged).toEqual(["NoOnError: closing session with 1011 (no @OnError)"]);
    await other.send("still here");
    expect(await other.nextText()).toBe("still here");
  });

  it("a binary message to an endpoint without a binary handler closes with 1003", async () => {
    server = await TestServer.start([NoOnError]);
    const c = await server.connect("/no-on-error");
    await c.send(Buffer.from([1, 2, 3]));
    expect(await c.closed).toEqual({ code: 1003, reason: "message type not accepted" });
  });
});

@ServerEndpoint("/ordered")
class Ordered {
  @OnMessage() async message(text: string) {
    await delay(Math.floor(Math.random() * 8));
    return text;
  }
}

describe("ordering", () => {
  it("async handlers with random delays still reply in arrival order, one at a time", async () => {
    server = await TestServer.start([Ordered]);
    const c = await server.connect("/ordered");
    const sent = Array.from({ length: 60 }, (_, i) => `m${i}`);
    for (const m of sent) void c.send(m);
    const got: string[] = [];
    for (let i = 0; i < sent.length; i++) got.push(await c.nextText());
    expect(got).toEqual(sent);
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((r) => setImmediate(r));
  }
}
