import "reflect-metadata";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  EncodeError,
  EndpointDefinitionError,
  ErrorCodes,
  ErrorParam,
  HandlerError,
  OnClose,
  OnError,
  OnMessage,
  OnOpen,
  QueryParam,
  ServerEndpoint,
  Session,
  defaultLogger,
  silentLogger,
  type Logger,
} from "../../src/index.js";
import { compileEndpoint } from "../../src/endpoint/compile-server.js";
import { EndpointHarness, TestServer } from "../../src/testing/index.js";

// Issue #18: @OnError receives what was thrown (Tyrus unwraps InvocationTargetException), @OnClose
// failures reach @OnError, and a failed @OnOpen follows one documented rule.

const SETTINGS = { maxMessageSize: 1024 };
let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

class MyDomainError extends Error {
  readonly closeCode = 4000; // a user field: must not choose the close code
}

const seen: unknown[] = [];

@ServerEndpoint("/domain")
class Domain {
  @OnMessage() async message(text: string) {
    if (text === "sync") throw new MyDomainError("sync domain");
    if (text === "async") {
      await Promise.resolve();
      throw new MyDomainError("async domain");
    }
    if (text === "string") throw "a plain string";
    if (text === "json") return "not json {";
    return `ok:${text}`;
  }
  @OnError() error(err: unknown, session: Session) {
    seen.push(err);
    const name = err instanceof MyDomainError ? "MyDomainError" : (err as Error).constructor.name;
    session.getAsyncRemote().sendText(`error:${name}:${(err as Error).message}`);
  }
}

@ServerEndpoint("/domain-typed")
class DomainTyped {
  @OnMessage() message(text: string) {
    if (text === "range") throw new RangeError("out of range");
    throw new MyDomainError("domain");
  }
  // Declared as a subclass: still receives every error as thrown, nothing is filtered out.
  @OnError() error(session: Session, err: MyDomainError) {
    session.getAsyncRemote().sendText(`${err.constructor.name}:${err.message}`);
  }
}

describe("@OnError receives the error that was thrown", () => {
  it("passes a thrown or rejected domain error itself, typed unknown, and keeps the session", async () => {
    seen.length = 0;
    server = await TestServer.start([Domain]);
    const c = await server.connect("/domain");
    for (const m of ["sync", "1", "async", "2"]) await c.send(m);
    expect([await c.nextText(), await c.nextText(), await c.nextText(), await c.nextText()]).toEqual([
      "error:MyDomainError:sync domain",
      "ok:1",
      "error:MyDomainError:async domain",
      "ok:2",
    ]);
    expect(seen.every((e) => e instanceof MyDomainError)).toBe(true);
  });

  it("passes a thrown non-Error value as a HandlerError holding it in cause and naming the handler", async () => {
    seen.length = 0;
    server = await TestServer.start([Domain]);
    const c = await server.connect("/domain");
    await c.send("string");
    expect(await c.nextText()).toBe("error:HandlerError:Domain.message failed: a plain string");
    const err = seen[0] as HandlerError;
    expect(err).toBeInstanceOf(HandlerError);
    expect([err.code, err.handler, err.cause]).toEqual([ErrorCodes.HANDLER_FAILED, "Domain.message", "a plain string"]);
  });

  it("delivers every error to a parameter typed as an Error subclass, unfiltered", async () => {
    server = await TestServer.start([DomainTyped]);
    const c = await server.connect("/domain-typed");
    await c.send("range");
    await c.send("x");
    expect([await c.nextText(), await c.nextText()]).toEqual(["RangeError:out of range", "MyDomainError:domain"]);
  });

  it("without @OnError closes with 1011 (not a user error's closeCode field) and logs the handler name", async () => {
    @ServerEndpoint("/domain-bare")
    class Bare {
      @OnMessage() message(_t: string): string {
        throw new MyDomainError("secret");
      }
    }
    const logged: unknown[] = [];
    const logger: Logger = { ...silentLogger, warn: (o) => logged.push(o) };
    server = await TestServer.start([Bare], { logger });
    const c = await server.connect("/domain-bare");
    await c.send("x");
    expect(await c.closed).toEqual({ code: 1011, reason: "internal error" });
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ handler: "Bare.message" });
    expect((logged[0] as { err: unknown }).err).toBeInstanceOf(MyDomainError);
  });
});

