import "reflect-metadata";
import { describe, expectTypeOf, it } from "vitest";
import { Point, PointDecoder } from "../../docs/snippets/point-codec.js";
import { ServerEndpoint, type CodecOptions, type Decoder, type DecoderClass, type Encoder, type ErrorReply, type ServerEndpointOptions } from "../../src/index.js";

class NoTarget implements Decoder.Text<Point> {
  decode(): Point {
    return new Point(0, 0);
  }
}

describe("codec typings", () => {
  it("decoders may be sync or async; encoders are sync", () => {
    expectTypeOf<Decoder.Text<Point>["decode"]>().returns.toEqualTypeOf<Point | PromiseLike<Point>>();
    expectTypeOf<Decoder.Binary<Point>["decode"]>().parameter(0).toEqualTypeOf<Buffer>();
    expectTypeOf<Encoder.Text<Point>["encode"]>().returns.toEqualTypeOf<string>();
    expectTypeOf<Encoder.Binary<Point>["encode"]>().returns.toEqualTypeOf<Buffer | Uint8Array | ArrayBuffer>();
  });

  it("a decoder class must name its target class in static decodes", () => {
    expectTypeOf(PointDecoder).toExtend<DecoderClass>();
    expectTypeOf(NoTarget).not.toExtend<DecoderClass>();
    expectTypeOf<ServerEndpointOptions>().toExtend<CodecOptions>();
    // @ts-expect-error NoTarget has no static decodes
    ServerEndpoint({ path: "/typed", decoders: [NoTarget] });
  });

  it("the error reply type matches the wire shape", () => {
    expectTypeOf<ErrorReply["errors"][number]>().toEqualTypeOf<{ readonly path: string; readonly constraints: Readonly<Record<string, string>> }>();
    expectTypeOf<ErrorReply["code"]>().toExtend<string>();
  });
});
