import "reflect-metadata";
import { IsString } from "class-validator";
import { afterEach, describe, expect, it } from "vitest";
import { clearEndpointRegistry } from "../../decorators/metadata.js";
import { EndpointDefinitionError, InvalidOptionsError, OnMessage, ServerEndpoint, type Decoder } from "../../src/index.js";
import { resolveOptions } from "../../src/server/options.js";
import { EndpointHarness } from "../../src/testing/index.js";

class Chat {
  @IsString() text!: string;
}
class Join {
  @IsString() room!: string;
}
class Plain {
  text!: string;
}
class Point {
  x = 0;
}
class PointDecoder implements Decoder.Text<Point> {
  static readonly decodes = Point;
  decode(): Point {
    return new Point();
  }
}
class SelectiveDecoder implements Decoder.Text<Point> {
  static readonly decodes = Point;
  willDecode(text: string): boolean {
    return text.startsWith("p");
  }
  decode(): Point {
    return new Point();
  }
}
class NeedsString implements Decoder.Text<Point> {
  static readonly decodes = Point;
  constructor(readonly prefix: string) {}
  decode(): Point {
    return new Point();
  }
}

afterEach(() => clearEndpointRegistry());

function problemsOf(type: new () => object): string[] {
  try {
    EndpointHarness.create(type);
  } catch (error) {
    expect(error).toBeInstanceOf(EndpointDefinitionError);
    return (error as EndpointDefinitionError).problems.map((p) => `${p.where}${p.parameterIndex === undefined ? "" : ` #${p.parameterIndex}`}: ${p.problem}`);
  }
  throw new Error("expected an EndpointDefinitionError");
}

describe("routing declarations are checked at bootstrap", () => {
  it("two handlers for the same type are ambiguous", () => {
    @ServerEndpoint("/a")
    class TwoChats {
      @OnMessage({ type: "chat" }) a(m: Chat) {}
      @OnMessage({ type: "chat" }) b(m: Chat) {}
    }
    expect(problemsOf(TwoChats)).toEqual(['TwoChats.b: type "chat" is already handled by TwoChats.a.']);
  });

  it("an untyped text handler next to typed ones is ambiguous", () => {
    @ServerEndpoint("/a")
    class Mixed {
      @OnMessage({ type: "chat" }) a(m: Chat) {}
      @OnMessage() b(text: string) {}
    }
    expect(problemsOf(Mixed)).toEqual([
      'Mixed.b: has no type, but other text handlers of this endpoint route by "type" ("chat"); which one takes a message would be ambiguous.',
    ]);
  });

  it("a type on a binary handler is refused", () => {
    @ServerEndpoint("/a")
    class TypedBinary {
      @OnMessage({ type: "blob" }) a(b: Buffer) {}
    }
    expect(problemsOf(TypedBinary)).toEqual([
      'TypedBinary.a: @OnMessage({ type: "blob" }) is on a binary handler; typed routing reads JSON text envelopes.',
    ]);
  });

  it("a typed handler whose payload comes from a user decoder is refused", () => {
    @ServerEndpoint({ path: "/a", decoders: [PointDecoder] })
    class TypedDecoder {
      @OnMessage({ type: "p" }) a(p: Point) {}
    }
    expect(problemsOf(TypedDecoder)).toEqual([
      "TypedDecoder.a: a typed handler's payload is decoded by PointDecoder, but typed routing hands over parsed JSON.",
    ]);
  });

  it("two handlers that both take every text message are ambiguous", () => {
    @ServerEndpoint("/a")
    class TwoCatchAll {
      @OnMessage() a(text: string) {}
      @OnMessage() b(m: Chat) {}
    }
    expect(problemsOf(TwoCatchAll)).toEqual([
      "TwoCatchAll.b: TwoCatchAll.a already takes every text message (its payload type has no decoder with willDecode).",
    ]);
  });

  it("a selective decoder handler plus one catch-all is accepted", () => {
    @ServerEndpoint({ path: "/a", decoders: [SelectiveDecoder] })
    class Fine {
      @OnMessage() a(p: Point) {}
      @OnMessage() b(text: string) {}
    }
    expect(() => EndpointHarness.create(Fine)).not.toThrow();
  });

  it("a class without decoder and without class-validator rules is refused with the fix", () => {
    @ServerEndpoint("/a")
    class Bare {
      @OnMessage() a(p: Plain) {}
    }
    expect(problemsOf(Bare)).toEqual([
      "Bare.a #0: class Plain has no decoder (list one with static decodes = Plain in decoders) and no class-validator decorators (so it cannot be validated as a DTO).",
    ]);
  });

  it("a handler maxMessageSize above the endpoint limit, an empty type and bad codec options are all reported together", () => {
    @ServerEndpoint({ path: "/a", maxMessageSize: 100, invalidMessages: "shout" as never, decoders: [Point as never] })
    class BadOptions {
      @OnMessage({ maxMessageSize: 101 }) a(text: string) {}
    }
    @ServerEndpoint({ path: "/b", maxMessageSize: 100 })
    class BadHandler {
      @OnMessage({ maxMessageSize: 101 }) a(text: string) {}
      @OnMessage({ type: "" }) b(m: Join) {}
    }
    let error: EndpointDefinitionError | undefined;
    try {
      EndpointHarness.create(BadOptions);
    } catch (e) {
      error = e as EndpointDefinitionError;
    }
    expect(error?.problems.map((p) => p.problem)).toEqual([
      '@ServerEndpoint.decoders[0] (Point) has no static "decodes" naming the class it handles (e.g. static readonly decodes = ChatMessage).',
      '@ServerEndpoint.invalidMessages must be one of "reply", "close-1007", "close-1008", "on-error"; got "shout".',
    ]);
    expect(problemsOf(BadHandler)).toEqual([
      "BadHandler.a: maxMessageSize must be a positive integer of bytes no larger than the endpoint's limit (100); got 101.",
      'BadHandler.b: @OnMessage type must be a non-empty string; got "".',
    ]);
  });

  it("a decoder whose constructor cannot be injected is a bootstrap problem", () => {
    @ServerEndpoint({ path: "/a", decoders: [NeedsString] })
    class UsesBadDecoder {
      @OnMessage() a(p: Point) {}
    }
    expect(problemsOf(UsesBadDecoder)).toEqual([
      "NeedsString: its constructor takes parameters but the compiler emitted no types for them.",
      "UsesBadDecoder.a #0: NeedsString cannot be constructed (see above).",
    ]);
  });
});

describe("global codec options are validated with the other bootstrap options", () => {
  it.each([
    [{ invalidMessages: "drop" }, 'codecs.invalidMessages must be one of "reply", "close-1007", "close-1008", "on-error"; got "drop"'],
    [{ encoders: {} }, "codecs.encoders must be an array of classes"],
    [{ envelope: { typeField: "" } }, "codecs.envelope.typeField must be a non-empty string"],
    [{ envelope: { dataField: 3 } }, "codecs.envelope.dataField must be a non-empty string or null"],
    [{ validation: 5 }, "codecs.validation must be { validator?: ValidatorOptions, transformer?: ClassTransformOptions }"],
  ])("%j is refused", (codecs, message) => {
    expect(() => resolveOptions({ codecs: codecs as never })).toThrow(new InvalidOptionsError(`Invalid bootstrap options: ${message}.`));
  });
});