describe("framework errors stay typed", () => {
  it("an EncodeError rejected by an awaited send inside an async handler reaches @OnError as itself", async () => {
    @ServerEndpoint("/framework")
    class Framework {
      @OnMessage() async m(_t: string, session: Session) {
        await session.getBasicRemote().sendObject(new Map([["k", 1]]));
      }
      @OnError() e(err: unknown, session: Session) {
        session.getAsyncRemote().sendText(`${(err as EncodeError).constructor.name}:${(err as EncodeError).code}`);
      }
    }
    server = await TestServer.start([Framework]);
    const c = await server.connect("/framework");
    await c.send("x");
    expect(await c.nextText()).toBe(`EncodeError:${ErrorCodes.ENCODE_FAILED}`);
  });
});

describe("the default logger", () => {
  it("names the handler that threw next to the user's error", async () => {
    @ServerEndpoint("/logged")
    class Logged {
      @OnMessage() message(_t: string): string {
        throw new MyDomainError("secret");
      }
    }
    const lines: string[] = [];
    const write = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      server = await TestServer.start([Logged], { logger: defaultLogger });
      const c = await server.connect("/logged");
      await c.send("x");
      expect((await c.closed).code).toBe(1011);
    } finally {
      write.mockRestore();
    }
    const line = lines.find((l) => l.includes("closing session with 1011"));
    expect(line).toMatch(/^ws-endpoints warn: Logged: closing session with 1011 \(no @OnError\) \(in Logged\.message\): Error: secret\n/);
  });
});

describe("@OnError parameter types", () => {
  it("accepts unknown/any/Object and Error subclasses as the error parameter", () => {
    @ServerEndpoint("/t")
    class Types {
      @OnMessage() m(_t: string) {}
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      @OnError() e(_a: any) {}
    }
    expect(compileEndpoint(Types, SETTINGS).onError).not.toBeNull();
  });

  it("refuses at bootstrap an error parameter whose class can never be thrown as an error, naming class, method and parameter", () => {
    class NotAnError {
      x = 1;
    }
    @ServerEndpoint("/t")
    class Wrong {
      @OnMessage() m(_t: string) {}
      @OnError() e(_s: Session, _err: NotAnError) {}
    }
    let error: unknown;
    try {
      compileEndpoint(Wrong, SETTINGS);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EndpointDefinitionError);
    const p = (error as EndpointDefinitionError).problems;
    expect(p).toHaveLength(1);
    expect(p[0]).toMatchObject({ where: "Wrong.e", parameterIndex: 1 });
    expect(p[0]!.problem).toContain("NotAnError");
    expect(p[0]!.fix).toContain("unknown, Error or an Error subclass");
  });

  it("refuses two parameters that would both receive the error (a Session imported with `import type` is Object)", () => {
    @ServerEndpoint("/t")
    class Twice {
      @OnMessage() m(_t: string) {}
      @OnError() e(_s: object, _err: unknown) {}
    }
    let error: unknown;
    try {
      compileEndpoint(Twice, SETTINGS);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EndpointDefinitionError);
    expect((error as EndpointDefinitionError).problems).toMatchObject([{ where: "Twice.e", parameterIndex: 1 }]);
    expect((error as EndpointDefinitionError).problems[0]!.fix).toContain("import type");
  });

  it("@ErrorParam() marks the error parameter without metadata", () => {
    @ServerEndpoint("/t")
    class Marked {
      @OnMessage() m(_t: string) {}
      @OnError() e(@ErrorParam() _err: unknown) {}
    }
    expect(compileEndpoint(Marked, SETTINGS).onError).not.toBeNull();
  });
});

const closeLog: string[] = [];

@ServerEndpoint("/close-throws")
class CloseThrows {
  @OnMessage() m(t: string) {
    return t;
  }
  @OnClose() async close(session: Session) {
    closeLog.push(`close ${session.isOpen()}`);
    if (session.getQueryString() === "async") {
      await Promise.resolve();
      throw new MyDomainError("async close failed");
    }
    throw new MyDomainError("close failed");
  }
  @OnError() error(err: unknown) {
    closeLog.push(`error ${(err as Error).constructor.name}:${(err as Error).message}`);
    // Closing again from @OnError must not run @OnClose a second time.
    throw new Error("onError also fails");
  }
}

