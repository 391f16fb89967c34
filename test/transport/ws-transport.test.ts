import { afterEach, describe, expect, it, vi } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { WsTransport } from "../../src/transport/ws-transport.js";

let wss: WebSocketServer | undefined;
afterEach(async () => {
  await new Promise((r) => (wss ? wss.close(r) : r(undefined)));
  wss = undefined;
});

/** A connected pair: the server side wrapped in a coalescing transport, and the client. */
async function pair(): Promise<{ t: WsTransport; client: WebSocket }> {
  wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
  await new Promise((r) => wss!.once("listening", r));
  const port = (wss.address() as { port: number }).port;
  const accepted = new Promise<WebSocket>((r) => wss!.once("connection", r));
  const client = new WebSocket(`ws://127.0.0.1:${port}`);
  const ws = await accepted;
  await new Promise((r) => (client.readyState === WebSocket.OPEN ? r(undefined) : client.once("open", r)));
  return { t: new WsTransport(ws, true, true), client };
}

describe("WsTransport.whenFlushed", () => {
  it("calls back once this turn's coalesced write has left, after the frames before it", async () => {
    const { t, client } = await pair();
    const received: string[] = [];
    client.on("message", (d) => received.push(String(d)));
    const order: string[] = [];
    t.cork();
    t.send(Buffer.from("a"), false, true, () => order.push("a written"));
    expect(t.whenFlushed(() => order.push("flushed"))).toBe(true);
    expect(order).toEqual([]);
    await new Promise<void>((r) => client.once("message", () => r()));
    expect(order).toEqual(["a written", "flushed"]);
    expect(received).toEqual(["a"]);
    client.close();
  });

  it("says so when nothing waits for the end of the turn", async () => {
    const { t, client } = await pair();
    expect(t.whenFlushed(() => undefined)).toBe(false);
    t.cork();
    await new Promise((r) => setImmediate(r));
    expect(t.whenFlushed(() => undefined)).toBe(false);
    client.close();
  });
});

/** A sink that records what the transport delivers. */
function recordingSink(): { got: string[]; sink: Parameters<WsTransport["bind"]>[0] } {
  const got: string[] = [];
  return {
    got,
    sink: { onMessage: (d, b) => got.push(`${b ? "bin" : "text"}:${d.toString()}`), onPong: () => undefined, onClose: () => undefined, onError: () => undefined },
  };
}

async function pairOn(options: ConstructorParameters<typeof WebSocketServer>[0], clientOptions: ConstructorParameters<typeof WebSocket>[2] = {}) {
  wss = new WebSocketServer({ port: 0, host: "127.0.0.1", ...options });
  await new Promise((r) => wss!.once("listening", r));
  const port = (wss.address() as { port: number }).port;
  const accepted = new Promise<WebSocket>((r) => wss!.once("connection", r));
  const client = new WebSocket(`ws://127.0.0.1:${port}`, clientOptions);
  const ws = await accepted;
  await new Promise((r) => (client.readyState === WebSocket.OPEN ? r(undefined) : client.once("open", r)));
  return { ws, client };
}

/** Collects `n` messages at the client, as kind:length:first-byte, in arrival order. */
function collect(client: WebSocket, n: number): Promise<string[]> {
  const out: string[] = [];
  return new Promise((resolve, reject) => {
    client.once("close", (code) => reject(new Error(`closed with ${code} after ${out.join(", ")}`)));
    client.on("message", (d: Buffer, isBinary: boolean) => {
      out.push(`${isBinary ? "bin" : "text"}:${d.length}:${d.length ? String.fromCharCode(d[0]!) : ""}`);
      if (out.length === n) resolve(out);
    });
  });
}

