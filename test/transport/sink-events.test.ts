import { afterEach, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { ServerWebSocket } from "../../src/transport/server-websocket.js";
import type { TransportSink } from "../../src/transport/transport.js";
import { WsTransport } from "../../src/transport/ws-transport.js";

let wss: WebSocketServer | undefined;
let open: WebSocket[] = [];
afterEach(async () => {
  for (const c of open) c.terminate();
  open = [];
  await new Promise((r) => (wss ? wss.close(r) : r(undefined)));
  wss = undefined;
});

/** A server connection of the framework's WebSocket class, bound to a sink that records its events. */
async function bound(maxPayload = 1024) {
  wss = new WebSocketServer({ port: 0, host: "127.0.0.1", WebSocket: ServerWebSocket, maxPayload, skipUTF8Validation: true, clientTracking: false });
  await new Promise((r) => wss!.once("listening", r));
  const accepted = new Promise<WebSocket>((r) => wss!.once("connection", r));
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as { port: number }).port}`);
  const ws = await accepted;
  open.push(client, ws);
  await new Promise((r) => (client.readyState === WebSocket.OPEN ? r(undefined) : client.once("open", r)));
  const events: string[] = [];
  let closed!: () => void;
  const done = new Promise<void>((r) => (closed = r));
  const sink: TransportSink = {
    onMessage: (d) => events.push(`message ${d.toString()}`),
    onPong: (d) => events.push(`pong ${d.toString()}`),
    onError: (e) => events.push(`error ${(e as { code?: string }).code}`),
    onClose: (code, reason) => {
      events.push(`close ${code} ${reason}`);
      closed();
    },
  };
  new WsTransport(ws, true, false).bind(sink);
  return { ws, client, events, done };
}

describe("ServerWebSocket hands close, pong and error to the bound sink", () => {
  it("with no listener added to the connection", async () => {
    const { ws, client, events, done } = await bound();
    expect([ws.listenerCount("close"), ws.listenerCount("pong"), ws.listenerCount("error"), ws.listenerCount("message")]).toEqual([0, 0, 0, 0]);
    client.pong(Buffer.from("p1"));
    client.send("hello");
    client.close(4001, "bye");
    await done;
    expect(events).toEqual(["pong p1", "message hello", "close 4001 bye"]);
  });

  it("an error of the connection reaches the sink and is not thrown", async () => {
    const { client, events, done } = await bound();
    // A frame with the reserved opcode 3 (masked, empty): ws fails the connection with an error event.
    (client as unknown as { _socket: { write(b: Buffer): void } })._socket.write(Buffer.from([0x83, 0x80, 0, 0, 0, 0]));
    await done;
    expect(events[0]).toBe("error WS_ERR_INVALID_OPCODE");
    // ws answers with 1002 and reports whatever close follows (1006: it stopped reading).
    expect(events.slice(1)).toEqual([expect.stringMatching(/^close 10\d\d /)]);
  });

  it("a message over maxPayload is reported as the 1009 close this side sent, not as an error", async () => {
    const { client, events, done } = await bound(16);
    client.send("x".repeat(17));
    await done;
    expect(events).toEqual([expect.stringMatching(/^close 1009 ./)]);
  });
});
