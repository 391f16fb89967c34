import "reflect-metadata";
import { Type } from "class-transformer";
import { ArrayMaxSize, IsInt, IsString, Length, MaxLength, Min, ValidateNested } from "class-validator";
import { injectable } from "tsyringe";
import { afterEach, describe, expect, it } from "vitest";
import {
  DecodeError,
  OnError,
  OnMessage,
  ServerEndpoint,
  Session,
  type Decoder,
  type Encoder,
} from "../../src/index.js";
import { TestServer } from "../../src/testing/index.js";

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}
class Point3 extends Point {
  constructor(x: number, y: number, readonly z: number) {
    super(x, y);
  }
}

@injectable()
class Units {
  readonly suffix = "px";
}

/** "x,y" text; constructed by tsyringe with a dependency. */
@injectable()
class PointTextDecoder implements Decoder.Text<Point> {
  static readonly decodes = Point;
  constructor(readonly units: Units) {}
  willDecode(text: string): boolean {
    return /^-?\d+,-?\d+/.test(text);
  }
  decode(text: string): Point {
    const [x, y] = text.replace(new RegExp(this.units.suffix, "g"), "").split(",").map(Number);
    if (!Number.isFinite(x) || !Number.isFinite(y)) throw new Error(`bad point ${text}`);
    return new Point(x!, y!);
  }
}
class PointTextEncoder implements Encoder.Text<Point> {
  static readonly encodes = Point;
  encode(p: Point): string {
    return `point(${p.x},${p.y})`;
  }
}
/** 8 bytes: two int32 big-endian; async on purpose. */
class PointBinaryDecoder implements Decoder.Binary<Point> {
  static readonly decodes = Point;
  static readonly binary = true;
  async decode(data: Buffer): Promise<Point> {
    if (data.length !== 8) throw new RangeError(`expected 8 bytes, got ${data.length}`);
    return new Point(data.readInt32BE(0), data.readInt32BE(4));
  }
}
class Point3BinaryEncoder implements Encoder.Binary<Point3> {
  static readonly encodes = Point3;
  encode(p: Point3): Buffer {
    const b = Buffer.alloc(12);
    b.writeInt32BE(p.x, 0);
    b.writeInt32BE(p.y, 4);
    b.writeInt32BE(p.z, 8);
    return b;
  }
}

@ServerEndpoint({ path: "/geo", decoders: [PointTextDecoder, PointBinaryDecoder], encoders: [PointTextEncoder, Point3BinaryEncoder] })
class TextGeo {
  errors: DecodeError[] = [];
  @OnMessage() point(p: Point, session: Session): Point {
    if (p.x === 3) void session.getBasicRemote().sendObject(new Point3(p.x, p.y, 9));
    return new Point(p.x * 2, p.y * 2);
  }
  @OnError() failed(e: Error, session: Session) {
    if (e instanceof DecodeError) void session.getBasicRemote().sendText(`onError ${e.reason} ${e.decoder ?? "-"}`);
  }
}

class Author {
  @IsString() @Length(2, 20) name!: string;
}
class ChatMessage {
  @IsString() @MaxLength(500) text!: string;
  @ValidateNested() @Type(() => Author) author!: Author;
  @IsString({ each: true }) @ArrayMaxSize(3) tags: string[] = [];
}
class Join {
  @IsString() @Length(1, 16) room!: string;
}
class Count {
  @IsInt() @Min(0) n!: number;
}

@ServerEndpoint("/chat")
class Chat {
  @OnMessage({ type: "chat" }) chat(m: ChatMessage) {
    return { type: "ack", text: m.text, by: m.author.name, instance: m instanceof ChatMessage };
  }
  @OnMessage({ type: "join" }) async join(j: Join) {
    await Promise.resolve();
    return { type: "joined", room: j.room };
  }
  @OnMessage({ type: "raw" }) raw(text: string) {
    return `raw:${text}`;
  }
  @OnError() failed(e: Error, session: Session) {
    session.getAsyncRemote().sendText(`onError ${(e as DecodeError).reason}`);
  }
}