describe("@OnClose failures", () => {
  it.each(["sync", "async"])("an error thrown by @OnClose (%s) goes to @OnError once, then is logged; @OnClose runs once", async (mode) => {
    closeLog.length = 0;
    const logged: Array<{ msg: string; err: unknown }> = [];
    const logger: Logger = { ...silentLogger, error: (o, msg) => logged.push({ msg: String(msg), err: (o as { err: unknown }).err }) };
    server = await TestServer.start([CloseThrows], { logger });
    const c = await server.connect(`/close-throws?${mode}`);
    await c.send("x");
    expect(await c.nextText()).toBe("x");
    await c.close(1000);
    await server.close();
    server = undefined;
    const message = mode === "async" ? "async close failed" : "close failed";
    expect(closeLog).toEqual(["close false", `error MyDomainError:${message}`]);
    expect(logged.map((l) => l.msg).sort()).toEqual(["CloseThrows.close threw", "CloseThrows.error threw"]);
    expect(logged.find((l) => l.msg === "CloseThrows.close threw")!.err).toBeInstanceOf(MyDomainError);
  });
});

const openLog: string[] = [];

@ServerEndpoint("/open-fails")
class OpenFails {
  @OnOpen() open(session: Session) {
    if (session.getQueryString() === "async") return Promise.reject(new MyDomainError("async open failed"));
    throw new MyDomainError("open failed");
  }
  @OnMessage() m(t: string) {
    return `echo:${t}`;
  }
  @OnError() error(err: unknown, session: Session) {
    openLog.push((err as Error).message);
    if (session.getRequestParameterMap().has("rethrow")) throw err;
    session.getAsyncRemote().sendText(`handled:${(err as Error).message}`);
  }
}

@ServerEndpoint("/open-fails-bare")
class OpenFailsBare {
  @OnOpen() open() {
    throw new MyDomainError("open failed");
  }
  @OnMessage() m(t: string) {
    return t;
  }
}

describe("a failed @OnOpen", () => {
  it.each(["sync", "async"])("(%s) goes to @OnError; when @OnError returns, the session stays open", async (mode) => {
    openLog.length = 0;
    server = await TestServer.start([OpenFails]);
    const c = await server.connect(`/open-fails?${mode}`);
    const message = mode === "async" ? "async open failed" : "open failed";
    expect(await c.nextText()).toBe(`handled:${message}`);
    await c.send("still open");
    expect(await c.nextText()).toBe("echo:still open");
  });

  it("closes with 1011 when @OnError throws for it", async () => {
    server = await TestServer.start([OpenFails]);
    const c = await server.connect("/open-fails?rethrow");
    expect(await c.closed).toEqual({ code: 1011, reason: "internal error" });
    expect(c.pending).toEqual([]);
  });

  it("closes with 1011 without @OnError", async () => {
    server = await TestServer.start([OpenFailsBare]);
    const c = await server.connect("/open-fails-bare");
    expect(await c.closed).toEqual({ code: 1011, reason: "internal error" });
  });
});


const queryOpens: unknown[] = [];

@ServerEndpoint("/query/{id}")
class TypedQuery {
  @OnOpen() open(@QueryParam("limit") limit: number, @QueryParam("all") all: boolean, @QueryParam("name") name: string) {
    queryOpens.push([limit, all, name]);
  }
  @OnMessage() m(t: string) {
    return t;
  }
}

describe("@QueryParam conversion failures", () => {
  it.each(["limit=ten", "limit=1&all=yes", "limit=&all=true"])("are refused with HTTP 400 before the upgrade, like @PathParam (%s)", async (query) => {
    queryOpens.length = 0;
    server = await TestServer.start([TypedQuery]);
    await expect(server.connect(`/query/1?${query}`)).rejects.toMatchObject({ status: 400 });
    expect(queryOpens).toEqual([]);
  });

  it("accept absent parameters and convert present ones (first value wins)", async () => {
    queryOpens.length = 0;
    server = await TestServer.start([TypedQuery]);
    const c = await server.connect("/query/1?limit=5&limit=x&name=a%20b");
    await c.send("x");
    expect(await c.nextText()).toBe("x");
    expect(queryOpens).toEqual([[5, undefined, "a b"]]);
  });

  it("EndpointHarness.connect refuses them the same way", async () => {
    const harness = EndpointHarness.create(TypedQuery);
    try {
      await expect(harness.connect({ path: "/query/1", query: "all=maybe" })).rejects.toMatchObject({ status: 400, code: ErrorCodes.HANDSHAKE_REJECTED });
      expect((await harness.connect({ path: "/query/1", query: "all=true" })).session.isOpen()).toBe(true);
    } finally {
      await harness.shutdown();
    }
  });
});
