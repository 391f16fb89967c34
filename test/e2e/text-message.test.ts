import "reflect-metadata";
import { afterEach, describe, expect, it } from "vitest";
import { generateAsyncApi } from "../../src/asyncapi/index.js";
import { bootstrap, Broadcaster, ClientEndpoint, connectToServer, OnMessage, OnOpen, ServerEndpoint, Session, silentLogger, TextMessage, type ServerHandle } from "../../src/index.js";
import { TestServer } from "../../src/testing/index.js";
import WebSocket from "ws";

// TextMessage: a received text passed on as its bytes, decoded only when read. What the peer sees.

const seen: TextMessage[] = [];

@ServerEndpoint("/tm/echo")
class Echo {
  @OnMessage() text(msg: TextMessage, session: Session): void {
    seen.push(msg);
    void session.getBasicRemote().sendText(msg);
  }
}

@ServerEndpoint("/tm/returned")
class Returned {
  @OnMessage() text(msg: TextMessage): TextMessage {
    return msg;
  }
}

@ServerEndpoint("/tm/room")
class Room {
  constructor(private readonly broadcaster: Broadcaster) {}
  @OnOpen() open(session: Session): void {
    session.join("all");
  }
  @OnMessage() text(msg: TextMessage): void {
    void this.broadcaster.broadcast(msg, { room: "all" });
  }
}

@ServerEndpoint({ path: "/tm/typed" })
class Typed {
  @OnMessage({ type: "raw" }) raw(msg: TextMessage): string {
    return `${msg.byteLength}:${msg.text}`;
  }
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  seen.length = 0;
});

describe("a TextMessage handler", () => {
  it("echoes multi-byte and large text exactly, as text frames, without decoding what it never reads", async () => {
    server = await TestServer.start([Echo]);
    const c = await server.connect("/tm/echo");
    // 3-byte characters from an odd offset: large enough for the piece decoder, were it decoded.
    const texts = ["héllo ✓ 🚀", "", "x" + "€".repeat(70_000) + "🚀\uFFFD"];
    for (const t of texts) {
      await c.send(t);
      expect(await c.nextText(10_000)).toBe(t);
    }
    expect(seen.map((m) => m.byteLength)).toEqual(texts.map((t) => Buffer.byteLength(t)));
    expect((seen[2] as unknown as { decoded: string | undefined }).decoded).toBeUndefined();
    // Read now, after the sends: decoded once and kept.
    expect(seen[2]!.text).toBe(texts[2]);
    expect(seen[2]!.text).toBe(seen[2]!.text);
    expect(`${seen[0]}`).toBe(texts[0]);
    expect(JSON.stringify({ m: seen[0] })).toBe(JSON.stringify({ m: texts[0] }));
  });

  it("echoes and broadcasts it on a compressed connection (permessage-deflate) too", async () => {
    server = await TestServer.start([Echo, Room], { perMessageDeflate: true });
    const c = await server.connect("/tm/echo", { perMessageDeflate: true });
    expect(c.ws.extensions).toContain("permessage-deflate");
    const text = "squeeze ✓ ".repeat(5_000);
    await c.send(text);
    expect(await c.nextText()).toBe(text);
    const r = await server.connect("/tm/room", { perMessageDeflate: true });
    await r.send(text);
    expect(await r.nextText()).toBe(text);
  });

  it("sends a returned TextMessage back as text, not through the JSON encoder", async () => {
    server = await TestServer.start([Returned]);
    const c = await server.connect("/tm/returned");
    await c.send("plain ✓");
    expect(await c.nextText()).toBe("plain ✓");
  });

  it("fails the connection with 1007 on text that is not UTF-8, and handles nothing after it", async () => {
    server = await TestServer.start([Echo]);
    const c = await server.connect("/tm/echo");
    c.ws.send("before");
    c.ws.send(Buffer.from([0x68, 0xc3, 0x28]), { binary: false });
    c.ws.send("after");
    expect(await c.nextText()).toBe("before");
    expect((await c.closed).code).toBe(1007);
    expect(seen.map((m) => m.text)).toEqual(["before"]);
  });

  it("broadcasts the received bytes as a text frame to every member (not as a JSON-encoded object)", async () => {
    server = await TestServer.start([Room]);
    const a = await server.connect("/tm/room");
    const b = await server.connect("/tm/room");
    await a.send("hi ✓ all");
    const frames = await Promise.all([a, b].map((c) => new Promise<{ data: string; binary: boolean }>((r) => c.ws.once("message", (d, binary) => r({ data: d.toString(), binary })))));
    expect(frames).toEqual([
      { data: "hi ✓ all", binary: false },
      { data: "hi ✓ all", binary: false },
    ]);
  });

  it("takes the whole message under typed routing, as a string handler does", async () => {
    server = await TestServer.start([Typed]);
    const c = await server.connect("/tm/typed");
    const msg = JSON.stringify({ type: "raw", text: "é" });
    await c.send(msg);
    expect(await c.nextText()).toBe(`${Buffer.byteLength(msg)}:${msg}`);
  });

  it("is documented as text/plain in the AsyncAPI document", () => {
    const messages = generateAsyncApi([Echo], { title: "t", version: "1" }).components.messages as Record<string, unknown>;
    expect(messages["Echo.text"]).toMatchObject({ contentType: "text/plain", payload: { type: "string" } });
  });
});