@ServerEndpoint({ path: "/count", invalidMessages: "close-1008" })
class CountStrict {
  @OnMessage() count(c: Count) {
    return { n: c.n + 1 };
  }
}
@ServerEndpoint({ path: "/count-quiet", invalidMessages: "on-error" })
class CountQuiet {
  @OnMessage() count(c: Count) {
    return { n: c.n + 1 };
  }
  @OnError() failed(e: Error, session: Session) {
    session.getAsyncRemote().sendText(`onError ${(e as DecodeError).reason} ${(e as DecodeError).errors.map((f) => f.path).join(",")}`);
  }
}
@ServerEndpoint({ path: "/count-nohandler" })
class CountNoErrorHandler {
  @OnMessage() count(c: Count) {
    return { n: c.n + 1 };
  }
}
@ServerEndpoint({ path: "/envelope", envelope: { typeField: "op", dataField: "data", idField: "rid" } })
class DataEnvelope {
  @OnMessage({ type: "add" }) add(c: Count) {
    return { op: "sum", n: c.n + 1 };
  }
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("decoders and encoders over sockets", () => {
  it("decodes text with a DI-constructed decoder and encodes the reply with the class's encoder", async () => {
    server = await TestServer.start([TextGeo]);
    const c = await server.connect("/geo");
    await c.send("2,5px");
    expect(await c.next()).toEqual({ type: "text", data: "point(4,10)" });
  });

  it("decodes binary with an async decoder; a subclass encoder wins over its parent's on the prototype chain", async () => {
    server = await TestServer.start([TextGeo]);
    const c = await server.connect("/geo");
    const b = Buffer.alloc(8);
    b.writeInt32BE(3, 0);
    b.writeInt32BE(-4, 4);
    await c.send(b);
    const first = await c.next();
    expect(first.type).toBe("binary");
    expect([...(first.data as Buffer)]).toEqual([0, 0, 0, 3, 255, 255, 255, 252, 0, 0, 0, 9]);
    expect(await c.next()).toEqual({ type: "text", data: "point(6,-8)" });
  });

  it("a throwing decoder reaches @OnError as DecodeError naming the decoder, and the peer gets DECODE_FAILED", async () => {
    server = await TestServer.start([TextGeo]);
    const c = await server.connect("/geo");
    await c.send(Buffer.from([1, 2, 3]));
    expect(await c.nextJson()).toEqual({
      type: "error",
      code: "DECODE_FAILED",
      errors: [{ path: "", constraints: { decode: "PointBinaryDecoder could not decode the message" } }],
    });
    expect(await c.nextText()).toBe("onError DECODE_FAILED PointBinaryDecoder");
    await c.send("1,1");
    expect(await c.nextText()).toBe("point(2,2)");
  });

  it("a text message no decoder's willDecode accepts is answered with NO_DECODER", async () => {
    server = await TestServer.start([TextGeo]);
    const c = await server.connect("/geo");
    await c.send("hello");
    expect(await c.nextJson()).toMatchObject({ type: "error", code: "NO_DECODER" });
    expect(await c.nextText()).toBe("onError NO_DECODER -");
  });

  it("global decoders and encoders from bootstrap codecs serve endpoints that declare none", async () => {
    @ServerEndpoint("/global-geo")
    class GlobalGeo {
      @OnMessage() point(p: Point) {
        return p;
      }
    }
    server = await TestServer.start([GlobalGeo], { codecs: { decoders: [PointTextDecoder], encoders: [PointTextEncoder] } });
    const c = await server.connect("/global-geo");
    await c.send("7,8");
    expect(await c.nextText()).toBe("point(7,8)");
  });
});

describe("DTO payloads and typed routing over sockets", () => {
  const valid = { type: "chat", text: "hi", author: { name: "alice" }, tags: ["a"] };

  it("routes by type to a validated DTO instance and replies with the handler's value", async () => {
    server = await TestServer.start([Chat]);
    const c = await server.connect("/chat");
    await c.send(valid);
    expect(await c.nextJson()).toEqual({ type: "ack", text: "hi", by: "alice", instance: true });
    await c.send({ type: "join", room: "lobby" });
    expect(await c.nextJson()).toEqual({ type: "joined", room: "lobby" });
    await c.send({ type: "raw", x: 1 });
    expect(await c.nextText()).toBe('raw:{"type":"raw","x":1}');
  });

  it("sends the exact VALIDATION_FAILED shape for a too-long text and calls @OnError; the session stays open", async () => {
    server = await TestServer.start([Chat]);
    const c = await server.connect("/chat");
    await c.send({ ...valid, text: "x".repeat(501) });
    expect(await c.nextText()).toBe(
      '{"type":"error","code":"VALIDATION_FAILED","errors":[{"path":"text","constraints":{"maxLength":"text must be shorter than or equal to 500 characters"}}]}',
    );
    expect(await c.nextText()).toBe("onError VALIDATION_FAILED");
    await c.send(valid);
    expect(await c.nextJson()).toMatchObject({ type: "ack" });
  });

  it("reports nested, array and unknown-property errors with dotted paths", async () => {
    server = await TestServer.start([Chat]);
    const c = await server.connect("/chat");
    await c.send({ type: "chat", text: "hi", author: { name: "a", admin: true }, tags: ["ok", 5], extra: 1 });
    const reply = await c.nextJson<{ errors: { path: string; constraints: Record<string, string> }[] }>();
    expect(reply.errors).toEqual([
      { path: "extra", constraints: { whitelistValidation: "property extra should not exist" } },
      { path: "author.admin", constraints: { whitelistValidation: "property admin should not exist" } },
      { path: "author.name", constraints: { isLength: "name must be longer than or equal to 2 characters" } },
      { path: "tags", constraints: { isString: "each value in tags must be a string" } },
    ]);
  });

  it("answers an unknown type with UNKNOWN_MESSAGE_TYPE listing the accepted types, then @OnError", async () => {
    server = await TestServer.start([Chat]);
    const c = await server.connect("/chat");
    await c.send({ type: "dance", id: 7 });
    expect(await c.nextJson()).toEqual({
      type: "error",
      code: "UNKNOWN_MESSAGE_TYPE",
      errors: [{ path: "type", constraints: { isIn: "type must be one of the following values: chat, join, raw" } }],
      accepted: ["chat", "join", "raw"],
      id: 7,
    });
    expect(await c.nextText()).toBe("onError UNKNOWN_MESSAGE_TYPE");
  });

  it("answers text that is not JSON with INVALID_JSON", async () => {
    server = await TestServer.start([Chat]);
    const c = await server.connect("/chat");
    await c.send("{nope");
    expect(await c.nextJson()).toEqual({ type: "error", code: "INVALID_JSON", errors: [{ path: "", constraints: { isJson: "the message must be valid JSON" } }] });
  });

  it("correlates replies and error replies with the envelope id (sync and async handlers)", async () => {
    server = await TestServer.start([Chat]);
    const c = await server.connect("/chat");
    await c.send({ ...valid, id: "r1" });
    await c.send({ type: "join", room: "lobby", id: 2 });
    await c.send({ type: "join", room: "", id: "r3" });
    await c.send({ type: "join", room: "x" });
    expect(await c.nextJson()).toEqual({ type: "ack", text: "hi", by: "alice", instance: true, id: "r1" });
    expect(await c.nextJson()).toEqual({ type: "joined", room: "lobby", id: 2 });
    expect(await c.nextJson()).toMatchObject({ type: "error", code: "VALIDATION_FAILED", id: "r3" });
    expect(await c.nextText()).toBe("onError VALIDATION_FAILED");
    expect(await c.nextJson()).toEqual({ type: "joined", room: "x" });
  });

  it("reads the payload under a configured data field and correlates with a configured id field", async () => {
    server = await TestServer.start([DataEnvelope]);
    const c = await server.connect("/envelope");
    await c.send({ op: "add", rid: "q", data: { n: 41 } });
    expect(await c.nextJson()).toEqual({ op: "sum", n: 42, rid: "q" });
    await c.send({ op: "add", data: { n: -1 } });
    expect(await c.nextJson()).toMatchObject({ op: "error", code: "VALIDATION_FAILED", errors: [{ path: "n" }] });
  });

  it.each([
    ["close-1008", "/count", 1008],
    ["reply without @OnError keeps the session open", "/count-nohandler", 0],
  ])("policy %s", async (_name, path, code) => {
    server = await TestServer.start([CountStrict, CountNoErrorHandler]);
    const c = await server.connect(path);
    await c.send({ n: -5 });
    if (code !== 0) {
      expect((await c.closed).code).toBe(code);
      expect(c.pending).toEqual([]);
    } else {
      expect(await c.nextJson()).toMatchObject({ code: "VALIDATION_FAILED", errors: [{ path: "n" }] });
      await c.send({ n: 1 });
      expect(await c.nextJson()).toEqual({ n: 2 });
    }
  });

  it("policy on-error: only @OnError hears of it, nothing is sent by the framework", async () => {
    server = await TestServer.start([CountQuiet]);
    const c = await server.connect("/count-quiet");
    await c.send({ n: "x", m: 1 });
    expect(await c.nextText()).toBe("onError VALIDATION_FAILED m,n");
    await c.send({ n: 1 });
    expect(await c.nextJson()).toEqual({ n: 2 });
  });

  it("global policy close-1007 applies unless the endpoint overrides it", async () => {
    server = await TestServer.start([CountStrict, CountNoErrorHandler], { codecs: { invalidMessages: "close-1007" } });
    const a = await server.connect("/count-nohandler");
    const b = await server.connect("/count");
    await a.send("not json");
    await b.send("not json");
    expect((await a.closed).code).toBe(1007);
    expect((await b.closed).code).toBe(1008);
  });

  it("global validation options apply: forbidNonWhitelisted off lets unknown properties through (stripped)", async () => {
    server = await TestServer.start([CountNoErrorHandler], { codecs: { validation: { validator: { forbidNonWhitelisted: false } } } });
    const c = await server.connect("/count-nohandler");
    await c.send({ n: 1, junk: true });
    expect(await c.nextJson()).toEqual({ n: 2 });
  });
});
