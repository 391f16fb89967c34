import "reflect-metadata";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { connect as tcpConnect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { FragmentInterleavedError, OnMessage, OnOpen, PongMessage, ServerEndpoint, Session } from "../../src/index.js";
import { TestServer } from "../../src/testing/index.js";
import { PYTHON, python3Websockets } from "../support/system-packages.js";

@ServerEndpoint("/bin/buffer")
class BufferEcho {
  @OnMessage() bytes(data: Buffer) {
    return Buffer.concat([Buffer.from([Buffer.isBuffer(data) ? 1 : 0]), data]);
  }
}
@ServerEndpoint("/bin/arraybuffer")
class ArrayBufferEcho {
  @OnMessage() bytes(data: ArrayBuffer) {
    const isAb = data instanceof ArrayBuffer && !ArrayBuffer.isView(data);
    const out = new Uint8Array(data.byteLength + 1);
    out[0] = isAb ? 2 : 0;
    out.set(new Uint8Array(data), 1);
    return out.buffer;
  }
}
@ServerEndpoint("/bin/uint8array")
class Uint8ArrayEcho {
  @OnMessage() bytes(data: Uint8Array, session: Session) {
    const kind = data instanceof Uint8Array && !Buffer.isBuffer(data) ? 3 : 0;
    // sendBinary sends a binary frame, sendText a text frame, whatever the content.
    void session.getBasicRemote().sendText(`len ${data.byteLength}`);
    void session.getBasicRemote().sendBinary(Buffer.from("looks like text"));
    return new Uint8Array([kind, ...data]);
  }
}

@ServerEndpoint({ path: "/limits", maxMessageSize: 256 })
class Limits {
  @OnMessage({ maxMessageSize: 16 }) text(msg: string) {
    return `ok ${msg.length}`;
  }
  @OnMessage() bytes(data: Buffer) {
    return `bytes ${data.length}`;
  }
}

@ServerEndpoint("/pong")
class Pongs {
  @OnMessage() pong(p: PongMessage, session: Session) {
    void session.getBasicRemote().sendText(`pong:${p.getApplicationData().toString("utf8")}`);
  }
  @OnMessage() text(msg: string) {
    return msg;
  }
}

const PARTS = ["Hello, ", "fragmented ", "wörld"];

@ServerEndpoint("/fragments/{kind}")
class Fragments {
  errors: string[] = [];
  @OnOpen() async open(session: Session) {
    const remote = session.getBasicRemote();
    if (session.getPathParameters().kind === "binary") {
      await remote.sendBinary(Buffer.from([1, 2]), false);
      await remote.sendBinary(Buffer.from([3]), false);
      await remote.sendBinary(Buffer.from([4, 5]), true);
      return;
    }
    await remote.sendText(PARTS[0]!, false);
    await remote.sendText(PARTS[1]!, false);
    await remote.sendText(PARTS[2]!, true);
  }
  @OnMessage() async text(msg: string, session: Session) {
    if (msg !== "interleave") return undefined;
    const remote = session.getBasicRemote();
    await remote.sendText("part-1 ", false);
    const outcomes: string[] = [];
    for (const attempt of [() => remote.sendBinary(Buffer.from([9])), () => session.getBasicRemote().sendObject({ a: 1 })]) {
      await attempt().then(
        () => outcomes.push("sent"),
        (e: Error) => outcomes.push(`${e instanceof FragmentInterleavedError ? e.code : e.name}: ${e.message}`),
      );
    }
    const asyncResult = await session.getAsyncRemote().sendText("async whole");
    outcomes.push(asyncResult.ok ? "sent" : (asyncResult.error as { code?: string }).code ?? "failed");
    await remote.sendPing(Buffer.from("mid")); // control frames may sit between fragments
    await remote.sendText("part-2", true);
    await remote.sendText(JSON.stringify(outcomes));
    return undefined;
  }
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("binary payloads by declared type", () => {
  it.each([
    ["/bin/buffer", 1],
    ["/bin/arraybuffer", 2],
    ["/bin/uint8array", 3],
  ])("%s receives its declared type and replies with a binary frame", async (path, marker) => {
    server = await TestServer.start([BufferEcho, ArrayBufferEcho, Uint8ArrayEcho]);
    const c = await server.connect(path);
    const payload = randomBytes(300);
    await c.send(payload);
    if (path === "/bin/uint8array") {
      expect(await c.next()).toEqual({ type: "text", data: "len 300" });
      expect(await c.next()).toEqual({ type: "binary", data: Buffer.from("looks like text") });
    }
    const reply = await c.next();
    expect(reply.type).toBe("binary");
    expect(reply.data).toEqual(Buffer.concat([Buffer.from([marker]), payload]));
  });
});

describe("message size limits", () => {
  it.each([
    // The handler's limit is checked by the framework, which names it in the close reason.
    ["the handler's limit", "x".repeat(17), { code: 1009, reason: "message of 17 bytes exceeds the 16-byte limit of Limits.text" }, "x".repeat(16), "ok 16"],
    // The endpoint-wide limit is ws's maxPayload, enforced while reading; the reason still names it.
    ["the endpoint-wide limit", Buffer.alloc(257), { code: 1009, reason: "message exceeds the limit of 256 bytes" }, Buffer.alloc(256), "bytes 256"],
  ])("a message over %s closes that session with 1009; other sessions keep working", async (_name, tooBig, close, fits, reply) => {
    server = await TestServer.start([Limits]);
    const big = await server.connect("/limits");
    const other = await server.connect("/limits");
    await big.send(fits);
    expect(await big.nextText()).toBe(reply);
    await big.send(tooBig);
    expect(await big.closed).toEqual(close);
    await other.send(fits);
    expect(await other.nextText()).toBe(reply);
  });
});

describe("invalid UTF-8", () => {
  it("a text frame with invalid UTF-8 closes that session with 1007; others keep working", async () => {
    server = await TestServer.start([Pongs]);
    const bad = await server.connect("/pong");
    const other = await server.connect("/pong");
    bad.ws.send(Buffer.from([0x68, 0xc3, 0x28]), { binary: false });
    expect((await bad.closed).code).toBe(1007);
    await other.send("fine");
    expect(await other.nextText()).toBe("fine");
  });
});

describe("pong handlers", () => {
  it("an @OnMessage with a PongMessage parameter receives unsolicited pongs with their data", async () => {
    server = await TestServer.start([Pongs]);
    const c = await server.connect("/pong");
    c.ws.pong(Buffer.from("t=42"));
    expect(await c.nextText()).toBe("pong:t=42");
    c.ws.ping(Buffer.from("auto")); // ws answers our ping itself; the server's handler sees our pongs only
    await c.send("after");
    expect(await c.nextText()).toBe("after");
  });
});

describe("partial (fragmented) sends", () => {
  it("a ws client receives three text fragments as one message", async () => {
    server = await TestServer.start([Fragments]);
    const c = await server.connect("/fragments/text");
    expect(await c.next()).toEqual({ type: "text", data: PARTS.join("") });
    const b = await server.connect("/fragments/binary");
    expect(await b.next()).toEqual({ type: "binary", data: Buffer.from([1, 2, 3, 4, 5]) });
  });

  it("goes on the wire as a text frame without FIN, a continuation frame, and a final continuation frame", async () => {
    server = await TestServer.start([Fragments]);
    const frames = await rawFrames(server.handle.address.port, "/fragments/text", 3);
    expect(frames.map((f) => [f.fin, f.opcode])).toEqual([
      [false, 1],
      [false, 0],
      [true, 0],
    ]);
    expect(frames.map((f) => f.payload.toString("utf8"))).toEqual(PARTS);
  });

  it("a Python websockets client receives the fragmented message as one message", async (ctx) => {
    python3Websockets.guard(ctx);
    server = await TestServer.start([Fragments]);
    const script = [
      "import asyncio, json, sys, websockets",
      "async def main():",
      "    async with websockets.connect(sys.argv[1]) as ws:",
      "        msg = await asyncio.wait_for(ws.recv(), 5)",
      "        print(json.dumps({'type': type(msg).__name__, 'data': msg if isinstance(msg, str) else list(msg)}))",
      "asyncio.run(main())",
    ].join("\n");
    const text = await runPython(script, `${server.url}/fragments/text`);
    expect(JSON.parse(text)).toEqual({ type: "str", data: PARTS.join("") });
    const binary = await runPython(script, `${server.url}/fragments/binary`);
    expect(JSON.parse(binary)).toEqual({ type: "bytes", data: [1, 2, 3, 4, 5] });
  });

  it("rejects a whole message sent in the middle of a fragmented one with FragmentInterleavedError; the stream stays intact", async () => {
    server = await TestServer.start([Fragments]);
    const c = await server.connect("/fragments/text");
    expect(await c.nextText()).toBe(PARTS.join(""));
    await c.send("interleave");
    expect(await c.nextText()).toBe("part-1 part-2");
    const outcomes = await c.nextJson<string[]>();
    expect(outcomes).toEqual([
      "WSE_ERR_FRAGMENT_INTERLEAVED: Cannot send another message while a fragmented text message is unfinished; send its last part with getBasicRemote().sendText(part, true) first.",
      "WSE_ERR_FRAGMENT_INTERLEAVED: Cannot send another message while a fragmented text message is unfinished; send its last part with getBasicRemote().sendText(part, true) first.",
      "WSE_ERR_FRAGMENT_INTERLEAVED",
    ]);
    expect(c.pending).toEqual([]);
  });
});

interface RawFrame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
}

/** Performs the handshake over a plain TCP socket and collects the first `count` (small, unmasked) frames. */
function rawFrames(port: number, path: string, count: number): Promise<RawFrame[]> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(port, "127.0.0.1");
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error("frames did not arrive within 5 s"));
    }, 5000);
    let buf = Buffer.alloc(0);
    let upgraded = false;
    socket.on("connect", () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    socket.on("error", reject);
    socket.on("data", (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (!upgraded) {
        const end = buf.indexOf("\r\n\r\n");
        if (end === -1) return;
        upgraded = true;
        buf = buf.subarray(end + 4);
      }
      const frames: RawFrame[] = [];
      let at = 0;
      while (frames.length < count && buf.length >= at + 2) {
        const len = buf[at + 1]! & 0x7f; // test payloads are < 126 bytes
        if (buf.length < at + 2 + len) break;
        frames.push({ fin: (buf[at]! & 0x80) !== 0, opcode: buf[at]! & 0x0f, payload: buf.subarray(at + 2, at + 2 + len) });
        at += 2 + len;
      }
      if (frames.length === count) {
        clearTimeout(timer);
        socket.destroy();
        resolve(frames);
      }
    });
  });
}

function runPython(script: string, url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, ["-c", script, url], { stdio: ["ignore", "pipe", "pipe"], timeout: 10_000 });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (err += d.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`python exited with ${code}: ${err}`))));
  });
}
