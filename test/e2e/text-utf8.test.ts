import "reflect-metadata";
import { connect as tcpConnect } from "node:net";
import { IsInt } from "class-validator";
import { afterEach, describe, expect, it } from "vitest";
import { OnError, OnMessage, ServerEndpoint, Session, TransportError } from "../../src/index.js";
import { TestServer } from "../../src/testing/index.js";

// The server checks text itself (ws's check is off): these pin what the peer sees.

const errors: Error[] = [];
const handled: string[] = [];

@ServerEndpoint("/utf8/echo")
class Echo {
  @OnMessage() text(msg: string): string {
    handled.push(msg);
    return msg;
  }
  @OnError() failed(_s: Session, error: Error): void {
    errors.push(error);
  }
}

let release: () => void = () => undefined;

@ServerEndpoint("/utf8/slow")
class Slow {
  // Async: later messages wait in the session's queue, where they are checked on arrival.
  @OnMessage() async text(msg: string): Promise<void> {
    handled.push(msg);
    await new Promise<void>((r) => (release = r));
  }
}

class Counted {
  @IsInt() n!: number;
}

@ServerEndpoint("/utf8/json")
class Json {
  @OnMessage() obj(value: Counted): string {
    handled.push(JSON.stringify(value));
    return "ok";
  }
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  errors.length = 0;
  handled.length = 0;
});

const INVALID = Buffer.from([0x68, 0xc3, 0x28]); // "h", then a 2-byte lead followed by ASCII

describe("text messages are checked as UTF-8 by the server", () => {
  it("passes text that really contains U+FFFD, and multi-byte text, unchanged", async () => {
    server = await TestServer.start([Echo]);
    const c = await server.connect("/utf8/echo");
    for (const t of ["a\uFFFDb", "\uFFFD", "héllo ✓ 🚀", "x".repeat(300) + "\uFFFD"]) {
      await c.send(t);
      expect(await c.nextText()).toBe(t);
    }
    expect(errors).toEqual([]);
  });

  it("closes with 1007 on invalid text, reports it to @OnError, and handles nothing read after it", async () => {
    server = await TestServer.start([Echo]);
    const c = await server.connect("/utf8/echo");
    // Three frames in one write: valid, invalid, valid.
    c.ws.send("before");
    c.ws.send(INVALID, { binary: false });
    c.ws.send("after");
    expect(await c.nextText()).toBe("before");
    expect((await c.closed).code).toBe(1007);
    expect(handled).toEqual(["before"]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(TransportError);
    expect(errors[0]!.message).toMatch(/not valid UTF-8/);
  });

  it("large text (decoded in pieces): echoed exact across piece boundaries, and 1007 when invalid", async () => {
    server = await TestServer.start([Echo]);
    const c = await server.connect("/utf8/echo");
    // 3-byte characters from an odd offset, so 64 KiB piece boundaries fall inside characters.
    const big = "x" + "€".repeat(70_000) + "🚀\uFFFD";
    await c.send(big);
    expect(await c.nextText(10_000)).toBe(big);
    c.ws.send(Buffer.concat([Buffer.from("y".repeat(200_000)), INVALID]), { binary: false });
    expect((await c.closed).code).toBe(1007);
    expect(handled).toHaveLength(1);
    expect(errors).toHaveLength(1);
  });

  it("checks text waiting behind a running async handler on arrival", async () => {
    server = await TestServer.start([Slow]);
    const c = await server.connect("/utf8/slow");
    c.ws.send("first");
    c.ws.send(INVALID, { binary: false });
    c.ws.send("never");
    // The connection fails while "first" is still being handled; nothing queued after it runs.
    expect((await c.closed).code).toBe(1007);
    release();
    await server.handle.close();
    expect(handled).toEqual(["first"]);
  });

  it("checks text for other decoders (JSON) before decoding it", async () => {
    server = await TestServer.start([Json]);
    const c = await server.connect("/utf8/json");
    await c.send(JSON.stringify({ n: 1 }));
    expect(await c.nextText()).toBe("ok");
    c.ws.send(Buffer.concat([Buffer.from('{"n":"'), INVALID, Buffer.from('"}')]), { binary: false });
    expect((await c.closed).code).toBe(1007);
    expect(handled).toEqual(['{"n":1}']);
  });

  it("answers a close frame whose reason is not UTF-8 with 1007, and a valid one with its own code", async () => {
    server = await TestServer.start([Echo]);
    const port = server.handle.address.port;
    const closeCodeFor = (reason: Buffer): Promise<number> =>
      new Promise((resolve, reject) => {
        const sock = tcpConnect(port, "127.0.0.1");
        let buf = Buffer.alloc(0);
        let upgraded = false;
        sock.on("error", reject);
        sock.on("data", (d) => {
          buf = Buffer.concat([buf, d]);
          if (!upgraded) {
            const end = buf.indexOf("\r\n\r\n");
            if (end === -1) return;
            upgraded = true;
            buf = buf.subarray(end + 4);
            const payload = Buffer.concat([Buffer.from([0x0f, 0xa0]), reason]); // 4000
            sock.write(Buffer.concat([Buffer.from([0x88, 0x80 | payload.length, 0, 0, 0, 0]), payload]));
          }
          if (buf.length >= 4 && (buf[0]! & 0x0f) === 8) {
            resolve(buf.readUInt16BE(2));
            sock.destroy();
          }
        });
        sock.write(
          "GET /utf8/echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        );
      });
    expect(await closeCodeFor(Buffer.from([0xc3, 0x28]))).toBe(1007);
    expect(await closeCodeFor(Buffer.from("bye ✓"))).toBe(4000);
  });
});