describe("WsTransport.send", () => {
  it("delivers every size intact and in order around the one-buffer limit, text and binary, corked or not", async () => {
    const { ws, client } = await pairOn({});
    const t = new WsTransport(ws, true, true);
    const sizes = [0, 1, 125, 126, 127, 1023, 1024, 1025, 65535, 65536, 70_000];
    const want: string[] = [];
    const arrived = collect(client, sizes.length * 2);
    let k = 0;
    for (const n of sizes) {
      for (const binary of [false, true]) {
        const ch = String.fromCharCode(97 + (k++ % 26));
        if (k % 3 === 0) t.cork();
        t.send(Buffer.alloc(n, ch), binary, true, undefined);
        want.push(`${binary ? "bin" : "text"}:${n}:${n ? ch : ""}`);
      }
    }
    expect(await arrived).toEqual(want);
    client.close();
  });

  it("keeps a fragmented message whole: a small last fragment and the next message follow its first part", async () => {
    const { ws, client } = await pairOn({});
    const t = new WsTransport(ws, true, true);
    const got: string[] = [];
    const done = new Promise<void>((resolve, reject) => {
      client.once("close", (code) => reject(new Error(`closed with ${code}`)));
      client.on("message", (d: Buffer) => {
        got.push(d.toString());
        if (got.length === 2) resolve();
      });
    });
    t.send(Buffer.from("frag-"), false, false, undefined);
    t.send(Buffer.from("ment"), false, true, undefined);
    t.send(Buffer.from("next"), false, true, undefined);
    await done;
    expect(got).toEqual(["frag-ment", "next"]);
    client.close();
  });

  it("keeps order on a compressed connection: a small message waits behind a large one being deflated", async () => {
    const { ws, client } = await pairOn({ perMessageDeflate: { threshold: 0 } }, { perMessageDeflate: true });
    expect(ws.extensions).toContain("permessage-deflate");
    const t = new WsTransport(ws, true, true);
    const arrived = collect(client, 3);
    t.send(Buffer.alloc(200_000, "x"), false, true, undefined);
    t.send(Buffer.from("y"), false, true, undefined);
    t.send(Buffer.alloc(50, "z"), true, true, undefined);
    expect(await arrived).toEqual(["text:200000:x", "text:1:y", "bin:50:z"]);
    client.close();
  });

  it("calls a small message's write callback once it was written, without an error", async () => {
    const { ws, client } = await pairOn({});
    const t = new WsTransport(ws, true, true);
    const results: unknown[] = [];
    await new Promise<void>((r) =>
      t.send(Buffer.from("hi"), false, true, (error) => {
        results.push(error ?? "ok");
        r();
      }),
    );
    expect(results).toEqual(["ok"]);
    client.close();
  });
});

describe("WsTransport.bind", () => {
  it("delivers text and binary messages to the sink", async () => {
    const { ws, client } = await pairOn({});
    const t = new WsTransport(ws, true, true);
    const { got, sink } = recordingSink();
    t.bind(sink);
    client.send("one");
    client.send(Buffer.from("two"));
    await vi.waitFor(() => expect(got).toEqual(["text:one", "bin:two"]));
    client.close();
  });

  it("leaves the WebSocket's own message listeners working when something already listens", async () => {
    const { ws, client } = await pairOn({});
    const seen: string[] = [];
    ws.on("message", (d) => seen.push(String(d)));
    const t = new WsTransport(ws, true, true);
    const { got, sink } = recordingSink();
    t.bind(sink);
    client.send("hello");
    await vi.waitFor(() => expect(got).toEqual(["text:hello"]));
    expect(seen).toEqual(["hello"]);
    client.close();
  });
});

describe("WsTransport write coalescing", () => {
  type Sock = { writableCorked: number; writableLength: number };
  const socketOf = (ws: WebSocket) => (ws as unknown as { _socket: Sock })._socket;

  it("keeps small frames corked to the end of the turn, in one write", async () => {
    const { ws, client } = await pairOn({});
    const t = new WsTransport(ws, true, true);
    const arrived = collect(client, 2);
    t.cork();
    t.send(Buffer.from("a"), false, true, undefined);
    t.send(Buffer.alloc(4000, "b"), true, true, undefined);
    expect(socketOf(ws).writableCorked).toBe(1);
    expect(await arrived).toEqual(["text:1:a", "bin:4000:b"]);
    expect(socketOf(ws).writableCorked).toBe(0);
    client.close();
  });

  it("uncorks at once for a large frame, which leaves behind the turn's earlier frames", async () => {
    const { ws, client } = await pairOn({});
    const t = new WsTransport(ws, true, true);
    const arrived = collect(client, 3);
    t.cork();
    t.send(Buffer.from("a"), false, true, undefined);
    t.send(Buffer.alloc(64 * 1024, "b"), true, true, undefined);
    expect(socketOf(ws).writableCorked).toBe(0);
    // A later small frame in the same turn corks again and follows the large one.
    expect(t.cork()).toBe(true);
    t.send(Buffer.from("c"), false, true, undefined);
    expect(socketOf(ws).writableCorked).toBe(1);
    expect(await arrived).toEqual(["text:1:a", `bin:${64 * 1024}:b`, "text:1:c"]);
    client.close();
  });

  it("tells an awaiting sender when a large frame written at once has left the socket", async () => {
    const { ws, client } = await pairOn({});
    const t = new WsTransport(ws, true, true);
    client.pause(); // the client does not read: the frame stays in the server's socket for a while
    t.cork();
    t.send(Buffer.alloc(8 << 20, "x"), true, true, undefined);
    expect(socketOf(ws).writableLength).toBeGreaterThan(0);
    let flushed = false;
    expect(t.whenFlushed(() => (flushed = true))).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    expect(flushed).toBe(false);
    const got = new Promise<number>((r) => client.once("message", (d: Buffer) => r(d.length)));
    client.resume();
    expect(await got).toBe(8 << 20);
    await vi.waitFor(() => expect(flushed).toBe(true));
    client.close();
  });
});
