import "reflect-metadata";
import { describe, expect, it } from "vitest";
import { registeredEndpoints } from "../../decorators/metadata.js";
import { compileClientEndpoint } from "../../src/endpoint/compile-client.js";
import { jsonEncoder } from "../../src/codec/json.js";
import { compileEndpoint } from "../../src/endpoint/compile-server.js";
import { ClientEndpoint, EndpointDefinitionError, OnClose, OnError, OnMessage, OnOpen, PathParam, Session, CloseReason } from "../../src/index.js";

const settings = { maxMessageSize: 1024 };

interface NotAClass {
  x: number;
}

describe("compileClientEndpoint", () => {
  it("compiles handlers with the shared argument resolvers and the client's options", () => {
    @ClientEndpoint({ subprotocols: ["feed.v1"], maxMessageSize: 64 })
    class Feed {
      @OnOpen() open(_s: Session) {}
      @OnMessage() text(_t: string, _s: Session) {}
      @OnMessage() bin(_b: Buffer) {}
      @OnClose() close(_r: CloseReason) {}
      @OnError() error(_e: Error) {}
    }
    const c = compileClientEndpoint(Feed, settings);
    expect(c.name).toBe("Feed");
    expect(c.subprotocols).toEqual(["feed.v1"]);
    expect(c.maxMessageSize).toBe(64);
    expect(c.onText?.direct?.label).toBe("Feed.text");
    expect(c.onText?.direct?.args).toHaveLength(2);
    expect(c.onBinary?.kind).toBe("binary");
    expect(c.encode).toBe(jsonEncoder);
    expect(Object.isFrozen(c)).toBe(true);
    expect("template" in c).toBe(false);
  });

  it("passes the client's options to the codec hooks, so codecs apply to clients as to servers", () => {
    class Quote {}
    const seen: unknown[] = [];
    @ClientEndpoint({ invalidMessages: "close-1008" })
    class Q {
      @OnMessage() quote(_q: Quote) {}
    }
    const encoder = () => ({ data: "x", binary: false });
    const c = compileClientEndpoint(Q, {
      maxMessageSize: 1024,
      payloadFor: (type, endpoint) => (seen.push([type, endpoint.invalidMessages]), { kind: "text", decode: (b: Buffer) => b.toString() }),
      encoderFor: () => encoder,
    });
    expect(seen).toEqual([[Quote, "close-1008"]]);
    expect(c.encode).toBe(encoder);
  });

  it("reports codec option mistakes as @ClientEndpoint problems", () => {
    @ClientEndpoint({ invalidMessages: "ignore" as never })
    class BadCodec {}
    expect(() => compileClientEndpoint(BadCodec, settings)).toThrow(/BadCodec: @ClientEndpoint\.invalidMessages must be one of/);
  });

  it("reports a class without @ClientEndpoint, naming the fix", () => {
    class Plain {}
    expect(() => compileClientEndpoint(Plain, settings)).toThrow(EndpointDefinitionError);
    expect(() => compileClientEndpoint(Plain, settings)).toThrow("Plain: has no @ClientEndpoint decorator. Fix: add @ClientEndpoint() to class Plain");
  });

  it("reports every bad parameter at once with class, method and index", () => {
    @ClientEndpoint()
    class Bad {
      @OnMessage() a(_m: NotAClass) {}
      @OnOpen() b(_s: Session, @PathParam("id") _id: string) {}
    }
    let error: EndpointDefinitionError | undefined;
    try {
      compileClientEndpoint(Bad, settings);
    } catch (e) {
      error = e as EndpointDefinitionError;
    }
    expect(error?.code).toBe("WSE_ERR_ENDPOINT_DEFINITION");
    expect(error?.problems.map((p) => [p.where, p.parameterIndex])).toEqual([
      ["Bad.a", 0],
      ["Bad.b", 1],
    ]);
  });

  it("rejects invalid @ClientEndpoint options", () => {
    @ClientEndpoint({ subprotocols: ["has space"], maxMessageSize: 0 })
    class Opts {}
    expect(() => compileClientEndpoint(Opts, settings)).toThrow(/maxMessageSize must be a positive integer[\s\S]*subprotocols must be a list of HTTP tokens/);
  });

  it("keeps client classes out of server discovery, and the server compiler refuses them", () => {
    @ClientEndpoint()
    class OnlyClient {
      @OnMessage() t(_t: string) {}
    }
    expect(registeredEndpoints()).not.toContain(OnlyClient);
    expect(() => compileEndpoint(OnlyClient, settings)).toThrow("OnlyClient: has no @ServerEndpoint decorator.");
  });

  it("@ClientEndpoint refuses a non-object argument at decoration time", () => {
    expect(() => ClientEndpoint("/path" as never)).toThrow(TypeError);
  });
});
