import "reflect-metadata";
import { afterEach, describe, expect, it } from "vitest";
import { jsonEncoder } from "../../src/codec/json.js";
import {
  DecodeError,
  EncodeError,
  ErrorCodes,
  OnError,
  OnMessage,
  ServerEndpoint,
  Session,
  type Decoder,
} from "../../src/index.js";
import { MockSession, TestServer } from "../../src/testing/index.js";
import { IsString } from "class-validator";

// Issue #18: sendObject of bytes is a binary message; what JSON cannot represent is an EncodeError, never `{}`;
// a DecodeError carries a text message's text and a binary message's bytes (the spec's DecodeException).

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

class Dto {
  constructor(
    readonly name: string,
    readonly tags: string[],
  ) {}
}
class WithToJson {
  #secret = 1;
  toJSON() {
    return { shown: this.#secret };
  }
}
class Opaque {
  #hidden = 1;
  get hidden() {
    return this.#hidden;
  }
}

describe("sendObject encoding", () => {
  it.each([
    ["Buffer", Buffer.from([1, 2, 255])],
    ["Uint8Array", new Uint8Array([1, 2, 255])],
    ["ArrayBuffer", new Uint8Array([1, 2, 255]).buffer],
    ["a view into a larger buffer", new Uint8Array([9, 1, 2, 255, 9]).subarray(1, 4)],
  ])("sends %s as a binary message with its bytes", async (_name, bytes) => {
    const session = new MockSession();
    await session.getBasicRemote().sendObject(bytes);
    session.getAsyncRemote().sendObject(bytes);
    expect(session.sent).toEqual([
      { type: "binary", data: Buffer.from([1, 2, 255]) },
      { type: "binary", data: Buffer.from([1, 2, 255]) },
    ]);
  });

  it.each([
    [new Map([["a", 1]]), "sendObject: value is a Map", "Object.fromEntries(map)"],
    [new Set([1]), "sendObject: value is a Set", "[...set]"],
    [{ users: [{ roles: new Set(["admin"]) }] }, "sendObject: value.users[0].roles is a Set", "[...set]"],
    [{ id: 10n }, "sendObject: value.id is a BigInt", "String(n)"],
    [new Opaque(), "sendObject: value is an instance of Opaque with no enumerable fields", "register an encoder for its class"],
    [{ "odd key": new Map() }, 'sendObject: value["odd key"] is a Map', "Object.fromEntries(map)"],
  ])("refuses %o with an EncodeError naming where and the fix", async (value, where, fix) => {
    let error: unknown;
    try {
      jsonEncoder(value);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EncodeError);
    expect((error as EncodeError).code).toBe(ErrorCodes.ENCODE_FAILED);
    expect((error as EncodeError).message).toContain(where);
    expect((error as EncodeError).message).toContain(fix);
    const session = new MockSession();
    await expect(session.getBasicRemote().sendObject(value)).rejects.toBeInstanceOf(EncodeError);
    expect(session.sent).toEqual([]);
  });

  it("keeps ordinary values: DTO instances with fields or toJSON, empty plain objects, dates, strings holding {}", () => {
    const value = { dto: new Dto("a", []), j: new WithToJson(), empty: {}, none: Object.create(null) as object, when: new Date(0), text: "{}" };
    expect(jsonEncoder(value)).toEqual({
      data: '{"dto":{"name":"a","tags":[]},"j":{"shown":1},"empty":{},"none":{},"when":"1970-01-01T00:00:00.000Z","text":"{}"}',
      binary: false,
    });
  });

  it("a handler's returned Map reaches @OnError as an EncodeError, the peer gets nothing", async () => {
    @ServerEndpoint("/returns-map")
    class ReturnsMap {
      @OnMessage() m(_t: string) {
        return new Map([["a", 1]]);
      }
      @OnError() e(err: unknown, session: Session) {
        session.getAsyncRemote().sendText(`${(err as EncodeError).code}`);
      }
    }
    server = await TestServer.start([ReturnsMap]);
    const c = await server.connect("/returns-map");
    await c.send("x");
    expect(await c.nextText()).toBe(ErrorCodes.ENCODE_FAILED);
    expect(c.pending).toEqual([]);
  });

  it("a client receives sendObject(Buffer) as a binary frame", async () => {
    @ServerEndpoint("/bytes")
    class Bytes {
      @OnMessage() async m(_t: string, session: Session) {
        await session.getBasicRemote().sendObject(Buffer.from("raw"));
      }
    }
    server = await TestServer.start([Bytes]);
    const c = await server.connect("/bytes");
    await c.send("x");
    const m = await c.next();
    expect(m).toEqual({ type: "binary", data: Buffer.from("raw") });
  });
});

class Named {
  @IsString() name!: string;
}
class Packet {}
class PacketDecoder implements Decoder.Binary<Packet> {
  static readonly decodes = Packet;
  static readonly binary = true;
  decode(_data: Buffer): Packet {
    throw new Error("bad packet");
  }
}

const decodeErrors: DecodeError[] = [];

@ServerEndpoint({ path: "/decode", invalidMessages: "on-error", decoders: [PacketDecoder] })
class Decoding {
  @OnMessage() text(_n: Named) {}
  @OnMessage() binary(_p: Packet) {}
  @OnError() e(err: unknown, session: Session) {
    decodeErrors.push(err as DecodeError);
    session.getAsyncRemote().sendText("seen");
  }
}

describe("DecodeError payload", () => {
  it("is the text of a text message and the bytes of a binary one", async () => {
    decodeErrors.length = 0;
    server = await TestServer.start([Decoding]);
    const c = await server.connect("/decode");
    await c.send("not json ü");
    expect(await c.nextText()).toBe("seen");
    await c.send('{"name":1}');
    expect(await c.nextText()).toBe("seen");
    await c.send(Buffer.from([0xff, 0x00]));
    expect(await c.nextText()).toBe("seen");
    expect(decodeErrors.map((e) => [e.reason, e.payload])).toEqual([
      ["INVALID_JSON", "not json ü"],
      ["VALIDATION_FAILED", '{"name":1}'],
      ["DECODE_FAILED", Buffer.from([0xff, 0x00])],
    ]);
  });
});
