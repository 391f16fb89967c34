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
