import "reflect-metadata";
import { describe, expect, it } from "vitest";
import { withCorrelationId, jsonEncoder } from "../../src/codec/json.js";
import { objectEncoder, type EncoderEntry } from "../../src/codec/object-encoder.js";
import { errorReply } from "../../src/codec/invalid-message.js";
import { DecodeError, EncodeError, OnMessage, ServerEndpoint, type Encoder } from "../../src/index.js";
import { createEndpointServer } from "../../src/server/bootstrap.js";
import { silentLogger } from "../../src/metrics/logger.js";

class Shape {}
class Circle extends Shape {
  constructor(readonly r: number) {
    super();
  }
}
class Unit extends Circle {}

function entry(encodes: new (...a: never[]) => unknown, encode: (v: never) => unknown, name = "Enc"): EncoderEntry {
  const type = Object.defineProperty(class {}, "name", { value: name }) as unknown as EncoderEntry["type"];
  (type as unknown as { encodes: unknown }).encodes = encodes;
  return { type, instance: { encode } as Encoder.Text<unknown> };
}

describe("sendObject encoder selection", () => {
  it("with no encoders it is plain JSON", () => {
    expect(objectEncoder([])).toBe(jsonEncoder);
  });

  it("picks the nearest registered class on the prototype chain, else JSON", () => {
    const enc = objectEncoder([entry(Shape, () => "shape"), entry(Circle, (c: Circle) => `circle ${c.r}`)]);
    expect(enc(new Unit(2))).toEqual({ data: "circle 2", binary: false });
    expect(enc(new Shape())).toEqual({ data: "shape", binary: false });
    expect(enc({ r: 1 })).toEqual({ data: '{"r":1}', binary: false });
    expect(enc(Object.create(null))).toEqual({ data: "{}", binary: false });
  });

  it("the first registration of a class wins (endpoint encoders are listed before global ones)", () => {
    const enc = objectEncoder([entry(Circle, () => "endpoint"), entry(Circle, () => "global")]);
    expect(enc(new Circle(1)).data).toBe("endpoint");
  });

  it.each([
    ["Buffer", Buffer.from([1, 2])],
    ["Uint8Array", new Uint8Array([1, 2])],
    ["ArrayBuffer", new Uint8Array([1, 2]).buffer],
  ])("an encoder returning %s produces a binary message", (_n, out) => {
    const r = objectEncoder([entry(Circle, () => out)])(new Circle(1));
    expect(r.binary).toBe(true);
    expect([...(r.data as Buffer)]).toEqual([1, 2]);
  });

  it("a throwing encoder or a wrong return type is an EncodeError naming the encoder", () => {
    const throwing = objectEncoder([entry(Circle, () => { throw new Error("boom"); }, "CircleEncoder")]);
    expect(() => throwing(new Circle(1))).toThrow(new EncodeError("sendObject: CircleEncoder failed to encode a Circle: boom"));
    const wrong = objectEncoder([entry(Circle, () => 42, "CircleEncoder")]);
    expect(() => wrong(new Circle(1))).toThrow(/CircleEncoder\.encode returned number; an Encoder\.Text returns a string/);
  });
});

describe("reply correlation", () => {
  it.each([
    [{ data: '{"a":1}', binary: false }, '{"a":1,"id":"r1"}'],
    [{ data: "{}", binary: false }, '{"id":"r1"}'],
    [{ data: '{"id":"mine"}', binary: false }, '{"id":"mine","id":"r1"}'],
    [{ data: "[1]", binary: false }, "[1]"],
    [{ data: '"text"', binary: false }, '"text"'],
  ])("adds the id to JSON object replies only: %j", (encoded, expected) => {
    expect(withCorrelationId(encoded, "id", "r1").data).toBe(expected);
  });

  it("the request id wins over a same-named field of the reply once parsed", () => {
    expect(JSON.parse(withCorrelationId({ data: '{"id":"mine"}', binary: false }, "id", 5).data as string)).toEqual({ id: 5 });
  });

  it("binary replies are never touched", () => {
    const b = { data: Buffer.from("{}"), binary: true };
    expect(withCorrelationId(b, "id", 1)).toBe(b);
  });
});

describe("error reply shape", () => {
  it("uses the configured discriminator and id fields", () => {
    const e = new DecodeError("UNKNOWN_MESSAGE_TYPE", "m", Buffer.alloc(0), {
      errors: [{ path: "op", constraints: { isIn: "op must be one of the following values: a" } }],
      accepted: ["a"],
      replyId: 3,
    });
    expect(errorReply(e, { typeField: "op", idField: "rid" })).toBe(
      '{"op":"error","code":"UNKNOWN_MESSAGE_TYPE","errors":[{"path":"op","constraints":{"isIn":"op must be one of the following values: a"}}],"accepted":["a"],"rid":3}',
    );
  });

  it("keeps at most 50 field errors however many the message got wrong", () => {
    const errors = Array.from({ length: 80 }, (_, i) => ({ path: `f${i}`, constraints: { x: "y" } }));
    const reply = JSON.parse(errorReply(new DecodeError("VALIDATION_FAILED", "m", Buffer.alloc(0), { errors }), { typeField: "type", idField: "id" }));
    expect(reply.errors).toHaveLength(50);
  });
});

describe("the plain string path stays cheap", () => {
  it("a single string handler is compiled as a direct handler that never parses JSON", () => {
    @ServerEndpoint("/plain-string")
    class PlainString {
      @OnMessage() text(msg: string) {
        return msg;
      }
    }
    const { server } = createEndpointServer({ endpoints: [PlainString], logger: silentLogger });
    const router = server.endpoints[0]!.onText!;
    expect(router.direct?.label).toBe("PlainString.text");
    expect(router.direct?.binding.fromJson).toBeUndefined();
    expect(router.direct?.decode(Buffer.from("{not json"))).toBe("{not json");
  });
});