describe("a @ClientEndpoint TextMessage handler", () => {
  it("receives the server's text and sends it back as its bytes", async () => {
    const got: string[] = [];
    let done: () => void = () => undefined;
    const twice = new Promise<void>((r) => (done = r));
    @ClientEndpoint()
    class Bouncer {
      @OnMessage() text(msg: TextMessage, session: Session): void {
        got.push(msg.text);
        if (got.length === 1) void session.getBasicRemote().sendText(msg);
        else done();
      }
    }
    server = await TestServer.start([Echo]);
    const session = await connectToServer(Bouncer, `${server.url}/tm/echo`);
    await session.getBasicRemote().sendText("round ✓ trip");
    await twice;
    // The client's send, the server's echo of it, the client's bounce, the server's echo of that.
    expect(got).toEqual(["round ✓ trip", "round ✓ trip"]);
    expect(seen.map((m) => m.text)).toEqual(["round ✓ trip", "round ✓ trip"]);
    await session.close();
  });
});

describe("TextMessage outside a handler", () => {
  it("fromString keeps the string; fromBytes refuses bytes that are not UTF-8, naming the fix", () => {
    const m = TextMessage.fromString("✓ ok");
    expect(m.text).toBe("✓ ok");
    expect(m.bytes.equals(Buffer.from("✓ ok"))).toBe(true);
    expect(TextMessage.fromBytes(Buffer.from("é")).text).toBe("é");
    expect(() => TextMessage.fromBytes(Buffer.from([0xc3, 0x28]))).toThrow(/not valid UTF-8.*sendBinary/);
    expect(() => TextMessage.fromString(1 as unknown as string)).toThrow(TypeError);
  });

  it("sendText refuses what is neither a string nor a TextMessage: Basic throws, Async reports", async () => {
    let handle: ServerHandle | undefined;
    const results: unknown[] = [];
    @ServerEndpoint("/tm/misuse")
    class Misuse {
      @OnOpen() open(session: Session): void {
        try {
          void session.getBasicRemote().sendText({} as unknown as string);
        } catch (e) {
          results.push((e as Error).message);
        }
        void session.getAsyncRemote().sendText(Buffer.from("x") as unknown as string).then((r) => results.push(r.ok ? "ok" : r.error!.message));
        void session.getAsyncRemote().sendText(TextMessage.fromString("fine"));
      }
    }
    try {
      handle = await bootstrap({ endpoints: [Misuse], port: 0, host: "127.0.0.1", logger: silentLogger });
      const ws = new WebSocket(`ws://127.0.0.1:${handle.address.port}/tm/misuse`);
      const first = await new Promise<string>((resolve, reject) => {
        ws.once("message", (d) => resolve(d.toString()));
        ws.once("error", reject);
      });
      expect(first).toBe("fine");
      expect(results).toEqual([expect.stringMatching(/string or a TextMessage/), expect.stringMatching(/string or a TextMessage/)]);
      ws.close();
    } finally {
      await handle?.close();
    }
  });
});
