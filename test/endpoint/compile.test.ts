import "reflect-metadata";
import { describe, expect, it } from "vitest";
import {
  CloseReason,
  EndpointDefinitionError,
  ErrorCodes,
  OnClose,
  OnError,
  OnMessage,
  OnOpen,
  Payload,
  PathParam,
  ServerEndpoint,
  Session,
} from "../../src/index.js";
import { compileEndpoints } from "../../src/endpoint/compile-server.js";
import type { EndpointClass } from "../../decorators/metadata.js";

function problemsOf(classes: EndpointClass[]): string[] {
  try {
    compileEndpoints(classes, { maxMessageSize: 1024 });
  } catch (error) {
    expect(error).toBeInstanceOf(EndpointDefinitionError);
    expect((error as EndpointDefinitionError).code).toBe(ErrorCodes.ENDPOINT_DEFINITION);
    return (error as EndpointDefinitionError).message.split("\n").slice(1);
  }
  return [];
}

interface Shape {
  x: number;
}

describe("compileEndpoints reports every bad declaration at once", () => {
  it("a class without @ServerEndpoint", () => {
    class Plain {}
    expect(problemsOf([Plain])).toEqual([
      '  - Plain: has no @ServerEndpoint decorator. Fix: add @ServerEndpoint("/path") to class Plain, or remove it from the endpoints list.',
    ]);
  });

  it("two endpoints on the same path, and on equivalent templates", () => {
    @ServerEndpoint("/same") class One {}
    @ServerEndpoint("/same") class Two {}
    @ServerEndpoint("/t/{a}") class Three {}
    @ServerEndpoint("/t/{b}") class Four {}
    expect(problemsOf([One, Two, Three, Four])).toEqual([
      '  - Two: path "/same" is already used by One. Fix: give each endpoint its own path.',
      '  - Four: path "/t/{b}" matches exactly the same requests as "/t/{a}" of Three. Fix: give each endpoint its own path.',
    ]);
  });

  it("@PathParam naming no template variable", () => {
    @ServerEndpoint("/rooms/{room}")
    class Rooms {
      @OnOpen() open(@PathParam("rom") room: string) {
        void room;
      }
    }
    expect(problemsOf([Rooms])).toEqual([
      '  - Rooms.open parameter #0: @PathParam("rom") names no variable of the path template (variables: {room}). Fix: use one of the template\'s variable names, or add {rom} to the @ServerEndpoint path.',
    ]);
  });

  it("parameters the resolver cannot satisfy, with their index", () => {
    @ServerEndpoint("/p")
    class Params {
      @OnOpen() open(session: Session, when: Date) {
        void session, when;
      }
      @OnMessage() msg(shape: Shape) {
        void shape;
      }
      @OnClose() close(error: Error) {
        void error;
      }
      @OnError() err(reason: CloseReason) {
        void reason;
      }
    }
    expect(problemsOf([Params])).toEqual([
      "  - Params.open parameter #1: cannot supply a value of type Date to an @OnOpen method. Fix: use Session, CloseReason (@OnClose), Error (@OnError), or mark it with @PathParam(name) / @QueryParam(name); inject services through the constructor.",
      "  - Params.msg parameter #0: its declared type does not exist at run time (an interface, a union, any, or an `import type`). Fix: declare the payload as string, TextMessage, Buffer, ArrayBuffer, Uint8Array, PongMessage or a class (DTO) imported as a value.",
      "  - Params.close parameter #0: an Error parameter is only available to @OnError methods. Fix: remove the parameter or move it to the @OnError method.",
      "  - Params.err parameter #0: a CloseReason is only available to @OnClose methods. Fix: remove the parameter or move it to the @OnClose method.",
    ]);
  });

  it("two handlers for the same message kind, and a message handler without payload", () => {
    @ServerEndpoint("/dup")
    class Dup {
      @OnMessage() a(text: string) {
        void text;
      }
      @OnMessage() b(text: string, session: Session) {
        void text, session;
      }
      @OnMessage() c(session: Session) {
        void session;
      }
      @OnOpen() o1() {}
      @OnOpen() o2() {}
    }
    expect(problemsOf([Dup])).toEqual([
      "  - Dup.c: an @OnMessage method needs a payload parameter. Fix: declare exactly one parameter of type string or TextMessage (text), Buffer/ArrayBuffer/Uint8Array (binary), PongMessage, or a DTO class.",
      "  - Dup.o2: Dup.o1 already handles @OnOpen. Fix: keep one handler per lifecycle event and message kind (text, binary, pong).",
      "  - Dup.b: Dup.a already takes every text message (its payload type has no decoder with willDecode). Fix: give the decoders willDecode(), route JSON by @OnMessage({ type }), or keep one catch-all handler.",
    ]);
  });

  it("malformed templates, for several classes together", () => {
    @ServerEndpoint("no-slash") class A {}
    @ServerEndpoint("/x/{y") class B {}
    const lines = problemsOf([A, B]);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('A: @ServerEndpoint path "no-slash" must start with "/".');
    expect(lines[1]).toContain('B: @ServerEndpoint path "/x/{y" has a malformed variable segment "{y"');
  });

  it("explicit @Payload(Type) works without emitted metadata", () => {
    @ServerEndpoint("/explicit")
    class Explicit {
      @OnMessage() m(@Payload(Buffer) data: unknown) {
        return data;
      }
    }
    const [ep] = compileEndpoints([Explicit], { maxMessageSize: 1024 });
    expect(ep!.onBinary?.handlers.map((h) => h.label)).toEqual(["Explicit.m"]);
    expect(ep!.onText).toBeNull();
  });

  it("the compiled endpoint is frozen", () => {
    @ServerEndpoint("/frozen")
    class Frozen {
      @OnMessage() m(text: string) {
        return text;
      }
    }
    const [ep] = compileEndpoints([Frozen], { maxMessageSize: 1024 });
    expect(Object.isFrozen(ep)).toBe(true);
    expect(Object.isFrozen(ep!.onText)).toBe(true);
  });
});
